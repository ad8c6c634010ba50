"""Slim checkpoints: the weights a later session needs, without the optimizer state.

    python -m swipe.checkpoint --slim runs/v2/best.pt checkpoints/swipe-v1.pt [--fp32]

A training checkpoint (runs/<name>/best.pt) holds the AdamW moments too (3x the weights);
the slim one keeps model_cfg, model, step, epoch, metrics and train_cfg, which is what
`swipe.export` and a warm start (`init_from` in a training config) read. It is small enough to
commit, so a fresh checkout can re-export or keep training. Its weights are float16 unless
--fp32: half the bytes (6 MB instead of 12 for 2.96 M parameters), which keeps the repository
small enough for the device tool to carry it with the training data; loading casts them back
to float32 (load_state_dict copies into the float32 parameters), so what is exported is what
was measured: the exporter's figures come from the loaded weights.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import torch

KEEP = ("model_cfg", "model", "step", "epoch", "metrics", "train_cfg", "best_metric", "slim_of", "weights_dtype")


def slim(src: str | Path, dst: str | Path, dtype: torch.dtype = torch.float16) -> dict:
    ck = torch.load(src, map_location="cpu", weights_only=False)
    missing = [k for k in ("model_cfg", "model") if k not in ck]
    if missing:
        raise SystemExit(f"{src}: not a training checkpoint (no {', '.join(missing)})")
    out = {k: ck[k] for k in KEEP if k in ck}
    out["model"] = {k: (v.to(dtype) if v.is_floating_point() else v).contiguous() for k, v in ck["model"].items()}
    out["weights_dtype"] = str(dtype).replace("torch.", "")
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
    ap.add_argument("--fp32", action="store_true", help="keep float32 weights (default float16)")
    a = ap.parse_args(argv)
    out = slim(*a.slim, dtype=torch.float32 if a.fp32 else torch.float16)
    print(f"wrote {a.slim[1]} ({Path(a.slim[1]).stat().st_size / 1e6:.1f} MB, step {out.get('step')})")


if __name__ == "__main__":
    main()
