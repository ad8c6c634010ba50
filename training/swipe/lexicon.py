"""Word lexicon with a unigram log prior, and the prefix trie the beam search walks.

The lexicon is written ONCE, by Python, as a plain text file ``lexicon.tsv``:

    <word>\t<logprior>\n

- ``word`` matches ``^[a-z']+$`` (tokens a-z and apostrophe of swipe/vocab.py);
- ``logprior = ln(count / total)`` where ``total`` is the sum of the counts of all the
  words in the lexicon (after the HWS words are added, see :func:`build_lexicon`), printed
  with ``repr``-exact 17 significant digits (``format(x, ".17g")``), so that
  ``float(text)`` in Python and ``parseFloat(text)`` in JavaScript give the same double;
- lines sorted by logprior descending, then word ascending (code-point order);
- no header, no comments, UTF-8, ``\n`` line ends.

That file is the single source of truth: the Python reference beam search and the TypeScript
build-lexicon read it, so both sides decode with identical words and priors.

Default build (``python -m swipe.lexicon --out lexicon.tsv``): the top 50,000 words of
shared/data/lexicon/en-words.tsv by count, PLUS every distinct word of the HWS train split
that is not among them, each given the count of the 50,000th word (the HWS sentences contain
company names and apostrophe-less contractions that no frequency list has; without them a
decoder cannot produce those words), PLUS the contractions of swipe/contractions.py that are
still missing, by their bare letters ("didnt": the lists split "didn't" into "didn" + "t", so
an n't one gets the count of its stem, and stems such as "didn" are dropped as no words; the
others get the N-th word's count). Report that choice with every figure.
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from .contractions import CONTRACTIONS, FRAGMENTS, bare, fragment
from .data import data_dir

DEFAULT_WORDS_TSV = data_dir() / "lexicon" / "en-words.tsv"
DEFAULT_TRAIN_TRACES = data_dir() / "hws" / "train.jsonl.gz"
DEFAULT_TOP_N = 50_000

from .vocab import BLANK, TOKENS

# Token alphabet of the model (swipe/vocab.py): a..z = 0..25, "'" = 26, blank = 27.
LETTERS = "".join(TOKENS[:BLANK])
assert LETTERS == "abcdefghijklmnopqrstuvwxyz'", LETTERS
WORD_RE = re.compile(r"^[a-z']+$")


def token_id(ch: str) -> int:
    i = LETTERS.find(ch)
    if i < 0 or len(ch) != 1:
        raise ValueError(f"not a lexicon token: {ch!r}")
    return i


def format_logprior(x: float) -> str:
    return format(x, ".17g")


@dataclass
class LexiconSource:
    """What a lexicon was built from (recorded in model.json and eval reports)."""

    words_tsv: str
    top_n: int
    added_train_words: int
    added_count: int
    description: str = ""
    added_contractions: int = 0


def read_counts(path: str | Path, top_n: int | None) -> list[tuple[str, int]]:
    """First ``top_n`` valid entries of a ``word\\tcount`` file (already sorted by count desc)."""
    out: list[tuple[str, int]] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            word, _, count = line.partition("\t")
            word = word.strip().lower()
            if not WORD_RE.match(word) or word in seen:
                continue
            out.append((word, int(count)))
            seen.add(word)
            if top_n is not None and len(out) >= top_n:
                break
    return out


def train_words(path: str | Path) -> set[str]:
    words: set[str] = set()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            w = json.loads(line)["word"]
            if WORD_RE.match(w):
                words.add(w)
    return words


def build_lexicon(
    words_tsv: str | Path = DEFAULT_WORDS_TSV,
    top_n: int = DEFAULT_TOP_N,
    extra_words: set[str] | None = None,
    contractions: tuple[str, ...] = CONTRACTIONS,
) -> tuple[list[tuple[str, float]], LexiconSource]:
    """Return ``[(word, logprior)]`` sorted as in lexicon.tsv, and its provenance.

    ``extra_words`` (e.g. the HWS train vocabulary) missing from the top ``top_n`` get the
    count of the last (N-th) word kept. ``contractions`` missing from it are added by their
    bare letters (swipe/contractions.py): an n't one with its corpus stem's count ("didn"),
    the others with the N-th count; the stems themselves are dropped.
    """
    counts = read_counts(words_tsv, top_n)
    if not counts:
        raise ValueError(f"no words read from {words_tsv}")
    nth = counts[-1][1]
    if contractions:
        stems = {w: c for w, c in read_counts(words_tsv, None) if w in FRAGMENTS}
        counts = [(w, c) for w, c in counts if w not in FRAGMENTS]
    have = {w for w, _ in counts}
    n_contractions = 0
    for c in contractions:
        b = bare(c)
        if b in have:
            continue
        stem = fragment(c)
        counts.append((b, stems.get(stem, nth) if stem else nth))
        have.add(b)
        n_contractions += 1
    added = sorted(w for w in (extra_words or ()) if w not in have and WORD_RE.match(w))
    counts += [(w, nth) for w in added]
    total = math.fsum(c for _, c in counts)
    # Priors are rounded to their 17-digit text once, here, so that the in-memory lexicon is
    # exactly what lexicon.tsv says.
    entries = [(w, float(format_logprior(math.log(c / total)))) for w, c in counts]
    entries.sort(key=lambda e: (-e[1], e[0]))
    contr = (f" + {n_contractions} contractions by their letters (n't ones with the count of their "
             f"stem, e.g. 'didn', which is dropped)") if n_contractions else ""
    src = LexiconSource(
        words_tsv=str(words_tsv),
        top_n=top_n,
        added_train_words=len(added),
        added_count=nth,
        added_contractions=n_contractions,
        description=(
            f"{Path(words_tsv).name} top {top_n}{contr} + {len(added)} HWS train words not in it "
            f"(count of the {top_n}th word, {nth}); logprior = ln(count / total)"
        ),
    )
    return entries, src


def write_lexicon_tsv(entries: list[tuple[str, float]], path: str | Path) -> None:
    entries = sorted(entries, key=lambda e: (-e[1], e[0]))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for w, lp in entries:
            f.write(f"{w}\t{format_logprior(lp)}\n")


def read_lexicon_tsv(path: str | Path) -> list[tuple[str, float]]:
    entries: list[tuple[str, float]] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 2 or not WORD_RE.match(parts[0]):
                raise ValueError(f"{path}:{n}: bad lexicon line {line!r}")
            lp = float(parts[1])
            if not math.isfinite(lp) or parts[0] in seen:
                raise ValueError(f"{path}:{n}: bad or duplicate entry {line!r}")
            seen.add(parts[0])
            entries.append((parts[0], lp))
    if not entries:
        raise ValueError(f"{path}: empty lexicon")
    return entries


def read_bare_log_priors(path: str | Path) -> dict[str, float]:
    """A lexicon.tsv's words as swipe targets spell them ("don't" -> "dont", see contractions.bare),
    each with its largest log prior."""
    out: dict[str, float] = {}
    for w, lp in read_lexicon_tsv(path):
        k = bare(w)
        out[k] = max(out.get(k, -math.inf), lp)
    return out


class Trie:
    """Prefix trie over token ids with, per node, the best log prior of any word at or below it.

    Nodes are integers (0 = root) indexing parallel lists:
      ``children[n]``: dict token id -> child node (ascending token id order of insertion
      is not relied upon; iterate ``sorted(children[n])`` where order matters);
      ``word[n]``: the word ending at n or None; ``logprior[n]``: its prior or None;
      ``best[n]``: max logprior over words at or below n (the lookahead), -inf if none;
      ``prefix[n]``: the token string from the root to n.
    """

    def __init__(self, entries: list[tuple[str, float]]):
        self.children: list[dict[int, int]] = [{}]
        self.word: list[str | None] = [None]
        self.logprior: list[float | None] = [None]
        self.best: list[float] = [-math.inf]
        self.prefix: list[str] = [""]
        for w, lp in entries:
            self.add(w, lp)

    def add(self, word: str, lp: float) -> None:
        if not word or not WORD_RE.match(word):
            raise ValueError(f"not a lexicon word: {word!r}")
        n = 0
        path = [0]
        for ch in word:
            k = token_id(ch)
            nxt = self.children[n].get(k)
            if nxt is None:
                nxt = len(self.children)
                self.children.append({})
                self.word.append(None)
                self.logprior.append(None)
                self.best.append(-math.inf)
                self.prefix.append(self.prefix[n] + ch)
                self.children[n][k] = nxt
            n = nxt
            path.append(n)
        if self.word[n] is not None:
            raise ValueError(f"duplicate word {word!r}")
        self.word[n] = word
        self.logprior[n] = lp
        for m in path:
            if lp > self.best[m]:
                self.best[m] = lp

    def find(self, prefix: str) -> int | None:
        n = 0
        for ch in prefix:
            n = self.children[n].get(token_id(ch))
            if n is None:
                return None
        return n

    def __len__(self) -> int:
        return sum(1 for w in self.word if w is not None)

    @property
    def num_nodes(self) -> int:
        return len(self.children)


class Lexicon:
    """Words, priors and their trie."""

    def __init__(self, entries: list[tuple[str, float]], source: str = ""):
        self.entries = sorted(entries, key=lambda e: (-e[1], e[0]))
        self.trie = Trie(self.entries)
        self.source = source
        self.words = {w for w, _ in self.entries}

    @classmethod
    def load(cls, path: str | Path) -> "Lexicon":
        return cls(read_lexicon_tsv(path), source=str(path))

    @classmethod
    def build_default(
        cls,
        top_n: int = DEFAULT_TOP_N,
        words_tsv: str | Path = DEFAULT_WORDS_TSV,
        train_traces: str | Path | None = DEFAULT_TRAIN_TRACES,
    ) -> "Lexicon":
        extra = train_words(train_traces) if train_traces else set()
        entries, src = build_lexicon(words_tsv, top_n, extra)
        return cls(entries, source=src.description)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, w: str) -> bool:
        return w in self.words

    def save(self, path: str | Path) -> None:
        write_lexicon_tsv(self.entries, path)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Build lexicon.tsv (word<TAB>logprior).")
    ap.add_argument("--words", default=str(DEFAULT_WORDS_TSV))
    ap.add_argument("--top-n", type=int, default=DEFAULT_TOP_N)
    ap.add_argument("--train-traces", default=str(DEFAULT_TRAIN_TRACES),
                    help="add this split's distinct words ('' = none)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    extra = train_words(a.train_traces) if a.train_traces else set()
    entries, src = build_lexicon(a.words, a.top_n, extra)
    write_lexicon_tsv(entries, a.out)
    print(f"wrote {a.out}: {len(entries)} words ({src.description})")


if __name__ == "__main__":
    main()
