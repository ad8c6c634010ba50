"""Learnt reranking of the beam's final word list: BEAM_SEARCH.md, swipe-beam-v5 "Rerank".

The geometric rescoring (rescore.py) reorders the list by one linear score. A linear reranker
with more features gains nothing over it (training/README.md), but the errors it leaves are
interactions: a long word whose path passes near every letter yet starts off-key, a frequent
short word against a rare long one whose shape fits better. A small forest of regression trees
(gradient boosting, fitted with scikit-learn on the tune slice of dev, traces 2000-3999) over
21 features of each candidate reads them; its output replaces the word's final score.

Features are float64 from `+ - * /`, `sqrt`, `min`, `max` in the order written here (plain
Python floats, as in rescore.py), so the TypeScript port (src/engine/rerank.ts) computes the same
values bit for bit and takes the same branch at every tree node. The forest is evaluated the
same way: `x[f] <= threshold` goes left, the leaf values summed in tree order after the baseline.

    # the raw lists of a model (the search's whole final list, geometric rescoring off):
    npm run decode -- --model public/models/swipe-v1 --in ../shared/data/hws/dev.jsonl.gz \
        --out lists.jsonl --topk 24 --no-rescore --scores
    # fit on dev 2000-3999, write rerank.json and model.json decoding.rerank:
    python -m swipe.rerank fit --lists lists.jsonl --model ../public/models/swipe-v1
    # what a rerank.json does to those lists, per slice (no decoding):
    python -m swipe.rerank score --lists lists.jsonl --model ../public/models/swipe-v1
    # the whole split by cross-validation over users (each fold fitted on the others):
    python -m swipe.rerank cv --lists lists.jsonl --model ../public/models/swipe-v1
    # the golden lists the TypeScript port is tested on (after every fit):
    python -m swipe.rerank golden
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
from dataclasses import dataclass
from pathlib import Path

from .rescore import Geometry, Point, RescoreParams, distances, penalty_of, prepare_trace

SPEC = "swipe-rerank-v1"
FILE = "rerank.json"
FEATURES = (
    "score", "score_gap", "logprior", "logprior_gap", "acoustic", "letters",
    "loc", "shape", "ends", "start", "end", "linear", "linear_gap",
    "align_mean", "align_max", "cover_max", "word_path", "trace_path", "path_ratio",
    "rank", "count",
)


def _dist(a: Point, b: Point) -> float:
    dx = a[0] - b[0]
    dy = a[1] - b[1]
    return math.sqrt(dx * dx + dy * dy)


def path_length(poly: list[Point]) -> float:
    s = 0.0
    for i in range(1, len(poly)):
        s += _dist(poly[i], poly[i - 1])
    return s


def align(path: list[Point], template: list[Point]) -> tuple[float, float, float]:
    """The word's letters matched in order to points of the resampled trace (a point may serve
    several letters), the sum of distances least: -> (that sum / letters, the largest distance
    on that matching, the largest distance of a letter to its nearest trace point in any order).
    Ties go to the earliest point."""
    n = len(path)
    costs = [_dist(template[0], p) for p in path]
    worst = list(costs)
    cover = min(costs)
    for j in range(1, len(template)):
        d = [_dist(template[j], p) for p in path]
        m = math.inf
        m_worst = 0.0
        new = [0.0] * n
        new_worst = [0.0] * n
        for i in range(n):
            if costs[i] < m:
                m = costs[i]
                m_worst = worst[i]
            new[i] = m + d[i]
            new_worst[i] = max(m_worst, d[i])
        costs, worst = new, new_worst
        cover = max(cover, min(d))
    k = 0
    for i in range(1, n):
        if costs[i] < costs[k]:
            k = i
    return costs[k] / len(template), worst[k], cover


@dataclass(frozen=True)
class Candidate:
    """One word of a list in the forest's terms: its trie key, acoustic + λ_f·logprior (the
    forest's own λ, no personal bonus) and that log prior."""

    key: str
    score: float
    logprior: float


@dataclass(frozen=True)
class FinalWord:
    """A word of the search's final list as the search scored it: acoustic score, the lexicon's
    log prior (a personal word's without its bonus) and the personal bonus in nats."""

    key: str
    acoustic: float
    logprior: float
    bonus: float = 0.0


def features(trace_pts: list[Point], geometry: Geometry, cands: list[Candidate], prior_weight: float,
             linear: RescoreParams) -> list[list[float]]:
    """FEATURES of each candidate, in list order; `rank` is the index in the list as given (the
    search's order: score descending, then key)."""
    n = linear.points
    ts = prepare_trace(trace_pts, n)
    trace_path = path_length(trace_pts)
    best_score = max(c.score for c in cands)
    best_prior = max(c.logprior for c in cands)
    rows = []
    for c in cands:
        tpl = geometry.template(c.key)
        d = distances(ts, tpl, n) if tpl else None
        if d is not None:
            loc, shape, ends = d
            start = _dist(ts.first, tpl[0])
            end = _dist(ts.last, tpl[-1])
            a_mean, a_max, cover = align(ts.resampled, tpl)
            word_path = path_length(tpl)
        else:
            loc = shape = ends = start = end = a_mean = a_max = cover = word_path = 0.0
        lin = c.score - penalty_of(linear, d, len(c.key))
        rows.append([c.score, c.score - best_score, c.logprior, c.logprior - best_prior,
                     c.score - prior_weight * c.logprior, float(len(c.key)),
                     loc, shape, ends, start, end, lin, 0.0,
                     a_mean, a_max, cover, word_path, trace_path, trace_path / (word_path + 1.0),
                     0.0, float(len(cands))])
    best_lin = max(r[11] for r in rows)
    for i, r in enumerate(rows):
        r[12] = r[11] - best_lin
        r[19] = float(i)
    return rows


class Forest:
    """rerank.json: `baseline` + the sum of one leaf value per tree; a node sends x to `left`
    when x[feature] <= threshold. Arrays per tree: f (feature index, −1 at a leaf), t
    (threshold), l, r (child indices), v (leaf value)."""

    def __init__(self, d: dict):
        if d.get("spec") != SPEC:
            raise ValueError(f"rerank spec {d.get('spec')!r}, expected {SPEC}")
        if list(d.get("features", [])) != list(FEATURES):
            raise ValueError("rerank features differ from this reranker's")
        self.d = d
        self.baseline = float(d["baseline"])
        self.prior_weight = float(d["prior_weight"])
        self.linear = RescoreParams.from_manifest(d["linear"])
        self.trees = d["trees"]
        for t in self.trees:
            m = len(t["f"])
            if not all(len(t[k]) == m for k in ("t", "l", "r", "v")):
                raise ValueError("rerank tree arrays of unequal length")

    @classmethod
    def load(cls, path: str | Path) -> "Forest":
        return cls(json.loads(Path(path).read_text()))

    def predict(self, x: list[float]) -> float:
        s = self.baseline
        for t in self.trees:
            f, th, left, right = t["f"], t["t"], t["l"], t["r"]
            i = 0
            while f[i] >= 0:
                i = left[i] if x[f[i]] <= th[i] else right[i]
            s += t["v"][i]
        return s

    def rerank(self, trace_pts: list[Point], geometry: Geometry, cands: list[Candidate]) -> list[float]:
        """Forest scores of a list already in the forest's terms (its λ, no bonus, its order)."""
        return [self.predict(r) for r in features(trace_pts, geometry, cands, self.prior_weight, self.linear)]

    def final_scores(self, trace_pts: list[Point], geometry: Geometry, words: list[FinalWord],
                     prior_weight: float) -> list[float]:
        """BEAM_SEARCH.md "Rerank": the final scores of a search's list searched with
        `prior_weight` λ. The forest reads each word at its own λ_f without the personal bonus
        (the list re-sorted so); final = forest + (λ − λ_f)·prior + bonus, so the word-frequency
        weight and the personal bonus act as they do on the search's score."""
        lf = self.prior_weight
        base = sorted(((w.acoustic + lf * w.logprior, w.key, i) for i, w in enumerate(words)),
                      key=lambda e: (-e[0], e[1]))
        cands = [Candidate(k, s, words[i].logprior) for s, k, i in base]
        forest = self.rerank(trace_pts, geometry, cands)
        out = [0.0] * len(words)
        for (_s, _k, i), f in zip(base, forest):
            w = words[i]
            out[i] = f + (prior_weight - lf) * w.logprior + w.bonus
        return out


def from_sklearn(model, prior_weight: float, linear: RescoreParams, meta: dict) -> dict:
    """A fitted HistGradientBoostingClassifier (binary, no categorical features) -> rerank.json."""
    trees = []
    for (pred,) in model._predictors:
        nodes = pred.nodes
        f, t, le, ri, v = [], [], [], [], []
        for nd in nodes:
            leaf = bool(nd["is_leaf"])
            f.append(-1 if leaf else int(nd["feature_idx"]))
            t.append(0.0 if leaf else float(nd["num_threshold"]))
            le.append(0 if leaf else int(nd["left"]))
            ri.append(0 if leaf else int(nd["right"]))
            v.append(float(nd["value"]) if leaf else 0.0)
        trees.append({"f": f, "t": t, "l": le, "r": ri, "v": v})
    baseline = float(model._baseline_prediction.ravel()[0])
    return {"spec": SPEC, "features": list(FEATURES), "prior_weight": prior_weight,
            "linear": linear.to_manifest(), "baseline": baseline, "trees": trees, **meta}


# --------------------------------------------------------------------------- lists and slices
def read_jsonl(path: str | Path):
    op = gzip.open if str(path).endswith(".gz") else open
    with op(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def word_key(display: str) -> str:
    """The trie key of a display form ("I'm" -> "im")."""
    return display.lower().replace("'", "")


def parse_slice(s: str) -> tuple[int, int]:
    a, b = s.split(":")
    return int(a), int(b)


class ListSet:
    """The raw lists of a decode (`npm run decode -- --topk N --no-rescore --scores`), in trace
    order, joined to their traces and to the lexicon's priors."""

    def __init__(self, lists_path, traces_path, lexicon_path, geometry: Geometry):
        from .lexicon import read_lexicon_tsv
        prior = dict(read_lexicon_tsv(lexicon_path))
        traces = {t["id"]: t for t in read_jsonl(traces_path)}
        self.items = []  # (target, trace points in key units or None, [Candidate])
        self.users = []  # the trace's writer, per item
        for p in read_jsonl(lists_path):
            t = traces[p["id"]]
            if "scores" not in p:
                raise ValueError(f"{lists_path}: no scores (decode with --scores)")
            cands = [Candidate(word_key(w), float(s), prior.get(word_key(w), float("nan")))
                     for w, s in zip(p["words"], p["scores"])]
            if any(math.isnan(c.logprior) for c in cands):
                raise ValueError(f"{p['id']}: a listed word is not in the lexicon")
            pts = geometry.trace(t["points"], t["width"], t["height"]) if cands else None
            self.items.append((t["word"], pts, cands))
            self.users.append(t["user"])

    def __len__(self):
        return len(self.items)


def _counts(ranked: list[list[str]], targets: list[str]) -> tuple[float, float] | None:
    n = len(targets)
    if n == 0:
        return None
    t1 = sum(1 for r, w in zip(ranked, targets) if r[:1] == [w])
    t4 = sum(1 for r, w in zip(ranked, targets) if w in r[:4])
    return 100.0 * t1 / n, 100.0 * t4 / n


def ranked_lists(ls: ListSet, geometry: Geometry, scorer) -> list[list[str]]:
    """Each list reordered by scorer(points, cands) -> scores (stable: ties keep list order)."""
    out = []
    for _w, pts, cands in ls.items:
        if not cands:
            out.append([])
            continue
        sc = scorer(pts, cands)
        order = sorted(range(len(cands)), key=lambda i: -sc[i])
        out.append([cands[i].key for i in order])
    return out


def report(ls: ListSet, ranked: list[list[str]], tune: tuple[int, int]) -> dict:
    targets = [w for w, _p, _c in ls.items]
    idx_t = range(tune[0], min(tune[1], len(targets)))
    idx_u = [i for i in range(len(targets)) if not tune[0] <= i < tune[1]]
    pick = lambda idx: ([ranked[i] for i in idx], [targets[i] for i in idx])  # noqa: E731
    r = {"all": _counts(ranked, targets), "tune": _counts(*pick(idx_t)), "untuned": _counts(*pick(idx_u)),
         "n": len(targets), "n_untuned": len(idx_u)}
    return {k: (tuple(round(x, 2) for x in v) if isinstance(v, tuple) else v) for k, v in r.items()}  # None: empty slice


def _model_files(model_dir: Path):
    man = json.loads((model_dir / "model.json").read_text())
    dec = man["decoding"]
    return man, float(dec["priorWeight"]), RescoreParams.from_manifest(dec.get("rescore")) or RescoreParams()


def fit(ls: ListSet, geometry: Geometry, prior_weight: float, linear: RescoreParams, rows_slice: tuple[int, int],
        params: dict, seed: int = 0):
    """Fit the forest on the lists of traces rows_slice (one row per candidate, label: the
    candidate is the trace's word)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    X, y = [], []
    for i in range(rows_slice[0], min(rows_slice[1], len(ls))):
        word, pts, cands = ls.items[i]
        if not cands:
            continue
        X.extend(features(pts, geometry, cands, prior_weight, linear))
        y.extend(int(c.key == word) for c in cands)
    model = HistGradientBoostingClassifier(random_state=seed, **params).fit(X, y)
    return model, len(X)


# Chosen on the tune slice among four settings (training/README.md "Learnt reranking"); the
# forest stops adding trees when a held-out tenth of the rows stops improving (125 of 200 here).
def cross_validate(ls: ListSet, geometry: Geometry, prior_weight: float, linear: RescoreParams,
                   params: dict, folds: int = 5, seed: int = 0) -> list[list[str]]:
    """Each trace's list reranked by a forest fitted on the other users' lists (GroupKFold by
    user): an estimate for the whole split that no fitted trace flatters."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GroupKFold
    X, y, row_trace = [], [], []
    for i, (word, pts, cands) in enumerate(ls.items):
        if cands:
            X.extend(features(pts, geometry, cands, prior_weight, linear))
            y.extend(int(c.key == word) for c in cands)
            row_trace.extend([i] * len(cands))
    X, y = np.array(X), np.array(y)
    groups = np.array([ls.users[i] for i in row_trace])
    pred = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=folds).split(X, y, groups):
        model = HistGradientBoostingClassifier(random_state=seed, **params).fit(X[tr], y[tr])
        pred[te] = model.decision_function(X[te])
    scores: dict[int, list[float]] = {}
    for i, p in zip(row_trace, pred.tolist()):
        scores.setdefault(i, []).append(p)
    out = []
    for i, (_w, _pts, cands) in enumerate(ls.items):
        sc = scores.get(i, [])
        out.append([cands[k].key for k in sorted(range(len(cands)), key=lambda k: -sc[k])])
    return out


DEFAULT_PARAMS = {"max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 40,
                  "l2_regularization": 1.0, "early_stopping": True, "validation_fraction": 0.1,
                  "n_iter_no_change": 10}


def golden_lists(data_root=None) -> list[dict]:
    """The rescoring's golden traces (rescore.golden_cases: dev traces, one point, two equal
    points, off-keyboard, 10,000 points) with made-up lists of their words, in score order: a
    word without a keyed letter included."""
    from .rescore import golden_cases
    out = []
    for c in golden_cases(data_root):
        words = list(dict.fromkeys([*c["words"], "o'", "'"]))
        cands = [Candidate(w, round(4.0 - 1.37 * i - 0.11 * len(w), 6), round(-3.0 - 0.7 * ((i * 5) % 11), 6))
                 for i, w in enumerate(words)]
        out.append({**c, "cands": cands})
    return out


def write_golden(model_dir=None, out_path=None, data_root=None) -> Path:
    """test/fixtures/golden/rerank.json: each golden list's features and the shipped forest's
    scores (model_dir's rerank.json), for the TypeScript port to reproduce exactly."""
    from .data import REPO_ROOT, data_dir, load_layout
    from .features import _json_num
    model_dir = Path(model_dir or REPO_ROOT / "public" / "models" / "swipe-v1")
    out_path = Path(out_path or REPO_ROOT / "test" / "fixtures" / "golden" / "rerank.json")
    forest = Forest.load(model_dir / FILE)
    layout = load_layout(data_dir(data_root) / "layouts" / "qwerty.json")
    geo = Geometry(layout)
    cases = []
    for c in golden_lists(data_root):
        pts = geo.trace(c["points"], c["width"], c["height"])
        rows = features(pts, geo, c["cands"], forest.prior_weight, forest.linear)
        cases.append({"name": c["name"],
                      "points": [[_json_num(float(a)) if isinstance(a, float) else a for a in q] for q in c["points"]],
                      "width": c["width"], "height": c["height"],
                      "cands": [{"key": k.key, "score": k.score, "logPrior": k.logprior} for k in c["cands"]],
                      "features": rows, "scores": [forest.predict(r) for r in rows]})
    doc = {"spec": SPEC, "forest": str(Path(model_dir.name) / FILE),
           "note": ("features (FEATURES order) and forest scores, float64 (shortest repr), of made-up lists "
                    "on the rescoring's golden traces; the TypeScript port must reproduce them exactly. "
                    "Regenerate after every fit: training/.venv/bin/python -m swipe.rerank golden"),
           "layout": layout, "cases": cases}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    return out_path


def main(argv: list[str] | None = None) -> None:
    from .data import data_dir, load_layout
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["fit", "score", "cv", "golden"])
    ap.add_argument("--lists", help="raw lists: decode --topk N --no-rescore --scores")
    ap.add_argument("--model", default=None, help="model folder (model.json, lexicon.tsv, rerank.json); "
                    "default ../public/models/swipe-v1 for golden")
    ap.add_argument("--traces", default=str(data_dir() / "hws" / "dev.jsonl.gz"))
    ap.add_argument("--tune", default="2000:4000", help="the traces fitted on (and left out of 'untuned')")
    ap.add_argument("--layout", default=None, help="layout JSON (default: the model's qwerty.json)")
    ap.add_argument("--params", default=None, help="JSON of HistGradientBoostingClassifier parameters")
    a = ap.parse_args(argv)
    if a.command == "golden":
        print(f"wrote {write_golden(a.model)}")
        return
    if not a.lists or not a.model:
        ap.error("fit and score need --lists and --model")
    model_dir = Path(a.model)
    man, lam, linear = _model_files(model_dir)
    layout = json.loads(Path(a.layout).read_text()) if a.layout else load_layout(model_dir / man.get("layout", "qwerty.json"))
    geometry = Geometry(layout)
    ls = ListSet(a.lists, a.traces, model_dir / man["lexicon"]["file"], geometry)
    tune = parse_slice(a.tune)
    base = ranked_lists(ls, geometry, lambda pts, cands: [
        r[11] for r in features(pts, geometry, cands, lam, linear)])
    before = report(ls, base, tune)
    print(f"{len(ls)} lists; the linear rescoring (top-1, top-4 %): {before}")
    params = {**DEFAULT_PARAMS, **(json.loads(a.params) if a.params else {})}
    if a.command == "cv":
        rr = cross_validate(ls, geometry, lam, linear, params)
        print(f"5 folds by user, each list reranked by a forest fitted on the other users' lists: {report(ls, rr, tune)}")
        return
    if a.command == "fit":
        model, rows = fit(ls, geometry, lam, linear, tune, params)
        meta = {"fitted_on": {"lists": Path(a.lists).name, "traces": f"{Path(a.traces).name} [{a.tune}]",
                              "rows": rows, "params": params}}
        d = from_sklearn(model, lam, linear, meta)
        (model_dir / FILE).write_text(json.dumps(d, separators=(",", ":")) + "\n")
        forest = Forest(d)
        after = report(ls, ranked_lists(ls, geometry, lambda pts, cands: forest.rerank(pts, geometry, cands)), tune)
        man["decoding"]["rerank"] = {
            "file": FILE, "spec": SPEC, "fittedOn": meta["fitted_on"]["traces"],
            "metrics": {"note": ("top-1, top-4 % of these lists (the search's whole final list, beam "
                                 f"{man['decoding']['beam']}) ordered by the geometric rescoring (v4) and by "
                                 "the reranker (v5); 'untuned': the traces it was not fitted on"),
                        "v4": before, "v5": after,
                        "command": f"python -m swipe.rerank fit --lists {Path(a.lists).name} --model <folder>"}}
        (model_dir / "model.json").write_text(json.dumps(man, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {model_dir / FILE} ({len(d['trees'])} trees, {rows} rows) and model.json decoding.rerank; "
              "regenerate the golden lists with: python -m swipe.rerank golden")
    forest = Forest.load(model_dir / FILE)
    rr = ranked_lists(ls, geometry, lambda pts, cands: forest.rerank(pts, geometry, cands))
    print(f"reranked (top-1, top-4 %; 'tune' is what it was fitted on): {report(ls, rr, tune)}")


if __name__ == "__main__":
    main()
