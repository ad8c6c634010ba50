"""Loaders for the shared data (shared/data/README.md).

Data root: $SWIPE_DATA_DIR if set, else ../shared/data relative to the repository root
(the repo is /work/main, shared data is /work/shared/data). Every CLI also takes --data-dir.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir(override: str | os.PathLike | None = None) -> Path:
    if override:
        return Path(override)
    env = os.environ.get("SWIPE_DATA_DIR")
    if env:
        return Path(env)
    return (REPO_ROOT / ".." / "shared" / "data").resolve()


def load_traces(path, drop_suspect: bool = False, limit: int | None = None) -> list[dict]:
    """Read a (gzip) JSON Lines trace file into a list of dicts."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    out = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            if drop_suspect and t.get("suspect"):
                continue
            out.append(t)
            if limit is not None and len(out) >= limit:
                break
    return out


def load_layout(path=None) -> dict:
    """Key geometry JSON (shared/data/layouts/qwerty.json by default)."""
    if path is None:
        path = data_dir() / "layouts" / "qwerty.json"
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_word_counts(path=None, limit: int | None = None) -> list[tuple[str, int]]:
    """`word<TAB>count` lines, in file order (count descending)."""
    if path is None:
        path = data_dir() / "lexicon" / "en-words.tsv"
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                continue
            out.append((parts[0], int(parts[1])))
            if limit is not None and len(out) >= limit:
                break
    return out
