"""Confusable words for the word-discrimination loss (train.py `disc_weight`).

The beam search ranks lexicon words by acoustic + λ·log prior, but RNN-T training only raises the
target's likelihood; it never sees the words the search confuses it with. Those are, above all,
words whose key-centre paths look alike: the same first letter and a nearby path. This module
finds them from the layout alone: each word's key-centre polyline resampled to P points (key
units), then the words of the lexicon with the same first letter whose resampled paths are
closest in mean point distance.
"""

from __future__ import annotations

import numpy as np

from .rescore import Geometry, resample

POINTS = 24


def _path(geo: Geometry, word: str) -> np.ndarray:
    """The word's key-centre polyline resampled to POINTS points (key units), as (POINTS, 2)."""
    return np.asarray(resample(geo.template(word), POINTS), dtype=np.float64)


class Confusables:
    """For a word, the `k` lexicon words (same first letter, not the word itself) whose key paths
    are closest; computed on first use and kept."""

    def __init__(self, lexicon: dict[str, float], layout: dict, k: int = 8):
        self.k = k
        self.geo = Geometry(layout)
        by_first: dict[str, list[str]] = {}
        for w in lexicon:
            if w and all(ch in self.geo.centre for ch in w):
                by_first.setdefault(w[0], []).append(w)
        self.words = by_first
        self.paths = {c: np.stack([_path(self.geo, w) for w in ws]) for c, ws in by_first.items()}
        self.cache: dict[str, list[str]] = {}

    def __call__(self, word: str) -> list[str]:
        hit = self.cache.get(word)
        if hit is not None:
            return hit
        out: list[str] = []
        c = word[:1]
        if c in self.paths and all(ch in self.geo.centre for ch in word):
            me = _path(self.geo, word)
            d = np.sqrt(((self.paths[c] - me[None]) ** 2).sum(2)).mean(1)
            for i in np.argsort(d, kind="stable"):
                w = self.words[c][int(i)]
                if w != word:
                    out.append(w)
                if len(out) == self.k:
                    break
        self.cache[word] = out
        return out
