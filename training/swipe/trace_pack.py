"""Lossless compact pack of a trace file (shared DESIGN.md trace format), for carrying the
training data to the GPU machine within the device tool's 64 MiB working-tree limit.

    python -m swipe.trace_pack pack   ../shared/data/hws/train.jsonl.gz ../.devdata/train.pack
    python -m swipe.trace_pack unpack ../.devdata/train.pack /tmp/data/hws/train.jsonl.gz

Every field but the points goes into one JSON line per trace; the points (integers in HWS)
become per-trace first differences, int32, column-major, LZMA-compressed: about 3.7x smaller
than the gzip'd JSON (27.8 -> 7.4 MB for HWS train). Unpacking gives records equal to the
originals (tested); a trace with a non-integer coordinate is refused rather than rounded.
"""
from __future__ import annotations

import argparse
import gzip
import json
import lzma
import struct
import sys
from pathlib import Path

import numpy as np

from .data import load_traces

MAGIC = b"SWPK1\n"


def pack(records: list[dict]) -> bytes:
    meta, counts, cols = [], [], []
    for r in records:
        pts = r["points"]
        if any(not isinstance(v, int) for p in pts for v in p):
            raise ValueError(f"trace {r.get('id')}: non-integer point values; this pack is for integer traces")
        a = np.asarray(pts, dtype=np.int64).reshape(-1, 3)
        d = np.diff(a, axis=0, prepend=np.zeros((1, 3), np.int64))
        meta.append({k: v for k, v in r.items() if k != "points"})
        counts.append(len(a))
        cols.append(d)
    d = np.concatenate(cols) if cols else np.zeros((0, 3), np.int64)
    if d.size and (d.max() > 2**31 - 1 or d.min() < -2**31):
        raise ValueError("point deltas do not fit in int32")
    m = "\n".join(json.dumps(x, separators=(",", ":")) for x in meta).encode()
    body = (struct.pack("<QQ", len(m), len(records)) + m + np.asarray(counts, "<i4").tobytes()
            + np.ascontiguousarray(d.T).astype("<i4").tobytes())
    return MAGIC + lzma.compress(body, preset=9 | lzma.PRESET_EXTREME)


def unpack(blob: bytes) -> list[dict]:
    if not blob.startswith(MAGIC):
        raise ValueError("not a trace pack (bad magic)")
    body = lzma.decompress(blob[len(MAGIC):])
    mlen, n = struct.unpack_from("<QQ", body)
    off = 16
    meta = [json.loads(x) for x in body[off:off + mlen].decode().split("\n")] if n else []
    off += mlen
    counts = np.frombuffer(body, "<i4", n, off)
    off += 4 * n
    total = int(counts.sum())
    d = np.frombuffer(body, "<i4", 3 * total, off).reshape(3, total).T.astype(np.int64)
    out, s = [], 0
    for m, c in zip(meta, counts.tolist()):
        pts = np.cumsum(d[s:s + c], axis=0).tolist()
        s += c
        r = dict(m)
        r["points"] = pts
        out.append(r)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["pack", "unpack"])
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="pack: only the first N traces")
    a = ap.parse_args(argv)
    a.dst.parent.mkdir(parents=True, exist_ok=True)
    if a.mode == "pack":
        recs = load_traces(a.src, limit=a.limit or None)
        a.dst.write_bytes(pack(recs))
    else:
        recs = unpack(a.src.read_bytes())
        with gzip.open(a.dst, "wt", encoding="utf-8", compresslevel=1) as f:
            for r in recs:
                f.write(json.dumps(r, separators=(",", ":")) + "\n")
    print(f"{a.mode}: {len(recs)} traces, {a.src.stat().st_size / 1e6:.1f} MB -> {a.dst.stat().st_size / 1e6:.1f} MB",
          file=sys.stderr)


if __name__ == "__main__":
    main()
