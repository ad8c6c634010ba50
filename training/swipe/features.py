"""Reference implementation of training/FEATURES.md (`swipe-features-v1`).

All arithmetic is IEEE-754 float64 in the order of the spec (numpy element-wise ops are
correctly rounded and never fused), rounded to float32 once at the end. The TypeScript
engine reproduces the golden vectors written by `write_golden` bit for bit.

Error precedence (when several apply): bad-size, then bad-layout, then empty-trace.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

SPEC = "swipe-features-v1"
NUM_FEATURES = 35
PROX_TOKENS = "abcdefghijklmnopqrstuvwxyz'"


class FeatureError(ValueError):
    """A trace the features cannot be computed for. `code` is one of
    'empty-trace', 'bad-size', 'bad-layout'."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code


def _finite_number(v) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _size_ok(v) -> bool:
    f = _finite_number(v)
    return f is not None and f > 0


def layout_constants(layout: dict):
    """(kw, kh, key table (27, 4) float64 [cx, cy, w, h], present mask (27,) bool)."""
    keys = layout.get("keys") if isinstance(layout, dict) else None
    if not keys:
        raise FeatureError("bad-layout", "layout has no keys")
    letters = [k for k in keys if isinstance(k, dict) and isinstance(k.get("key"), str)
               and len(k["key"]) == 1 and "a" <= k["key"] <= "z"]
    if not letters:
        raise FeatureError("bad-layout", "layout without any letter key")
    sw = 0.0
    sh = 0.0
    for k in letters:  # sum in the order of keys[], then divide by the count
        sw += float(k["width"])
        sh += float(k["height"])
    kw = sw / len(letters)
    kh = sh / len(letters)
    table = np.zeros((len(PROX_TOKENS), 4), dtype=np.float64)
    present = np.zeros(len(PROX_TOKENS), dtype=bool)
    for k in keys:
        if not isinstance(k, dict):
            continue
        name = k.get("key")
        if isinstance(name, str) and len(name) == 1 and name in PROX_TOKENS:
            idx = PROX_TOKENS.index(name)
            if not present[idx]:  # first entry for a token wins
                table[idx] = [float(k["x"]), float(k["y"]), float(k["width"]), float(k["height"])]
                present[idx] = True
    return kw, kh, table, present


def clean_points(points):
    """Step 1: finite points only, time made non-decreasing. Returns (x, y, t) float64 arrays."""
    xs, ys, ts = [], [], []
    for p in points if points is not None else []:
        if not isinstance(p, (list, tuple)) or len(p) < 3:
            continue
        x, y, t = _finite_number(p[0]), _finite_number(p[1]), _finite_number(p[2])
        if x is None or y is None or t is None:
            continue
        xs.append(x)
        ys.append(y)
        ts.append(t)
    if not xs:
        raise FeatureError("empty-trace", "no finite point")
    t = np.maximum.accumulate(np.asarray(ts, dtype=np.float64))
    return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64), t


def compute_features(points, width, height, layout, max_frames: int = 200, prox_scale: float = 4,
                     dt_cap_ms: float = 200, _layout_consts=None) -> np.ndarray:
    """Features (n, 35) float32 of one trace, exactly per FEATURES.md."""
    if not _size_ok(width) or not _size_ok(height):
        raise FeatureError("bad-size", f"width={width!r} height={height!r}")
    W = float(width)
    H = float(height)
    kw, kh, table, present = _layout_consts if _layout_consts is not None else layout_constants(layout)
    x, y, t = clean_points(points)

    # 2. normalize + clamp
    u = np.minimum(np.maximum(x / W, -0.5), 1.5)
    v = np.minimum(np.maximum(y / H, -0.5), 1.5)

    # 3. resample
    N = u.shape[0]
    M = int(max_frames)
    if N > M:
        j = np.arange(M, dtype=np.float64)
        s = (j * float(N - 1)) / float(M - 1)
        i0f = np.floor(s)
        f = s - i0f
        i0 = i0f.astype(np.int64)
        i1 = np.minimum(i0 + 1, N - 1)
        u = u[i0] + (u[i1] - u[i0]) * f
        v = v[i0] + (v[i1] - v[i0]) * f
        t = t[i0] + (t[i1] - t[i0]) * f
    n = u.shape[0]

    out = np.zeros((n, NUM_FEATURES), dtype=np.float64)
    out[:, 0] = u
    out[:, 1] = v
    if n > 1:
        du = np.zeros(n)
        dv = np.zeros(n)
        du[1:] = (u[1:] - u[:-1]) / kw
        dv[1:] = (v[1:] - v[:-1]) / kh
        out[:, 2] = du
        out[:, 3] = dv
        out[1:, 4] = du[1:] - du[:-1]
        out[1:, 5] = dv[1:] - dv[:-1]
        out[1:, 6] = np.minimum(t[1:] - t[:-1], float(dt_cap_ms)) / 100.0
        out[:, 7] = np.arange(n, dtype=np.float64) / float(n - 1)
    S = float(prox_scale)
    for k in range(len(PROX_TOKENS)):
        if not present[k]:
            continue
        cx, cy, w, h = table[k]
        a = (u - cx) / w
        b = (v - cy) / h
        out[:, 8 + k] = 1.0 / (1.0 + S * (a * a + b * b))
    return out.astype(np.float32)


def features_of_trace(trace: dict, layout: dict, **kw) -> np.ndarray:
    return compute_features(trace["points"], trace["width"], trace["height"], layout, **kw)


# ---------------------------------------------------------------------------------------------
# Golden vectors for the TypeScript implementation

def _json_num(v):
    """Inputs: finite numbers as-is, non-finite as the strings 'NaN' / 'Infinity' / '-Infinity'."""
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def golden_cases(data_root=None) -> list[dict]:
    from .data import data_dir, load_traces

    root = data_dir(data_root)
    dev = load_traces(root / "hws" / "dev.jsonl.gz", limit=400)
    cases = []
    picked = [dev[0], dev[1], dev[7], dev[50]]
    # a long word and a 1-letter word from dev
    longest = max(dev, key=lambda t: len(t["word"]))
    one = next((t for t in dev if len(t["word"]) == 1), None)
    picked += [longest] + ([one] if one else [])
    for tr in picked:
        cases.append({"name": f"dev:{tr['id']}:{tr['word']}", "points": tr["points"],
                      "width": tr["width"], "height": tr["height"]})
    cases.append({"name": "single-point", "points": [[120, 40, 0]], "width": 360, "height": 215})
    cases.append({"name": "two-identical-points", "points": [[50.5, 60.5, 5], [50.5, 60.5, 5]],
                  "width": 360, "height": 215})
    cases.append({"name": "nan-points", "points": [[10, 20, 0], [float("nan"), 30, 10], [40, float("inf"), 20],
                                                   [60, 70, float("nan")], [80, 90, 40], [100, 95, 30],
                                                   [130.5, 100.25, 55]],
                  "width": 360, "height": 215})
    cases.append({"name": "off-keyboard", "points": [[-400, -300, 0], [-50, 20, 16], [180, 100, 33],
                                                     [500, 260, 50], [2000, 900, 700]],
                  "width": 360, "height": 215})
    # 10,000 deterministic points (integer arithmetic only)
    pts = []
    for i in range(10000):
        pts.append([(i * 37) % 360, (i * 53) % 215 + 0.5 * (i % 2), i * 3 + (i % 7)])
    cases.append({"name": "10000-points", "points": pts, "width": 360, "height": 215})
    for n in (200, 201):
        pts = [[20 + (i * 311) % 320 + 0.1 * (i % 10), 10 + (i * 97) % 190, i * 9 + (i % 4) * 2]
               for i in range(n)]
        cases.append({"name": f"{n}-points", "points": pts, "width": 412, "height": 240})
    cases.append({"name": "wide-keyboard-real-dev", "points": dev[3]["points"], "width": 1000.5,
                  "height": 301.25})
    # error cases
    cases.append({"name": "error-empty", "points": [], "width": 360, "height": 215})
    cases.append({"name": "error-all-nan", "points": [[float("nan"), 1, 0]], "width": 360, "height": 215})
    cases.append({"name": "error-bad-size", "points": [[1, 2, 0], [3, 4, 5]], "width": 0, "height": 215})
    cases.append({"name": "error-bad-size-nan", "points": [[1, 2, 0]], "width": 360, "height": float("nan")})
    return cases


def write_golden(out_path=None, data_root=None) -> Path:
    """Write test/fixtures/golden/features.json (deterministic)."""
    from .data import REPO_ROOT, data_dir, load_layout

    if out_path is None:
        out_path = REPO_ROOT / "test" / "fixtures" / "golden" / "features.json"
    out_path = Path(out_path)
    layout = load_layout(data_dir(data_root) / "layouts" / "qwerty.json")
    params = {"maxFrames": 200, "proxScale": 4, "dtCapMs": 200}
    out_cases = []
    for c in golden_cases(data_root):
        entry = {"name": c["name"],
                 "points": [[_json_num(float(a)) if isinstance(a, float) else a for a in p] for p in c["points"]],
                 "width": _json_num(c["width"]), "height": _json_num(c["height"])}
        try:
            feats = compute_features(c["points"], c["width"], c["height"], layout)
            entry["n"] = int(feats.shape[0])
            entry["features"] = [[float(x) for x in row] for row in feats]
        except FeatureError as e:
            entry["error"] = e.code
        out_cases.append(entry)
    doc = {
        "spec": SPEC,
        "params": params,
        "note": ("features: float32 values written as the shortest float64 repr that round-trips; "
                 "Math.fround(parsed) must equal the TypeScript result exactly. Non-finite inputs are "
                 "written as the strings 'NaN'/'Infinity'/'-Infinity' (convert with Number()). "
                 "Error precedence: bad-size, bad-layout, empty-trace. "
                 "Regenerate: training/.venv/bin/python -m swipe.features --write-golden"),
        "layout": layout,
        "cases": out_cases,
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    tmp.replace(out_path)
    return out_path


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--write-golden", action="store_true")
    ap.add_argument("--out", default=None)
    ap.add_argument("--data-dir", default=None)
    a = ap.parse_args()
    if a.write_golden:
        print(write_golden(a.out, a.data_dir))
