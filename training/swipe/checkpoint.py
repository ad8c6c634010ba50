"""Slim checkpoints: the weights a later session needs, without the optimizer state.

    python -m swipe.checkpoint --slim runs/v2/best.pt checkpoints/swipe-v1.pt [--fp32]
    python -m swipe.checkpoint --average runs/v6/ck-8000.pt runs/v6/ck-8500.pt ... --out avg.pt
    python -m swipe.checkpoint --widen-context 4 runs/v9s3/avg10-12k.pt --out k4-init.pt

A training checkpoint (runs/<name>/best.pt) holds the AdamW moments too (3x the weights);
the slim one keeps model_cfg, model, step, epoch, metrics and train_cfg, which is what
`swipe.export` and a warm start (`init_from` in a training config) read. It is small enough to
commit, so a fresh checkout can re-export or keep training. Its weights are float16 unless
--fp32: half the bytes (6 MB instead of 12 for 2.96 M parameters), which keeps the repository
small enough for the device tool to carry it with the training data; loading casts them back
to float32 (load_state_dict copies into the float32 parameters), so what is exported is what
was measured: the exporter's figures come from the loaded weights.

--average writes the element-wise mean of several checkpoints of one model (same architecture;
training-only fields such as dropout may differ), e.g. the last few evals of a cosine schedule,
or the ends of runs warm-started one from another: a cheap ensemble in one model's weights. The
result is a slim checkpoint; its `step` is the last source's and `averaged_from` names them all.

--widen-context K turns a stateless predictor of context K0 < K into one of context K that
computes exactly the same function: the tokens further back get embedding rows (drawn like the
trained ones' scale) whose columns in the context projection are zero, so training starts where
the source model is and learns what the older letters add. A warm start for a longer context
without giving back what the shorter one learnt.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import torch

KEEP = ("model_cfg", "model", "step", "epoch", "metrics", "train_cfg", "best_metric", "slim_of", "weights_dtype",
        "averaged_from", "widened_from")


def slim(src: str | Path, dst: str | Path, dtype: torch.dtype = torch.float16) -> dict:
    ck = torch.load(src, map_location="cpu", weights_only=False)
    missing = [k for k in ("model_cfg", "model") if k not in ck]
    if missing:
        raise SystemExit(f"{src}: not a training checkpoint (no {', '.join(missing)})")
    out = {k: ck[k] for k in KEEP if k in ck}
    out["model"] = {k: (v.to(dtype) if v.is_floating_point() else v).contiguous() for k, v in ck["model"].items()}
    out["weights_dtype"] = str(dtype).replace("torch.", "")
    out["slim_of"] = str(src)
    _save_atomic(out, dst)
    return out


def _save_atomic(obj: dict, dst: str | Path) -> None:
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(dst.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, dst)  # atomic: never a half-written checkpoint


# Fields of model_cfg that change training only, never a weight's shape or meaning at inference:
# checkpoints of warm-started runs that differ only in these (v5 with dropout 0.1, v6 without)
# are points of one lineage and can be averaged.
TRAINING_ONLY_CFG = ("dropout", "ctc_weight")


def _architecture(cfg: dict | None) -> dict | None:
    """The fields that fix the weights' shapes and meaning; a field an older checkpoint lacks takes
    ModelConfig's default, as load_checkpoint gives it (v5 predates pred_type, and is an LSTM)."""
    if cfg is None:
        return None
    from dataclasses import asdict

    from .model import ModelConfig

    return {k: v for k, v in {**asdict(ModelConfig()), **cfg}.items() if k not in TRAINING_ONLY_CFG}


def average(srcs: list[str | Path], dst: str | Path, dtype: torch.dtype = torch.float16) -> dict:
    if len(srcs) < 2:
        raise SystemExit("--average needs at least two checkpoints")
    cks = [torch.load(s, map_location="cpu", weights_only=False) for s in srcs]
    cfg = _architecture(cks[0].get("model_cfg"))
    for s, ck in zip(srcs, cks):
        if "model" not in ck or _architecture(ck.get("model_cfg")) != cfg:
            raise SystemExit(f"{s}: not a checkpoint of the same model as {srcs[0]}")
    mean = {}
    for k, v in cks[0]["model"].items():
        if v.is_floating_point():
            acc = sum(ck["model"][k].double() for ck in cks) / len(cks)
            mean[k] = acc.to(dtype).contiguous()
        else:  # integer buffers (none in this model today) are not averaged
            mean[k] = v
    out = {k: cks[-1][k] for k in KEEP if k in cks[-1]}
    out.update(model=mean, weights_dtype=str(dtype).replace("torch.", ""), metrics={},
               averaged_from=[f"{s} (step {ck.get('step')})" for s, ck in zip(srcs, cks)])
    out.pop("slim_of", None)
    _save_atomic(out, dst)
    return out


def widen_context(src: str | Path, dst: str | Path, context: int, seed: int = 0) -> dict:
    ck = torch.load(src, map_location="cpu", weights_only=False)
    cfg = dict(ck.get("model_cfg") or {})
    if cfg.get("pred_type") != "stateless":
        raise SystemExit(f"{src}: not a stateless predictor (pred_type {cfg.get('pred_type')!r})")
    k0, V, E = cfg["pred_context"], cfg["vocab_size"], cfg["pred_embed"]
    if context <= k0:
        raise SystemExit(f"--widen-context {context}: the source already has context {k0}")
    model = dict(ck["model"])
    emb, proj = model["ctx_embed.weight"], model["ctx_proj.weight"]
    g = torch.Generator().manual_seed(seed)
    new_rows = torch.randn((context - k0) * V, E, generator=g, dtype=torch.float32) * emb.float().std()
    model["ctx_embed.weight"] = torch.cat([emb, new_rows.to(emb.dtype)]).contiguous()
    model["ctx_proj.weight"] = torch.cat([proj, proj.new_zeros(proj.shape[0], (context - k0) * E)], 1).contiguous()
    cfg["pred_context"] = context
    out = {k: ck[k] for k in KEEP if k in ck}
    out.update(model=model, model_cfg=cfg, metrics={}, widened_from=f"{src} (context {k0}, step {ck.get('step')})")
    _save_atomic(out, dst)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--slim", nargs=2, metavar=("SRC", "DST"))
    mode.add_argument("--average", nargs="+", metavar="SRC", help="checkpoints of one run to average (with --out)")
    mode.add_argument("--widen-context", nargs=2, metavar=("K", "SRC"),
                      help="a stateless predictor's checkpoint with context K, same function (with --out)")
    ap.add_argument("--out", help="where --average writes")
    ap.add_argument("--fp32", action="store_true", help="keep float32 weights (default float16)")
    a = ap.parse_args(argv)
    dtype = torch.float32 if a.fp32 else torch.float16
    if a.average:
        if not a.out:
            ap.error("--average needs --out")
        out, dst = average(a.average, a.out, dtype=dtype), a.out
    elif a.widen_context:
        if not a.out:
            ap.error("--widen-context needs --out")
        out, dst = widen_context(a.widen_context[1], a.out, int(a.widen_context[0])), a.out
    else:
        out, dst = slim(*a.slim, dtype=dtype), a.slim[1]
    print(f"wrote {dst} ({Path(dst).stat().st_size / 1e6:.1f} MB, step {out.get('step')})")


if __name__ == "__main__":
    main()
