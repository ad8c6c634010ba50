"""Slim checkpoints: the weights a later session needs, without the optimizer state.

    python -m swipe.checkpoint --slim runs/v2/best.pt checkpoints/swipe-v1.pt

A training checkpoint (runs/<name>/best.pt) holds the AdamW moments too (3x the weights);
the slim one keeps model_cfg, model (float32), step, epoch, metrics and train_cfg, which is
what `swipe.export` and a warm start (`init_from` in a training config) read. It is small
enough to commit, so a fresh checkout can re-export or keep training.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import torch

KEEP = ("model_cfg", "model", "step", "epoch", "metrics", "train_cfg", "best_metric")


def slim(src: str | Path, dst: str | Path) -> dict:
    ck = torch.load(src, map_location="cpu", weights_only=False)
    missing = [k for k in ("model_cfg", "model") if k not in ck]
    if missing:
        raise SystemExit(f"{src}: not a training checkpoint (no {', '.join(missing)})")
    out = {k: ck[k] for k in KEEP if k in ck}
    out["model"] = {k: v.float().contiguous() for k, v in ck["model"].items()}
    out["slim_of"] = str(src)
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(dst.suffix + ".tmp")
    torch.save(out, tmp)
    os.replace(tmp, dst)  # atomic: never a half-written checkpoint
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slim", nargs=2, metavar=("SRC", "DST"), required=True)
    a = ap.parse_args(argv)
    out = slim(*a.slim)
    print(f"wrote {a.slim[1]} ({Path(a.slim[1]).stat().st_size / 1e6:.1f} MB, step {out.get('step')})")


if __name__ == "__main__":
    main()
