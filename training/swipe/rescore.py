"""Geometric rescoring of the beam's word list: BEAM_SEARCH.md, swipe-beam-v4 "Rescore".

The RNN-T scores a word by its letters; a swipe also has a *shape* (the polyline through the
word's key centres) and *ends* (where the finger lands first and last). SHARK2-style template
distances measure both, and subtracting them from the beam score reorders close candidates
that the network confuses (e.g. "tie" / "toe"). A per-letter bonus (v2) offsets the cost the
network pays for every emitted token, which otherwise favours a short word over the long one
that was swiped ("the" over "there"). The search itself is unchanged: only its final list is
reordered.

Every value is float64 from `+ - * /`, `sqrt`, `min`, `max` in the order written here (plain
Python floats, no numpy reductions), so the TypeScript port (src/engine/rescore.ts) computes
bit-identical distances.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from .features import PROX_TOKENS, FeatureError, _size_ok, clean_points, layout_constants

SPEC = "swipe-rescore-v2"

Point = tuple[float, float]


@dataclass(frozen=True)
class RescoreParams:
    """model.json `decoding.rescore`: weights (nats per key width) of the three distances, and
    the bonus (nats) per letter of the word; letter = 0 is swipe-rescore-v1."""

    points: int = 48
    loc: float = 0.0
    shape: float = 0.0
    ends: float = 0.0
    letter: float = 0.0

    def validate(self) -> "RescoreParams":
        if not isinstance(self.points, int) or isinstance(self.points, bool) or not 2 <= self.points <= 1024:
            raise ValueError(f"rescore.points = {self.points!r}: an integer 2..1024")
        for k in ("loc", "shape", "ends", "letter"):
            v = getattr(self, k)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
                raise ValueError(f"rescore.{k} = {v!r}: a finite number >= 0")
        return self

    def to_manifest(self) -> dict:
        return {"points": self.points, "loc": self.loc, "shape": self.shape, "ends": self.ends,
                "letter": self.letter}

    def to_arg(self) -> str:
        """The CLI --rescore value that gives these params back (parse_rescore_arg)."""
        return (f"loc={self.loc},shape={self.shape},ends={self.ends},letter={self.letter},"
                f"points={self.points}")

    @classmethod
    def from_manifest(cls, d) -> "RescoreParams | None":
        if d is None:
            return None
        if not isinstance(d, dict):
            raise ValueError("decoding.rescore is not an object")
        return cls(points=d.get("points", 48), loc=d.get("loc", 0.0), shape=d.get("shape", 0.0),
                   ends=d.get("ends", 0.0), letter=d.get("letter", 0.0)).validate()


class Geometry:
    """Key centres of a layout in key units (x / kw, y / kh: one letter key is 1 x 1)."""

    def __init__(self, layout: dict):
        kw, kh, table, present = layout_constants(layout)
        self.kw, self.kh = float(kw), float(kh)
        self.centre: dict[str, Point] = {}
        for i, ch in enumerate(PROX_TOKENS):
            if present[i]:
                self.centre[ch] = (float(table[i][0]) / self.kw, float(table[i][1]) / self.kh)

    def template(self, word: str) -> list[Point]:
        """The word's key centres in letter order; letters without a key are skipped."""
        return [self.centre[ch] for ch in word if ch in self.centre]

    def trace(self, points, width, height) -> list[Point]:
        """FEATURES.md steps 1-2 (clean, normalize, clamp), in key units; no resampling."""
        if not _size_ok(width) or not _size_ok(height):
            raise FeatureError("bad-size", f"width={width!r} height={height!r}")
        W, H = float(width), float(height)
        xs, ys, _t = clean_points(points)
        out = []
        for x, y in zip(xs.tolist(), ys.tolist()):
            u = min(max(x / W, -0.5), 1.5)
            v = min(max(y / H, -0.5), 1.5)
            out.append((u / self.kw, v / self.kh))
        return out


def _dist(ax: float, ay: float, bx: float, by: float) -> float:
    dx = ax - bx
    dy = ay - by
    return math.sqrt(dx * dx + dy * dy)


def resample(poly: list[Point], n: int) -> list[Point]:
    """n points equally spaced by arc length along poly, first and last included."""
    m = len(poly)
    if m == 0:
        raise ValueError("empty polyline")
    cum = [0.0]
    for i in range(1, m):
        cum.append(cum[i - 1] + _dist(poly[i][0], poly[i][1], poly[i - 1][0], poly[i - 1][1]))
    total = cum[m - 1]
    if m == 1 or not total > 0:
        return [poly[0]] * n
    out: list[Point] = []
    i = 0
    for j in range(n):
        s = (total * j) / (n - 1)
        while i < m - 2 and cum[i + 1] < s:
            i += 1
        seg = cum[i + 1] - cum[i]
        f = (s - cum[i]) / seg if seg > 0 else 0.0
        f = min(max(f, 0.0), 1.0)
        x0, y0 = poly[i]
        x1, y1 = poly[i + 1]
        out.append((x0 + (x1 - x0) * f, y0 + (y1 - y0) * f))
    return out


def normalize_shape(q: list[Point]) -> list[Point]:
    """Centred on the centroid, scaled so the larger bounding-box side is 1 — but never
    magnified: a shape smaller than one key keeps its size (its wiggles are noise, and a
    one-letter word's template is a point)."""
    n = len(q)
    sx = 0.0
    sy = 0.0
    for x, y in q:
        sx += x
        sy += y
    cx = sx / n
    cy = sy / n
    minx = min(x for x, _ in q)
    maxx = max(x for x, _ in q)
    miny = min(y for _, y in q)
    maxy = max(y for _, y in q)
    ext = max(maxx - minx, maxy - miny, 1.0)
    return [((x - cx) / ext, (y - cy) / ext) for x, y in q]


def mean_distance(a: list[Point], b: list[Point]) -> float:
    s = 0.0
    for (ax, ay), (bx, by) in zip(a, b):
        s += _dist(ax, ay, bx, by)
    return s / len(a)


@dataclass(frozen=True)
class TraceShape:
    """What the rescoring needs of one trace, computed once per swipe."""

    first: Point
    last: Point
    resampled: list[Point]
    shape: list[Point]


def prepare_trace(trace_pts: list[Point], n: int) -> TraceShape:
    r = resample(trace_pts, n)
    return TraceShape(trace_pts[0], trace_pts[-1], r, normalize_shape(r))


def distances(ts: TraceShape, template: list[Point], n: int) -> tuple[float, float, float]:
    """(loc, shape, ends) of a word's template against the trace, in key units."""
    r = resample(template, n)
    loc = mean_distance(ts.resampled, r)
    shape = mean_distance(ts.shape, normalize_shape(r))
    ends = (_dist(ts.first[0], ts.first[1], template[0][0], template[0][1])
            + _dist(ts.last[0], ts.last[1], template[-1][0], template[-1][1]))
    return loc, shape, ends


def penalty_for_trace(trace_pts: list[Point], geometry: Geometry, params: RescoreParams):
    """-> penalty(word): loc·d_loc + shape·d_shape + ends·d_ends − letter·len(word), subtracted
    from the word's final score; the distance part is 0 for a word with no keyed letter. The
    trace part is computed once here."""
    ts = prepare_trace(trace_pts, params.points)
    n = params.points

    def penalty(word: str) -> float:
        tpl = geometry.template(word)
        return penalty_of(params, distances(ts, tpl, n) if tpl else None, len(word))

    return penalty


def penalty_of(params: RescoreParams, d: tuple[float, float, float] | None, letters: int) -> float:
    """The penalty of a word of `letters` tokens whose (loc, shape, ends) are d (None: no keyed letter)."""
    geo = 0.0
    if d is not None:
        geo = params.loc * d[0] + params.shape * d[1] + params.ends * d[2]
    return geo - params.letter * letters


def trace_penalty(trace: dict, geometry: Geometry, params: RescoreParams | None):
    """penalty_for_trace of a shared-format trace dict; None when params is None."""
    if params is None:
        return None
    return penalty_for_trace(geometry.trace(trace["points"], trace["width"], trace["height"]),
                             geometry, params)


def parse_rescore_arg(v: str | None, manifest_value=None) -> RescoreParams | None:
    """CLI --rescore: None = the model's (manifest_value), 'off', 'LOC,SHAPE,ENDS[,POINTS]', or
    named fields 'loc=..,shape=..,ends=..[,letter=..][,points=..]' (absent ones are 0 / 48)."""
    if v is None:
        return RescoreParams.from_manifest(manifest_value)
    if v == "off":
        return None
    parts = v.split(",")
    if any("=" in p for p in parts):
        fields: dict = {}
        for p in parts:
            k, _, val = p.partition("=")
            k = k.strip()
            if k not in ("loc", "shape", "ends", "letter", "points") or k in fields:
                raise ValueError(f"--rescore {v!r}: unknown or repeated field {k!r}")
            fields[k] = int(val) if k == "points" else float(val)
        return RescoreParams(**fields).validate()
    if len(parts) not in (3, 4):
        raise ValueError(f"--rescore {v!r}: 'off', LOC,SHAPE,ENDS[,POINTS] or loc=..,shape=..,ends=..,letter=..")
    pts = int(parts[3]) if len(parts) == 4 else 48
    return RescoreParams(points=pts, loc=float(parts[0]), shape=float(parts[1]),
                         ends=float(parts[2])).validate()


__all__ = ["SPEC", "RescoreParams", "Geometry", "resample", "normalize_shape", "mean_distance",
           "prepare_trace", "distances", "penalty_for_trace", "trace_penalty", "parse_rescore_arg",
           "TraceShape"]


# ---------------------------------------------------------------------------------------------
# Golden vectors for the TypeScript port (test/fixtures/golden/rescore.json)

GOLDEN_PARAMS = RescoreParams(points=48, loc=0.7, shape=3.5, ends=0.3, letter=0.95)


def golden_cases(data_root=None) -> list[dict]:
    from .data import data_dir, load_traces

    dev = load_traces(data_dir(data_root) / "hws" / "dev.jsonl.gz", limit=300)
    # candidates: the target and words of similar key paths, as a beam would propose
    confusable = {"": ["the", "tie", "toe", "a", "llama", "minimum", "zzz"]}
    cases = []
    for tr in dev[:12] + [max(dev, key=lambda t: len(t["word"]))]:
        w = tr["word"]
        words = [w, w[:-1] or "a", w + "s", w[::-1], *confusable[""]]
        cases.append({"name": f"dev:{tr['id']}:{w}", "points": tr["points"], "width": tr["width"],
                      "height": tr["height"], "words": list(dict.fromkeys(words))})
    edge_words = ["a", "i", "to", "tie", "hello", "aaa", "qp"]
    cases.append({"name": "single-point", "points": [[120, 40, 0]], "width": 360, "height": 215,
                  "words": edge_words})
    cases.append({"name": "two-identical-points", "points": [[50.5, 60.5, 5], [50.5, 60.5, 5]],
                  "width": 360, "height": 215, "words": edge_words})
    cases.append({"name": "off-keyboard", "points": [[-400, -300, 0], [-50, 20, 16], [180, 100, 33],
                                                     [500, 260, 50], [2000, 900, 700]],
                  "width": 360, "height": 215, "words": edge_words})
    pts = [[(i * 37) % 360, (i * 53) % 215 + 0.5 * (i % 2), i * 3 + (i % 7)] for i in range(10000)]
    cases.append({"name": "10000-points", "points": pts, "width": 360, "height": 215,
                  "words": edge_words})
    cases.append({"name": "nan-points", "points": [[10, 20, 0], [float("nan"), 30, 10], [80, 90, 40],
                                                   [130.5, 100.25, 55]],
                  "width": 360, "height": 215, "words": edge_words})
    return cases


def write_golden(out_path=None, data_root=None) -> Path:
    from .data import REPO_ROOT, data_dir, load_layout
    from .features import _json_num

    if out_path is None:
        out_path = REPO_ROOT / "test" / "fixtures" / "golden" / "rescore.json"
    out_path = Path(out_path)
    layout = load_layout(data_dir(data_root) / "layouts" / "qwerty.json")
    geo = Geometry(layout)
    p = GOLDEN_PARAMS
    out = []
    for c in golden_cases(data_root):
        ts = prepare_trace(geo.trace(c["points"], c["width"], c["height"]), p.points)
        pen = penalty_for_trace(geo.trace(c["points"], c["width"], c["height"]), geo, p)
        rows = []
        for w in c["words"]:
            tpl = geo.template(w)
            d = distances(ts, tpl, p.points) if tpl else None
            rows.append({"word": w, "distances": list(d) if d else None, "penalty": pen(w)})
        out.append({"name": c["name"],
                    "points": [[_json_num(float(a)) if isinstance(a, float) else a for a in q]
                               for q in c["points"]],
                    "width": c["width"], "height": c["height"], "words": rows})
    doc = {"spec": SPEC, "params": p.to_manifest(),
           "note": ("distances [loc, shape, ends] in key units and penalty in nats, float64 "
                    "(shortest repr); the TypeScript port must reproduce them exactly. "
                    "Regenerate: training/.venv/bin/python -m swipe.rescore --write-golden"),
           "layout": layout, "cases": out}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    tmp.replace(out_path)
    return out_path


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(prog="python -m swipe.rescore")
    ap.add_argument("--write-golden", action="store_true")
    ap.add_argument("--out", default=None)
    ap.add_argument("--data-dir", default=None)
    a = ap.parse_args()
    if a.write_golden:
        print(write_golden(a.out, a.data_dir))
