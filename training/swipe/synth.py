"""Synthetic swipe traces for any word on any layout.

A trace is generated as a human-like path through the word's key centres:
  * per-writer constants: touch offset (people land slightly below / beside the centre),
    speed, smoothness (corner cutting), sampling rate;
  * per-key gaussian target noise around (centre + writer offset);
  * repeated letters: a small loop or a pause on the key;
  * per-segment minimum-jerk-like speed profile blended with constant speed, so the finger
    slows down at corners but does not stop; segment durations grow with distance (Fitts-like);
  * Gaussian smoothing of the sampled path (corner cutting), overshoot/undershoot at the end,
    a short dwell at the start;
  * sampling at 40-100 Hz with timing jitter, integer pixels and milliseconds (like HWS);
  * a global affine distortion (rotation, shear, scale) about the path centre, plus jitter.
Deterministic for a given numpy Generator / seed.
"""

from __future__ import annotations

import numpy as np

# Keyboard sizes (W, H) seen in HWS (a few representative ones, used when none are given).
DEFAULT_SIZES = [(360, 215), (412, 240), (393, 228), (375, 220), (320, 190), (414, 245), (390, 180),
                 (768, 300), (800, 260), (360, 280)]


def key_centres(layout: dict) -> dict:
    return {k["key"]: (float(k["x"]), float(k["y"]), float(k["width"]), float(k["height"]))
            for k in layout["keys"]}


def _min_jerk(tau):
    return tau * tau * tau * (10.0 - 15.0 * tau + 6.0 * tau * tau)


def _gauss_smooth(a: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0.3 or len(a) < 3:
        return a
    r = int(np.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    pad = np.pad(a, ((r, r), (0, 0)), mode="edge")
    return np.stack([np.convolve(pad[:, j], k, mode="valid") for j in range(a.shape[1])], axis=1)


def synth_trace(word: str, layout: dict, rng: np.random.Generator, width: float | None = None,
                height: float | None = None, sizes=None, centres=None) -> dict:
    """One synthetic trace {'word','points','width','height','synthetic': True}.
    Raises KeyError if a letter has no key on the layout."""
    centres = centres or key_centres(layout)
    if width is None or height is None:
        sizes = sizes or DEFAULT_SIZES
        width, height = sizes[int(rng.integers(len(sizes)))]
    W, H = float(width), float(height)
    keys = [centres[ch] for ch in word]
    kwp = np.mean([k[2] for k in keys]) * W  # key size in pixels
    khp = np.mean([k[3] for k in keys]) * H

    # --- writer constants
    off = np.array([rng.normal(0.0, 0.12) * kwp, rng.normal(0.08, 0.1) * khp])
    tnoise = rng.uniform(0.12, 0.3)  # per-key target noise (key units)
    speed = rng.lognormal(-0.3, 0.35)  # >1: faster (HWS dev median ~0.94 s per word)
    hz = rng.uniform(40, 100)
    smooth_ms = rng.uniform(15, 60)  # corner cutting strength (gaussian sigma in ms)
    alpha = rng.uniform(0.3, 0.9)  # how much the speed drops at each key

    # --- target points
    tg = []
    for i, (cx, cy, kw, kh) in enumerate(keys):
        p = np.array([cx * W, cy * H]) + off + rng.normal(0.0, tnoise, 2) * np.array([kwp, khp])
        if i > 0 and word[i] == word[i - 1]:
            # repeated letter: small loop (two extra waypoints) or a pause on the key
            if rng.random() < 0.5:
                ang = rng.uniform(0, 2 * np.pi)
                rad = rng.uniform(0.2, 0.45) * kwp
                prev = tg[-1][0]
                tg.append((prev + rad * np.array([np.cos(ang), np.sin(ang)]), 0.0))
                tg.append((prev + rad * np.array([np.cos(ang + 2.1), np.sin(ang + 2.1)]), 0.0))
                tg.append((prev + rng.normal(0, 0.08, 2) * kwp, 0.0))
            else:
                tg[-1] = (tg[-1][0], tg[-1][1] + rng.uniform(80, 250))
            continue
        tg.append((p, 0.0))
    pts = np.array([p for p, _ in tg])
    dwell = np.array([d for _, d in tg])

    # --- end overshoot / undershoot along the last direction
    if len(pts) >= 2:
        d = pts[-1] - pts[-2]
        nd = np.linalg.norm(d)
        if nd > 1e-6:
            pts[-1] = pts[-1] + d / nd * rng.normal(0.05, 0.15) * kwp

    # --- timing
    if len(pts) == 1:
        # a tap or a tiny drag on one key
        n = int(rng.integers(2, 12))
        dur = rng.uniform(40, 250)
        t = np.sort(rng.uniform(0, dur, n))
        t[0] = 0.0
        drift = rng.normal(0, 0.08, 2) * kwp
        xy = pts[0] + np.outer(t / max(dur, 1.0), drift) + rng.normal(0, 0.6, (n, 2))
    else:
        seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
        seg_ms = (40.0 + 55.0 * np.maximum(seg / kwp, 0.05) ** 0.6) / speed
        # knots with dwell
        start_dwell = rng.uniform(0, 120)
        times = [0.0, start_dwell]
        knots = [pts[0], pts[0]]
        for i in range(len(seg)):
            if dwell[i] > 0:
                times.append(times[-1] + dwell[i])
                knots.append(pts[i])
            times.append(times[-1] + seg_ms[i] * rng.uniform(0.85, 1.15))
            knots.append(pts[i + 1])
        end_dwell = rng.uniform(0, 80)
        times.append(times[-1] + end_dwell)
        knots.append(pts[-1])
        times = np.array(times)
        knots = np.array(knots)
        total = times[-1]
        # sampling times with jitter
        dt = 1000.0 / hz
        nt = max(2, int(total / dt) + 1)
        ts = np.cumsum(np.concatenate([[0.0], dt * rng.uniform(0.6, 1.4, nt - 1)]))
        ts = ts[ts <= total]
        if ts[-1] < total:
            ts = np.append(ts, total)
        # evaluate: per segment blend of min-jerk and linear progress
        idx = np.clip(np.searchsorted(times, ts, side="right") - 1, 0, len(times) - 2)
        span = np.maximum(times[idx + 1] - times[idx], 1e-9)
        tau = np.clip((ts - times[idx]) / span, 0, 1)
        prog = alpha * _min_jerk(tau) + (1 - alpha) * tau
        xy = knots[idx] + (knots[idx + 1] - knots[idx]) * prog[:, None]
        t = ts
        # corner cutting
        xy = _gauss_smooth(xy, smooth_ms / dt)
        xy = xy + rng.normal(0, 0.7, xy.shape)

    # --- global distortion about the path centre
    c = xy.mean(axis=0)
    rot = np.deg2rad(rng.normal(0, 3.0))
    sh = rng.normal(0, 0.06)
    sc = rng.uniform(0.9, 1.1, 2)
    A = np.array([[np.cos(rot), -np.sin(rot)], [np.sin(rot), np.cos(rot)]]) @ np.array([[1, sh], [0, 1]])
    A = A * sc[None, :]
    xy = (xy - c) @ A.T + c
    xy = np.round(xy)
    t = np.round(t - t[0])
    t = np.maximum.accumulate(t)
    points = [[float(x), float(y), float(tt)] for (x, y), tt in zip(xy, t)]
    return {"word": word, "points": points, "width": W, "height": H, "synthetic": True}


class LexiconSampler:
    """Samples words from a count list with probability proportional to count ** power
    (power < 1 flattens the Zipf curve so rare words are seen too)."""

    def __init__(self, word_counts, power: float = 0.3, top: int = 50000, allowed=None):
        words, counts = [], []
        for w, c in word_counts[:top]:
            if allowed is not None and not allowed(w):
                continue
            words.append(w)
            counts.append(c)
        self.words = words
        p = np.asarray(counts, dtype=np.float64) ** power
        self.cdf = np.cumsum(p / p.sum())

    def sample(self, rng: np.random.Generator) -> str:
        return self.words[min(int(np.searchsorted(self.cdf, rng.random())), len(self.words) - 1)]
