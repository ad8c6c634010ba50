"""Where the errors are: predictions sorted into outcomes, and a trace-fidelity stratum.

    python -m swipe.error_analysis --preds preds.jsonl [--traces dev.jsonl.gz] [--limit 2000]
        [--lexicon ../public/models/swipe-v1/lexicon.tsv] [--json]

Outcomes (each trace in exactly one, in this order): `top-1`; `rank 2-4`; `suspect` (missed and
flagged `suspect` in the data: label noise by the data's own definition); `out-of-lexicon` (the
target is not a lexicon word, so no search can return it); `missed, <= 3 letters`; `missed`.

Fidelity asks how well the path follows the word it is labelled with, measured in key widths
on the trace's own keyboard: the distance from the first point to the first letter's key
centre, from the last point to the last letter's, and, for the letter the path passes
farthest from, its distance to the nearest point. A trace is `sloppy` when any of the three
exceeds one key width. This uses the label, so it is a way to read results, not a filter a
decoder could apply; it says how much of the error sits in traces whose path does not touch
every key of its word.
"""
from __future__ import annotations

import argparse
import json
import math
from collections import Counter

from .contractions import bare as normalize  # how targets compare with displays: "Don't" -> "dont"
from .data import load_layout, load_traces
from .evaluate import Acc, read_preds, split_path
from .lexicon import read_bare_log_priors

SLOPPY_KEYS = 1.0
OUTCOMES = ("top-1", "rank 2-4", "suspect", "out-of-lexicon", "missed, <= 3 letters", "missed")


def fidelity(trace: dict, layout: dict, word: str | None = None) -> dict | None:
    """Start, end and worst-letter distances in key widths; None when a letter has no key."""
    word = normalize(word if word is not None else trace["word"])
    keys = {k["key"]: (k["x"], k["y"]) for k in layout["keys"]}
    if not word or any(c not in keys for c in word):
        return None
    w, h = float(trace["width"]), float(trace["height"])
    key_w = layout["key_width"] * w
    pts = [(p[0] / w, p[1] / h) for p in trace["points"]
           if isinstance(p[0], (int, float)) and isinstance(p[1], (int, float))
           and math.isfinite(p[0]) and math.isfinite(p[1])]
    if not pts:
        return None

    def dist(a, b):
        return math.hypot((a[0] - b[0]) * w, (a[1] - b[1]) * h) / key_w

    worst = max(min(dist(p, keys[c]) for p in pts) for c in set(word))
    return {"start": dist(pts[0], keys[word[0]]), "end": dist(pts[-1], keys[word[-1]]), "worst_letter": worst}


def is_sloppy(f: dict) -> bool:
    return max(f["start"], f["end"], f["worst_letter"]) > SLOPPY_KEYS


def outcome(words: list[str], trace: dict, lexicon_words: set[str] | None) -> str:
    target = normalize(trace["word"])
    words = [normalize(w) for w in words]
    if words and words[0] == target:
        return "top-1"
    if target in words[:4]:
        return "rank 2-4"
    if trace.get("suspect"):
        return "suspect"
    if lexicon_words is not None and target not in lexicon_words:
        return "out-of-lexicon"
    return "missed, <= 3 letters" if len(target) <= 3 else "missed"


def analyse(preds: dict[str, list[str]], traces: list[dict], layout: dict,
            lexicon_words: set[str] | None = None) -> dict:
    outcomes: Counter = Counter()
    strata = {"clean": Acc(), "sloppy": Acc(), "no key for a letter": Acc()}
    sloppy_by_outcome: Counter = Counter()
    for tr in traces:
        words = preds.get(tr["id"], [])
        o = outcome(words, tr, lexicon_words)
        outcomes[o] += 1
        f = fidelity(tr, layout)
        s = "no key for a letter" if f is None else ("sloppy" if is_sloppy(f) else "clean")
        strata[s].add([normalize(w) for w in words], normalize(tr["word"]))
        sloppy_by_outcome[o] += s == "sloppy"
    n = max(len(traces), 1)
    return {
        "n": len(traces),
        "outcomes": {o: {"n": outcomes[o], "share": outcomes[o] / n, "sloppy": sloppy_by_outcome[o]}
                     for o in OUTCOMES},
        "fidelity": {k: v.as_dict() for k, v in strata.items() if v.n},
    }


def format_report(r: dict) -> str:
    lines = [f"{r['n']} traces", f"{'outcome':<22}{'n':>6}{'share':>9}{'of them sloppy':>16}"]
    for o, v in r["outcomes"].items():
        lines.append(f"{o:<22}{v['n']:>6}{100 * v['share']:>8.2f}%{v['sloppy']:>16}")
    lines.append(f"{'fidelity stratum':<22}{'n':>6}{'top-1':>9}{'top-4':>9}{'MRR':>9}")
    for k, v in r["fidelity"].items():
        lines.append(f"{k:<22}{v['n']:>6}{100 * v['top1']:>8.2f}%{100 * v['top4']:>8.2f}%{100 * v['mrr']:>8.2f}%")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preds", required=True, help="{id, words} lines (npm run decode, swipe.evaluate --out)")
    ap.add_argument("--traces", default=str(split_path("dev")))
    ap.add_argument("--limit", type=int, default=None, help="only the first N traces (as decoded with --limit N)")
    ap.add_argument("--layout", default=None, help="key geometry JSON (default: shared qwerty)")
    ap.add_argument("--lexicon", default="", help="lexicon.tsv, for the out-of-lexicon outcome")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    lexicon_words = set(read_bare_log_priors(a.lexicon)) if a.lexicon else None
    r = analyse(read_preds(a.preds), load_traces(a.traces, limit=a.limit), load_layout(a.layout), lexicon_words)
    print(format_report(r))
    if a.json:
        print(json.dumps(r))
    return r


if __name__ == "__main__":
    main()
