"""A tiny random RNN-T decoder, its exact word log-probability and a lexicon shared by the beam-search and rescoring tests."""

import math

import numpy as np

from swipe.beam_search import log_add, log_softmax64
from swipe.lexicon import LETTERS
from swipe.vocab import BLANK, V


class ToyDecoder:
    """A random numpy 'predictor + joint' with the step interface (L=1, Hd=5, D=3)."""

    blank = BLANK

    def __init__(self, seed=0, scale=2.0):
        r = np.random.default_rng(seed)
        self.E = r.normal(size=(V, 5)).astype(np.float32)
        self.Wh = r.normal(size=(5, 5)).astype(np.float32) * 0.5
        self.Wo = r.normal(size=(5, V)).astype(np.float32) * scale
        self.We = r.normal(size=(3, V)).astype(np.float32) * scale
        self.calls = 0

    def initial_state(self):
        return np.zeros((1, 5), np.float32), np.zeros((1, 5), np.float32)

    def step(self, y, h, c, enc_t):
        self.calls += 1
        h1 = np.tanh(self.E[y] + h[0] @ self.Wh).astype(np.float32)[None]
        c1 = (c + 1.0).astype(np.float32)
        logits = (h1[0] @ self.Wo + enc_t @ self.We).astype(np.float32)
        return logits, h1, c1

    # the split interface of swipe-beam-v2: pred = h1, enc_proj = enc, the same logits
    def predict(self, y, h, c):
        self.calls += 1
        h1 = np.tanh(self.E[y] + h[0] @ self.Wh).astype(np.float32)[None]
        c1 = (c + 1.0).astype(np.float32)
        return h1[0], h1, c1

    def joint_enc(self, enc):
        return np.asarray(enc, np.float32).astype(np.float64)

    def joint_logits(self, enc_proj_t, pred):
        e = enc_proj_t.astype(np.float32)[None]
        return (pred @ self.Wo + e @ self.We).astype(np.float32).astype(np.float64)


def word_logprob(dec, enc, word):
    """Exact log P(word | enc) by the RNN-T forward DP (no per-frame symbol cap)."""
    ids = [LETTERS.index(ch) for ch in word]
    U, T = len(ids), enc.shape[0]
    # states and logp at (t, u): predictor fed with prefix ids[:u]
    h, c = dec.initial_state()
    states, y = [], BLANK
    for u in range(U + 1):
        states.append((y, h, c))
        if u < U:
            _, h1, c1 = dec.step(np.array([y]), h[:, None], c[:, None], enc[:1])
            h, c, y = h1[:, 0], c1[:, 0], ids[u]
    lp = np.empty((T, U + 1, V))
    for t in range(T):
        for u in range(U + 1):
            y, h, c = states[u]
            logits, _, _ = dec.step(np.array([y]), h[:, None], c[:, None], enc[t][None])
            lp[t, u] = log_softmax64(logits)[0]
    a = np.full((T, U + 1), -math.inf)
    a[0, 0] = 0.0
    for t in range(T):
        for u in range(U + 1):
            if t == 0 and u == 0:
                continue
            x = -math.inf
            if t > 0:
                x = log_add(x, a[t - 1, u] + lp[t - 1, u, BLANK])
            if u > 0:
                x = log_add(x, a[t, u - 1] + lp[t, u - 1, ids[u - 1]])
            a[t, u] = x
    return a[T - 1, U] + lp[T - 1, U, BLANK]


WORDS = [("a", -1.0), ("ab", -2.0), ("abc", -2.5), ("b", -1.5), ("ba", -3.0), ("cab", -2.2),
         ("c", -4.0), ("bb", -2.8)]
