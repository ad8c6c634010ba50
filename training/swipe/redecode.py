"""Change an exported model's decoding settings without re-exporting its networks.

    python -m swipe.redecode --model ../public/models/swipe-v1 --checkpoint checkpoints/swipe-v1.pt \
        --rescore loc=0.7,shape=3.5,ends=0.3,letter=0.95 [--prior-weight 0.25] [--beam 24] [--floor-margin 2] [--max-frames 128] [--eval-limit 2000] \
        [--golden ../test/fixtures/golden]

The ONNX / .pte files stay byte-identical; what changes is model.json `decoding` (and, with
--max-frames, `features.maxFrames`: how many frames a long trace is resampled to), its
`metrics` (every runtime the folder has is measured again on the dev traces, as the exporter
does) and, with --golden, the beam golden vectors (beam.json) the TypeScript parity test
checks. Decoding settings are a property of the shipped model, so they live beside it and are
measured with it; re-exporting (13 minutes) only to change a weight would be waste.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .beam_search import BeamConfig, floor_margin_arg
from .data import load_layout, load_traces
from .evaluate import max_frames_arg, split_path
from .export import record_int8_losses, evaluate_all, golden_vectors, load_model, log, metrics_block
from .lexicon import Lexicon, train_words
from .rescore import parse_rescore_arg


def _write_json(path: Path, obj, compact: bool) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text((json.dumps(obj, separators=(",", ":")) if compact else json.dumps(obj, indent=1)) + "\n")
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m swipe.redecode", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="exported model folder (model.json)")
    ap.add_argument("--checkpoint", required=True, help="the checkpoint it was exported from (PyTorch figures)")
    ap.add_argument("--rescore", default=None, help="'off', LOC,SHAPE,ENDS[,POINTS] or loc=..,shape=..,ends=..,letter=..[,points=..] (default: unchanged)")
    ap.add_argument("--prior-weight", type=float, default=None, help="λ (default: unchanged)")
    ap.add_argument("--beam", type=int, default=None, help="beam size (default: unchanged)")
    ap.add_argument("--floor-margin", default=None, help="nats or 'off' (default: unchanged)")
    ap.add_argument("--max-frames", type=max_frames_arg, default=None,
                    help="features.maxFrames: longer traces are resampled to this many frames "
                         "(FEATURES.md M; the networks take any length; default: unchanged)")
    ap.add_argument("--eval-limit", type=int, default=2000, help="first N dev traces for the metrics")
    ap.add_argument("--golden", default=None, help="rewrite beam.json in this folder")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)

    import torch

    torch.set_num_threads(a.threads)
    mdir = Path(a.model)
    manifest = json.loads((mdir / "model.json").read_text())
    d = manifest["decoding"]
    fm = d.get("floorMargin") if a.floor_margin is None else floor_margin_arg(a.floor_margin)
    cfg = BeamConfig(beam=d["beam"] if a.beam is None else a.beam, prune=d["prune"], max_symbols_per_frame=d["maxSymbolsPerFrame"],
                     prior_weight=d["priorWeight"] if a.prior_weight is None else a.prior_weight,
                     top_k=d["topK"], floor_margin=fm,
                     rescore=parse_rescore_arg(a.rescore, d.get("rescore"))).validate()
    if a.max_frames is not None:
        manifest["features"]["maxFrames"] = a.max_frames
    name = manifest["name"]
    layout = load_layout(mdir / manifest["layout"])
    lexicon = Lexicon.load(mdir / manifest["lexicon"]["file"])
    dev = load_traces(split_path("dev"))
    ev = dev[: a.eval_limit]
    model, _cfg, _meta = load_model(a.checkpoint)
    variants = manifest["encoder"].get("variants", {})
    log(f"{name}: decoding {cfg.to_manifest()} ({cfg.spec}); measuring on {len(ev)} dev traces")
    res = evaluate_all(model, mdir, ev, layout, lexicon, cfg, train_words(split_path("train")),
                       "int8" in variants, include_pte=(mdir / "android").is_dir(),
                       include_pred_int8="int8" in manifest["predictor"].get("variants", {}),
                       features=manifest["features"])
    if "rerank" in manifest["decoding"]:
        # the forest reads the search's scores at the old settings: it no longer fits these
        log("decoding.rerank dropped (its forest was fitted on the old decoding's lists): refit with "
            "python -m swipe.rerank fit, then python -m swipe.rerank golden")
    manifest["decoding"] = cfg.to_manifest()
    manifest["metrics"] = metrics_block(res, name, len(ev), a.eval_limit, lexicon, cfg)
    # the shipped lexicon's provenance, not the path it was read from here
    manifest["metrics"]["lexicon"] = manifest["lexicon"].get("source", lexicon.source)
    record_int8_losses(manifest, res, manifest["export"].get("int8"), manifest["export"].get("predictorInt8"))
    _write_json(mdir / "model.json", manifest, compact=False)
    log(f"wrote {mdir / 'model.json'}")
    if a.golden:
        g = golden_vectors(mdir, name, dev[:3000], layout, lexicon, cfg, features=manifest["features"])
        if len(g["beam.json"]["cases"]) < 5:
            raise SystemExit(f"only {len(g['beam.json']['cases'])} beam golden cases found")
        Path(a.golden).mkdir(parents=True, exist_ok=True)
        _write_json(Path(a.golden) / "beam.json", g["beam.json"], compact=True)
        log(f"wrote {Path(a.golden) / 'beam.json'} ({len(g['beam.json']['cases'])} cases)")
    return manifest


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
