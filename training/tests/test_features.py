import json
import math

import numpy as np
import pytest

from swipe.data import REPO_ROOT, load_layout
from swipe.features import FeatureError, compute_features

GOLDEN = REPO_ROOT / "test" / "fixtures" / "golden" / "features.json"


def _num(v):
    return float(v) if isinstance(v, str) else v


@pytest.fixture(scope="module")
def golden():
    with open(GOLDEN) as f:
        return json.load(f)


def test_golden_vectors_bit_exact(golden):
    layout = golden["layout"]
    p = golden["params"]
    assert len(golden["cases"]) >= 12
    for case in golden["cases"]:
        pts = [[_num(a) for a in pt] for pt in case["points"]]
        args = (pts, _num(case["width"]), _num(case["height"]), layout)
        kw = dict(max_frames=p["maxFrames"], prox_scale=p["proxScale"], dt_cap_ms=p["dtCapMs"])
        if "error" in case:
            with pytest.raises(FeatureError) as e:
                compute_features(*args, **kw)
            assert e.value.code == case["error"], case["name"]
            continue
        f = compute_features(*args, **kw)
        exp = np.asarray(case["features"], dtype=np.float64)
        assert f.dtype == np.float32 and f.shape == (case["n"], 35), case["name"]
        assert np.array_equal(f.astype(np.float64), exp), case["name"]
        # the stored float64 text is exactly a float32 value
        assert np.array_equal(exp.astype(np.float32).astype(np.float64), exp)


def test_deterministic_and_layout_from_shared():
    layout = load_layout()
    pts = [[10 + i * 3.5, 40 + (i % 5), i * 16] for i in range(80)]
    a = compute_features(pts, 360, 215, layout)
    b = compute_features(pts, 360, 215, layout)
    assert np.array_equal(a, b)


def test_error_and_edge_cases():
    layout = load_layout()
    with pytest.raises(FeatureError) as e:
        compute_features([], 360, 215, layout)
    assert e.value.code == "empty-trace"
    with pytest.raises(FeatureError) as e:
        compute_features([[math.nan, 1, 0], [1, math.inf, 2]], 360, 215, layout)
    assert e.value.code == "empty-trace"
    for w, h in [(0, 215), (360, -1), (math.nan, 215), (360, math.inf), (None, 215)]:
        with pytest.raises(FeatureError) as e:
            compute_features([[1, 2, 0]], w, h, layout)
        assert e.value.code == "bad-size"
    with pytest.raises(FeatureError) as e:
        compute_features([[1, 2, 0]], 360, 215, {"keys": [{"key": "1", "x": .5, "y": .5, "width": .1, "height": .1}]})
    assert e.value.code == "bad-layout"
    one = compute_features([[100, 50, 0]], 360, 215, layout)
    assert one.shape == (1, 35) and np.all(one[0, 2:8] == 0)
    nan = compute_features([[1, 2, 0], [math.nan, 3, 4], [5, 6, 7]], 360, 215, layout)
    assert nan.shape == (2, 35) and np.isfinite(nan).all()
    many = compute_features([[i % 360, (i * 7) % 215, i] for i in range(10000)], 360, 215, layout)
    assert many.shape == (200, 35)
    off = compute_features([[-5000, -5000, 0], [9000, 9000, 10]], 360, 215, layout)
    assert off[0, 0] == -0.5 and off[0, 1] == -0.5 and off[1, 0] == 1.5 and off[1, 1] == 1.5
    assert np.isfinite(off).all()
    # time made non-decreasing, dt capped at 200 ms
    f = compute_features([[0, 0, 100], [1, 1, 50], [2, 2, 5000]], 360, 215, layout)
    assert f[1, 6] == 0 and f[2, 6] == np.float32(2.0)
    # apostrophe has no key on qwerty -> proximity 0
    assert np.all(f[:, 8 + 26] == 0)
