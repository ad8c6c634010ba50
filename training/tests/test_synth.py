import numpy as np

from swipe.augment import augment_trace
from swipe.data import load_layout
from swipe.features import compute_features
from swipe.synth import key_centres, synth_trace

WORDS = ["the", "hello", "committee", "a", "zoom", "swipe", "keyboard", "ill", "aaa", "qwertyuiop"]


def test_deterministic():
    layout = load_layout()
    a = [synth_trace(w, layout, np.random.default_rng(7)) for w in WORDS]
    b = [synth_trace(w, layout, np.random.default_rng(7)) for w in WORDS]
    assert a == b
    c = synth_trace("hello", layout, np.random.default_rng(8))
    assert c != a[1]


def test_starts_and_ends_near_keys_and_valid():
    layout = load_layout()
    cen = key_centres(layout)
    rng = np.random.default_rng(0)
    for w in WORDS:
        for _ in range(20):
            tr = synth_trace(w, layout, rng)
            p = np.asarray(tr["points"], dtype=float)
            W, H = tr["width"], tr["height"]
            assert len(p) >= 2 and np.all(np.diff(p[:, 2]) >= 0)
            for pt, ch in ((p[-1], w[-1]), (p[0], w[0])):
                cx, cy, kw, kh = cen[ch]
                dx = (pt[0] / W - cx) / kw
                dy = (pt[1] / H - cy) / kh
                assert abs(dx) < 1.6 and abs(dy) < 1.6, (w, ch, dx, dy)
            f = compute_features(tr["points"], W, H, layout)
            assert np.isfinite(f).all()


def test_augment_deterministic_and_valid():
    layout = load_layout()
    tr = synth_trace("keyboard", layout, np.random.default_rng(1))
    a = augment_trace(tr, np.random.default_rng(3))
    b = augment_trace(tr, np.random.default_rng(3))
    assert a["points"] == b["points"]
    p = np.asarray(a["points"])
    assert np.all(np.diff(p[:, 2]) >= 0) and len(p) >= 2
    assert np.isfinite(compute_features(a["points"], a["width"], a["height"], layout)).all()


def test_sloppy_deterministic_valid_and_less_faithful():
    from swipe.augment import sloppy_trace
    from swipe.error_analysis import fidelity, is_sloppy
    layout = load_layout()
    rng = np.random.default_rng(5)
    traces = [dict(synth_trace(w, layout, rng), word=w) for w in WORDS for _ in range(30)]
    a = sloppy_trace(traces[4], np.random.default_rng(3))
    assert a["points"] == sloppy_trace(traces[4], np.random.default_rng(3))["points"]
    assert a["points"] != traces[4]["points"]
    before = after = 0
    for tr in traces:
        s = sloppy_trace(tr, rng)
        p = np.asarray(s["points"])
        assert len(p) >= 2 and np.all(np.diff(p[:, 2]) >= 0)
        assert len(p) >= 0.6 * len(tr["points"]) or len(tr["points"]) < 5
        assert np.isfinite(compute_features(s["points"], s["width"], s["height"], layout)).all()
        before += is_sloppy(fidelity(tr, layout))
        after += is_sloppy(fidelity({**tr, **s}, layout))
    # the distortions must move paths off their letters (measured: see training/README)
    assert after >= before + 0.1 * len(traces), (before, after)
    one = sloppy_trace({"points": [[10.0, 10.0, 0.0]], "width": 400, "height": 150}, rng)
    assert len(one["points"]) == 1
