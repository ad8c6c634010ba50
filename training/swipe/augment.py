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
