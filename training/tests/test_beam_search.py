import itertools
import math

import numpy as np
import pytest

from swipe.beam_search import BeamConfig, beam_search, greedy_search, log_add, log_softmax64
from swipe.lexicon import LETTERS, Lexicon
from swipe.vocab import BLANK, V
from toy_decoder import WORDS, ToyDecoder, word_logprob


@pytest.mark.parametrize("seed,T,lam", [(0, 3, 0.0), (1, 4, 0.7), (2, 2, 1.3)])
def test_equals_exhaustive_on_tiny_lexicon(seed, T, lam):
    dec = ToyDecoder(seed)
    enc = np.random.default_rng(seed + 10).normal(size=(T, 3)).astype(np.float32)
    lex = Lexicon(WORDS)
    cfg = BeamConfig(beam=10_000, prune=V, max_symbols_per_frame=10, prior_weight=lam, top_k=100)
    got = beam_search(dec, enc, lex, cfg)
    want = sorted(((w, word_logprob(dec, enc, w) + lam * lp) for w, lp in WORDS),
                  key=lambda e: (-e[1], e[0]))
    assert [w for w, _ in got] == [w for w, _ in want]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=0, atol=1e-5)  # float32 batched vs unbatched matmul


def test_only_lexicon_words_and_topk():
    dec = ToyDecoder(3)
    lex = Lexicon(WORDS)
    enc = np.random.default_rng(5).normal(size=(6, 3)).astype(np.float32)
    for beam, prune in [(1, 1), (2, 2), (4, 3), (16, 6)]:
        got = beam_search(dec, enc, lex, BeamConfig(beam=beam, prune=prune, top_k=3))
        assert len(got) <= 3
        assert all(w in lex for w, _ in got)
        assert len({w for w, _ in got}) == len(got)
        scores = [s for _, s in got]
        assert scores == sorted(scores, reverse=True)


def test_empty_and_one_frame():
    dec = ToyDecoder(4)
    lex = Lexicon(WORDS)
    assert beam_search(dec, np.zeros((0, 3), np.float32), lex) == []
    one = beam_search(dec, np.ones((1, 3), np.float32), lex, BeamConfig(top_k=8))
    assert all(w in lex for w, _ in one) and len(one) > 0
    assert greedy_search(dec, np.zeros((0, 3), np.float32)) == ""


def test_symbol_cap_and_bonus():
    dec = ToyDecoder(6)
    lex = Lexicon(WORDS)
    enc = np.random.default_rng(7).normal(size=(1, 3)).astype(np.float32)
    # With 1 symbol per frame and 1 frame, only one-letter words are reachable.
    got = beam_search(dec, enc, lex, BeamConfig(beam=50, prune=28, max_symbols_per_frame=1,
                                               top_k=10))
    assert {w for w, _ in got} <= {"a", "b", "c"}
    base = dict(beam_search(dec, enc, lex, BeamConfig(top_k=10)))
    boosted = dict(beam_search(dec, enc, lex, BeamConfig(top_k=10),
                               bonus=lambda w: 5.0 if w == "c" else 0.0))
    assert boosted["c"] == pytest.approx(base["c"] + 5.0)


def test_log_softmax64():
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]], np.float32)
    y = log_softmax64(x)
    assert y.dtype == np.float64
    np.testing.assert_allclose(np.exp(y).sum(1), 1.0, atol=1e-12)
    assert y[1, 0] == 0.0 and y[1, 2] == -2000.0


def test_greedy_only_tokens():
    dec = ToyDecoder(8, scale=0.5)
    enc = np.random.default_rng(9).normal(size=(5, 3)).astype(np.float32)
    s = greedy_search(dec, enc, max_symbols_per_frame=3)
    assert len(s) <= 15 and set(s) <= set(LETTERS)


def test_predictor_once_per_prefix_and_joint64():
    """swipe-beam-v2: each prefix is predicted once per trace; joint_enc64/joint_out64 match
    a direct float64 computation."""
    from swipe.beam_search import joint_enc64, joint_out64

    dec = ToyDecoder(11)
    seen = []
    inner = dec.predict

    def spy(y, h, c):
        for i in range(len(y)):
            seen.append((int(y[i]), h[:, i].tobytes()))
        return inner(y, h, c)

    dec.predict = spy
    enc = np.random.default_rng(12).normal(size=(7, 3)).astype(np.float32)
    beam_search(dec, enc, Lexicon(WORDS), BeamConfig(beam=8, prune=4))
    assert len(seen) == len(set(seen)) > 1
    r = np.random.default_rng(13)
    we, be = r.normal(size=(4, 3)).astype(np.float32), r.normal(size=4).astype(np.float32)
    wo, bo = r.normal(size=(5, 4)).astype(np.float32), r.normal(size=5).astype(np.float32)
    ep = joint_enc64(we, be, enc)
    np.testing.assert_allclose(ep, enc.astype(np.float64) @ we.T.astype(np.float64) + be, atol=1e-12)
    pp = r.normal(size=(2, 4)).astype(np.float32)
    lo = joint_out64(wo, bo, ep[3], pp)
    want = np.tanh(ep[3][None] + pp.astype(np.float64)) @ wo.T.astype(np.float64) + bo
    np.testing.assert_allclose(lo, want, atol=1e-12)
    assert lo.dtype == np.float64 and lo.shape == (2, 5)


def test_floor_margin_config_and_cli_value():
    from swipe.beam_search import floor_margin_arg

    assert "floorMargin" not in BeamConfig().to_manifest()
    assert BeamConfig(floor_margin=2.0).to_manifest()["floorMargin"] == 2.0
    assert "floorMargin" not in BeamConfig(floor_margin=math.inf).to_manifest()
    for bad in (-1.0, math.nan):
        with pytest.raises(ValueError, match="floor_margin"):
            BeamConfig(floor_margin=bad).validate()
    assert floor_margin_arg("off") is None and floor_margin_arg(None) is None
    assert floor_margin_arg("inf") is None and floor_margin_arg("2") == 2.0
    with pytest.raises(ValueError):
        floor_margin_arg("-3")


def _big_lexicon(seed):
    r = np.random.default_rng(seed)
    words = {"".join(r.choice(list("abcdef"), size=int(r.integers(1, 6)))) for _ in range(400)}
    return Lexicon([(w, float(-r.uniform(1, 9))) for w in sorted(words)])


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_floor_pruning_keeps_the_ranking_and_cuts_the_work(seed):
    """swipe-beam-v3: a huge margin is v2 exactly; δ = 2 gives v2's words in v2's order here
    with far fewer joint rows (the symbol loop stops once no letter can reach the beam)."""
    dec = ToyDecoder(20 + seed, scale=3.0)
    lex = _big_lexicon(seed)
    enc = np.random.default_rng(30 + seed).normal(size=(9, 3)).astype(np.float32)
    base = dict(beam=6, prune=4, max_symbols_per_frame=20, prior_weight=0.5, top_k=4)
    s2, s_huge, s_floor = {}, {}, {}
    v2 = beam_search(dec, enc, lex, BeamConfig(**base), stats=s2)
    huge = beam_search(dec, enc, lex, BeamConfig(**base, floor_margin=1e9), stats=s_huge)
    v3 = beam_search(dec, enc, lex, BeamConfig(**base, floor_margin=2.0), stats=s_floor)
    assert huge == v2 and s_huge == s2
    assert [w for w, _ in v3] == [w for w, _ in v2]
    # only alignments far below the beam are left out of the log-add sums
    np.testing.assert_allclose([s for _, s in v3], [s for _, s in v2], rtol=0, atol=1e-3)
    assert s_floor["joint_rows"] < 0.7 * s2["joint_rows"]
