"""Augmentation of real traces: small affine distortion (rotation, scale, shear, translation),
monotone time warp, point dropout and positional jitter. Operates on raw points so the
features are recomputed from the augmented trace exactly as at inference."""

from __future__ import annotations

import numpy as np


def augment_trace(trace: dict, rng: np.random.Generator, strength: float = 1.0,
                  key_w: float = 0.1, key_h: float = 0.27027) -> dict:
    pts = np.asarray(trace["points"], dtype=np.float64)
    W, H = float(trace["width"]), float(trace["height"])
    xy = pts[:, :2].copy()
    t = pts[:, 2].copy()
    n = len(pts)
    s = strength
    # affine about the path centre
    c = xy.mean(axis=0)
    rot = np.deg2rad(rng.normal(0, 2.5 * s))
    sh = rng.normal(0, 0.05 * s)
    sc = 1.0 + rng.normal(0, 0.05 * s, 2)
    A = np.array([[np.cos(rot), -np.sin(rot)], [np.sin(rot), np.cos(rot)]]) @ np.array([[1, sh], [0, 1]])
    A = A * sc[None, :]
    xy = (xy - c) @ A.T + c
    xy += np.array([rng.normal(0, 0.12 * s) * key_w * W, rng.normal(0, 0.1 * s) * key_h * H])
    xy += rng.normal(0, 0.6 * s, xy.shape)
    # time warp: t -> T * g(t / T) with g monotone (piecewise-linear with random slopes)
    T = t[-1] - t[0]
    if T > 0:
        k = 4
        slopes = np.exp(rng.normal(0, 0.25 * s, k))
        knots = np.concatenate([[0.0], np.cumsum(slopes)])
        knots /= knots[-1]
        g = np.interp((t - t[0]) / T, np.linspace(0, 1, k + 1), knots)
        speed = np.exp(rng.normal(0, 0.15 * s))
        t = t[0] + g * T * speed
    # point dropout (keep the first and last)
    if n > 4:
        p = rng.uniform(0, 0.25 * s)
        keep = rng.random(n) >= p
        keep[0] = keep[-1] = True
        xy, t = xy[keep], t[keep]
    out = dict(trace)
    out["points"] = np.column_stack([xy, np.round(t)]).tolist()
    return out


def sloppy_trace(trace: dict, rng: np.random.Generator, key_w: float = 0.1,
                 key_h: float = 0.27027) -> dict:
    """Make a real trace follow its word less closely, the way a fifth of the dev traces do
    (swipe.error_analysis's "sloppy" stratum: start or end more than a key width from the
    word's first or last key, or passing more than a key width from one of its letters). Each
    of three distortions is applied with probability 1/2 (at least one always):

    - corner cutting: the path smoothed along its points with a Gaussian of 1 .. 6 % of the
      point count (at least 1 point), ends padded with their own value so they pull inwards;
    - late start / early finish: up to 12 % of the points dropped at each end (at least 60 %
      and 2 points kept);
    - drift: a smooth displacement (two low-frequency sinusoids over the trace's time) of up
      to ~0.35 key widths / heights, as a hand wandering off the keys mid-word.
    """
    pts = np.asarray(trace["points"], dtype=np.float64)
    W, H = float(trace["width"]), float(trace["height"])
    xy, t = pts[:, :2].copy(), pts[:, 2].copy()
    n = len(pts)
    picks = rng.random(3) < 0.5
    if not picks.any():
        picks[int(rng.integers(3))] = True
    if picks[0] and n >= 5:
        sigma = max(1.0, rng.uniform(0.01, 0.06) * n)
        r = int(np.ceil(3 * sigma))
        k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
        k /= k.sum()
        padded = np.pad(xy, ((r, r), (0, 0)), mode="edge")
        xy = np.column_stack([np.convolve(padded[:, j], k, mode="valid") for j in range(2)])
    if picks[1] and n >= 5:
        max_cut = int(0.12 * n)
        a, b = (int(v) for v in rng.integers(0, max_cut + 1, 2))
        while n - a - b < max(2, int(np.ceil(0.6 * n))) and (a or b):
            a, b = a // 2, b // 2
        xy, t = xy[a: n - b], t[a: n - b]
    if picks[2] and len(t) >= 2:
        span = t[-1] - t[0]
        u = (t - t[0]) / span if span > 0 else np.linspace(0, 1, len(t))
        for axis, size in ((0, key_w * W), (1, key_h * H)):
            for freq in (rng.uniform(0.5, 1.0), rng.uniform(1.0, 2.0)):
                amp = rng.normal(0, 0.18) * size
                xy[:, axis] += amp * np.sin(2 * np.pi * freq * u + rng.uniform(0, 2 * np.pi))
    out = dict(trace)
    out["points"] = np.column_stack([xy, t]).tolist()
    return out
