import json
import math

import numpy as np
import pytest

from swipe.beam_search import BeamConfig, beam_search
from swipe.data import data_dir, load_layout
from swipe.features import FeatureError
from swipe.lexicon import Lexicon
from swipe.rescore import (Geometry, RescoreParams, distances, normalize_shape, parse_rescore_arg,
                           penalty_for_trace, prepare_trace, resample, write_golden)
from toy_decoder import WORDS, ToyDecoder


@pytest.fixture(scope="module")
def geo():
    return Geometry(load_layout(data_dir() / "layouts" / "qwerty.json"))


def spacing(q):
    return [math.dist(q[i], q[i - 1]) for i in range(1, len(q))]


def test_resample_keeps_ends_and_spaces_points_equally_by_arc_length():
    poly = [(0.0, 0.0), (3.0, 0.0), (3.0, 0.0), (3.0, 4.0)]  # with a repeated point
    r = resample(poly, 8)
    assert r[0] == (0.0, 0.0) and r[-1] == pytest.approx((3.0, 4.0))
    assert spacing(r) == pytest.approx([1.0] * 7)


def test_resample_of_a_point_or_a_zero_length_path_repeats_it():
    assert resample([(2.0, 1.0)], 5) == [(2.0, 1.0)] * 5
    assert resample([(2.0, 1.0), (2.0, 1.0)], 3) == [(2.0, 1.0)] * 3
    with pytest.raises(ValueError):
        resample([], 4)


def test_normalize_shape_centres_and_scales_big_shapes_but_never_magnifies():
    big = normalize_shape([(0.0, 0.0), (4.0, 0.0), (4.0, 2.0)])
    xs, ys = [p[0] for p in big], [p[1] for p in big]
    assert max(xs) - min(xs) == pytest.approx(1.0) and sum(xs) == pytest.approx(0.0)
    assert sum(ys) == pytest.approx(0.0)
    small = normalize_shape([(0.0, 0.0), (0.5, 0.0)])
    assert small == [(-0.25, 0.0), (0.25, 0.0)]


def test_a_trace_along_the_word_has_zero_distances_and_a_shifted_one_only_loc(geo):
    tpl = geo.template("tie")
    ts = prepare_trace(tpl, 48)
    assert distances(ts, tpl, 48) == pytest.approx((0.0, 0.0, 0.0), abs=1e-12)
    shifted = [(x + 0.3, y - 0.4) for x, y in tpl]
    loc, shape, ends = distances(prepare_trace(shifted, 48), tpl, 48)
    assert loc == pytest.approx(0.5) and shape == pytest.approx(0.0, abs=1e-12)
    assert ends == pytest.approx(1.0)


def test_penalty_prefers_the_word_whose_keys_the_trace_passes(geo):
    w, h = 360.0, 215.0
    pts = [[x * geo.kw * w, y * geo.kh * h, 10.0 * i] for i, (x, y) in enumerate(resample(geo.template("toe"), 30))]
    pen = penalty_for_trace(geo.trace(pts, w, h), geo, RescoreParams(loc=0.5, shape=16, ends=1))
    assert pen("toe") < pen("tie") < pen("zebra")
    assert pen("") == 0.0  # no keyed letter: unchanged


def test_letter_bonus_is_subtracted_per_letter_of_the_word(geo):
    w, h = 360.0, 215.0
    pts = [[x * geo.kw * w, y * geo.kh * h, 10.0 * i] for i, (x, y) in enumerate(resample(geo.template("there"), 30))]
    tr = geo.trace(pts, w, h)
    v1 = penalty_for_trace(tr, geo, RescoreParams(loc=0.7, shape=3.5, ends=0.3))
    v2 = penalty_for_trace(tr, geo, RescoreParams(loc=0.7, shape=3.5, ends=0.3, letter=0.95))
    for word in ("the", "there", "theresa", "'"):
        assert v2(word) == v1(word) - 0.95 * len(word)
    # the bonus narrows the gap a short prefix word keeps over the long word that was swiped
    assert v2("there") - v2("the") == pytest.approx(v1("there") - v1("the") - 2 * 0.95)


def test_beam_search_subtracts_the_penalty_before_ranking_and_cutting_top_k():
    lex = Lexicon(WORDS)
    dec = ToyDecoder(0)
    enc = np.random.default_rng(10).normal(size=(4, 3)).astype(np.float32)
    cfg = BeamConfig(beam=64, prune=28, max_symbols_per_frame=10, prior_weight=0.3, top_k=2)
    full = beam_search(dec, enc, lex, BeamConfig(beam=64, prune=28, max_symbols_per_frame=10,
                                                 prior_weight=0.3, top_k=100))
    assert len(full) >= 3
    last = full[-1][0]
    pen = {w: (0.0 if w == last else 100.0) for w, _ in full}
    got = beam_search(dec, enc, lex, cfg, penalty=lambda w: pen[w])
    assert got[0][0] == last  # the worst by the network, first after the penalty
    assert got[0][1] == pytest.approx(dict(full)[last])
    assert len(got) == 2


def test_params_validate_and_parse():
    with pytest.raises(ValueError):
        RescoreParams(points=1).validate()
    with pytest.raises(ValueError):
        RescoreParams(loc=-1).validate()
    with pytest.raises(ValueError):
        RescoreParams(shape=float("nan")).validate()
    assert parse_rescore_arg("off", {"points": 48, "loc": 1, "shape": 2, "ends": 3}) is None
    assert parse_rescore_arg(None, None) is None
    assert parse_rescore_arg(None, {"points": 32, "loc": 1, "shape": 2, "ends": 3}) == RescoreParams(32, 1, 2, 3)
    assert parse_rescore_arg(None, {"points": 32, "loc": 1, "shape": 2, "ends": 3, "letter": 0.5}) == RescoreParams(32, 1, 2, 3, 0.5)
    assert parse_rescore_arg("0.5,16,1") == RescoreParams(48, 0.5, 16.0, 1.0)
    assert parse_rescore_arg("loc=0.7,shape=3.5,ends=0.3,letter=0.95") == RescoreParams(48, 0.7, 3.5, 0.3, 0.95)
    p = RescoreParams(40, 0.7, 3.5, 0.3, 0.95)
    assert parse_rescore_arg(p.to_arg()) == p
    for bad in ("1,2", "loc=1,loc=2", "size=3", "letter=-1"):
        with pytest.raises(ValueError):
            parse_rescore_arg(bad)
    cfg = BeamConfig(rescore=RescoreParams(48, 0.5, 16, 1)).validate()
    assert cfg.to_manifest()["rescore"] == {"points": 48, "loc": 0.5, "shape": 16, "ends": 1, "letter": 0.0}
    assert cfg.spec == "swipe-beam-v4"


def test_bad_traces_give_the_feature_errors(geo):
    with pytest.raises(FeatureError, match="empty-trace"):
        geo.trace([[float("nan"), 1, 0]], 360, 215)
    with pytest.raises(FeatureError, match="bad-size"):
        geo.trace([[1, 2, 0]], 0, 215)


def test_golden_file_is_deterministic_and_matches_the_committed_one(tmp_path):
    from swipe.data import REPO_ROOT

    out = write_golden(tmp_path / "rescore.json")
    committed = REPO_ROOT / "test" / "fixtures" / "golden" / "rescore.json"
    assert json.loads(out.read_text()) == json.loads(committed.read_text())
