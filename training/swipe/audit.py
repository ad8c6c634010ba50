"""Misses to judge by eye: a random sample drawn as contact sheets, and the tally of their labels.

    python -m swipe.audit sheets --preds preds.jsonl --out audit/ [--miss top4|top1]
        [--skip 2000:4000] [--sample 45] [--seed 7] [--lexicon ../public/models/swipe-v1/lexicon.tsv]
    python -m swipe.audit tally audit/labels.tsv

`sheets` draws each sampled trace on its own keyboard (the path from green to red, the labelled
word's key-centre path in blue, the decoder's first four words under it), nine to a page, as
HTML pages with a canvas that any browser shows (`chromium --headless --screenshot`
makes PNGs of them). `--skip` leaves out a slice of the traces by index, e.g. the one the
decoding settings were tuned on.

A person then writes one line per case in a labels file, `id<TAB>category<TAB>note`. The
categories (what the trace alone allows, judged with the labelled word in view):
- `noise`: the data says the trace is not that word: `suspect` (a tap), not a lexicon word,
  or the path misses the word's first letter, stops before its end or runs backwards;
- `ambiguous`: the path skips or adds letters so that another word fits it as well or better;
- `model`: the path follows the word well enough for a person to read it, and the decoder
  still left it out.
`tally` counts them, with a 95 % Wilson interval on each share.
"""
from __future__ import annotations

import argparse
import json
import math
import random
from collections import Counter
from pathlib import Path

from .contractions import bare as normalize
from .data import load_layout, load_traces
from .evaluate import read_preds, split_path
from .lexicon import read_bare_log_priors

CATEGORIES = ("noise", "ambiguous", "model")
PER_PAGE = 9


def is_miss(words: list[str], target: str, miss: str) -> bool:
    """top4: the target is not among the first four words; top1: it is, but not first."""
    words = [normalize(w) for w in words[:4]]
    target = normalize(target)
    if miss == "top4":
        return target not in words
    return bool(words) and words[0] != target and target in words


def parse_skip(spec: str) -> range | None:
    if not spec:
        return None
    lo, hi = spec.split(":")
    return range(int(lo), int(hi))


def select(traces: list[dict], preds: dict[str, list[str]], miss: str, skip: range | None = None) -> list[dict]:
    return [t for i, t in enumerate(traces)
            if (skip is None or i not in skip) and t["id"] in preds and is_miss(preds[t["id"]], t["word"], miss)]


def case(trace: dict, words: list[str], lexicon: set[str] | None) -> dict:
    return {"id": trace["id"], "word": trace["word"], "width": trace["width"], "height": trace["height"],
            "points": trace["points"], "suspect": bool(trace.get("suspect")),
            "in_lexicon": None if lexicon is None else normalize(trace["word"]) in lexicon, "words": words[:4]}


_PAGE = """<!doctype html><meta charset="utf-8"><title>audit {first}-{last}</title>
<body style="margin:0;font:15px sans-serif"><div id="g" style="display:grid;grid-template-columns:repeat(3,440px);gap:6px"></div>
<script>
const KEYS = {keys};
const CASES = {cases};
CASES.forEach((c, i) => {{
  const cell = document.createElement('div');
  const cv = document.createElement('canvas');
  cv.width = 440; cv.height = 260;
  const cap = document.createElement('div');
  const flags = (c.suspect ? ' [suspect]' : '') + (c.in_lexicon === false ? ' [not in lexicon]' : '');
  cap.innerHTML = '<b>#' + ({first} + i) + ' ' + c.word + '</b>' + flags + ' &rarr; ' + c.words.join(', ');
  cell.append(cv, cap); document.getElementById('g').append(cell);
  const x = cv.getContext('2d');
  const s = Math.min(430 / c.width, 250 / (c.height * 0.82));
  const at = (fx, fy) => [5 + fx * c.width * s, 5 + fy * c.height * s];
  x.font = '16px sans-serif';
  for (const k of KEYS) {{
    const [l, t] = at(k.x - k.width / 2, k.y - k.height / 2);
    x.strokeStyle = '#bbb'; x.strokeRect(l, t, k.width * c.width * s, k.height * c.height * s);
    const [cx, cy] = at(k.x, k.y); x.fillStyle = '#888'; x.fillText(k.key, cx - 4, cy + 5);
  }}
  // the labelled word's key-centre path, under the trace
  x.strokeStyle = 'rgba(0,120,255,0.35)'; x.lineWidth = 6; x.beginPath();
  [...c.word.toLowerCase()].map((ch) => KEYS.find((k) => k.key === ch)).filter(Boolean)
    .forEach((k, j) => {{ const [px, py] = at(k.x, k.y); j ? x.lineTo(px, py) : x.moveTo(px, py); }});
  x.stroke();
  const p = c.points.filter((q) => Number.isFinite(q[0]) && Number.isFinite(q[1]));
  x.lineWidth = 2;
  for (let j = 1; j < p.length; j++) {{
    x.strokeStyle = 'hsl(' + Math.round(120 - 120 * j / p.length) + ',90%,40%)';
    x.beginPath(); x.moveTo(5 + p[j - 1][0] * s, 5 + p[j - 1][1] * s); x.lineTo(5 + p[j][0] * s, 5 + p[j][1] * s); x.stroke();
  }}
  [[p[0], 'green'], [p[p.length - 1], 'red']].forEach(([q, colour]) => {{
    if (!q) return;
    x.fillStyle = colour; x.beginPath(); x.arc(5 + q[0] * s, 5 + q[1] * s, 5, 0, 7); x.fill();
  }});
}});
</script>"""


def write_sheets(cases: list[dict], layout: dict, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "cases.json").write_text(json.dumps(cases))
    pages = []
    for first in range(0, len(cases), PER_PAGE):
        chunk = cases[first:first + PER_PAGE]
        page = out / f"sheet-{first // PER_PAGE}.html"
        page.write_text(_PAGE.format(first=first, last=first + len(chunk) - 1,
                                     keys=json.dumps(layout["keys"]), cases=json.dumps(chunk)))
        pages.append(page)
    return pages


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, mid - half), min(1.0, mid + half))


def tally(path: str | Path) -> dict:
    counts: Counter = Counter()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2 or fields[1] not in CATEGORIES:
            raise ValueError(f"{path}:{n}: want id<TAB>one of {', '.join(CATEGORIES)}<TAB>note")
        counts[fields[1]] += 1
    total = sum(counts.values())
    return {"n": total, **{c: {"n": counts[c], "share": counts[c] / total if total else 0.0,
                               "ci95": wilson(counts[c], total)} for c in CATEGORIES}}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sheets", help="draw a random sample of misses")
    s.add_argument("--preds", required=True, help="{id, words} lines (npm run decode, swipe.evaluate --out)")
    s.add_argument("--traces", default=str(split_path("dev")))
    s.add_argument("--out", required=True)
    s.add_argument("--miss", choices=("top4", "top1"), default="top4")
    s.add_argument("--skip", default="", help="trace indices lo:hi to leave out (e.g. the tune slice)")
    s.add_argument("--sample", type=int, default=45)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--layout", default=None)
    s.add_argument("--lexicon", default="", help="lexicon.tsv, to flag targets that are not lexicon words")
    t = sub.add_parser("tally", help="count a labels file")
    t.add_argument("labels")
    a = ap.parse_args(argv)
    if a.cmd == "tally":
        r = tally(a.labels)
        for c in CATEGORIES:
            lo, hi = r[c]["ci95"]
            print(f"{c:<10}{r[c]['n']:>5}{100 * r[c]['share']:>8.1f} %  (95 % CI {100 * lo:.1f}-{100 * hi:.1f})")
        print(f"{'all':<10}{r['n']:>5}")
        return r
    preds = read_preds(a.preds)
    lexicon = set(read_bare_log_priors(a.lexicon)) if a.lexicon else None
    traces = load_traces(a.traces)
    skip = parse_skip(a.skip)
    misses = select(traces, preds, a.miss, skip)
    random.Random(a.seed).shuffle(misses)  # a shuffle, so that a larger --sample extends a smaller one
    sample = misses[:a.sample]
    pages = write_sheets([case(t, preds[t["id"]], lexicon) for t in sample], load_layout(a.layout), Path(a.out))
    considered = sum(1 for i in range(len(traces)) if skip is None or i not in skip)
    print(f"{len(misses)} {a.miss} misses of {considered} traces; {len(sample)} drawn into {len(pages)} sheets in {a.out}")
    return {"misses": len(misses), "considered": considered, "pages": [str(p) for p in pages]}


if __name__ == "__main__":
    main()
