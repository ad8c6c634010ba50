"""Build the tiny stateless-predictor model the engine tests use (test/fixtures/tiny-stateless/).

    training/.venv/bin/python training/make_tiny_stateless.py [--out test/fixtures/tiny-stateless]

A randomly initialised SwipeTransducer (d_model 16, one block) with a stateless predictor of
context K = 4 and its blank logit lowered by BLANK_OFFSET (so that the search goes deep into the
trie), exported by `swipe.export` (fp32 only) with a 300-word lexicon: the first 300
words of the shipped lexicon.tsv with their priors. About 90 KB, so the engine's stateless paths
(contexts as cache keys, the background fill of every context in tierUp()) run against real ORT
sessions in the unit tests. Its words are meaningless; the tests compare the engine with itself.
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

import torch

from swipe.model import ModelConfig, SwipeTransducer

REPO = Path(__file__).resolve().parent.parent
CONFIG = dict(d_model=16, num_layers=1, num_heads=2, ffn_dim=16, conv_kernel=3, pred_embed=8, pred_hidden=16,
              joint_dim=16, ctc_weight=0.0, dropout=0.0, pred_type="stateless", pred_context=4)
WORDS = 300
BLANK_OFFSET = 3.0  # nats off the blank logit
KEEP = ("encoder.onnx", "predictor.onnx", "joint.bin", "lexicon.tsv", "model.json", "qwerty.json")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(REPO / "test/fixtures/tiny-stateless"))
    a = ap.parse_args(argv)
    torch.manual_seed(4)
    cfg = ModelConfig(**CONFIG)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt, lex, model = Path(tmp) / "tiny.pt", Path(tmp) / "lexicon.tsv", Path(tmp) / "model"
        model_ = SwipeTransducer(cfg)
        with torch.no_grad():  # letters as likely as blank, so the beam reaches long prefixes
            model_.joint_out.bias[cfg.blank_id] -= BLANK_OFFSET
        torch.save({"model_cfg": asdict(cfg), "model": model_.state_dict(), "step": 0}, ckpt)
        with open(REPO / "public/models/swipe-v1/lexicon.tsv", encoding="utf-8") as f:
            lex.write_text("".join(f.readline() for _ in range(WORDS)), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "swipe.export", "--checkpoint", str(ckpt), "--out", str(model),
                        "--name", "tiny-stateless", "--skip-int8", "--skip-android", "--eval-limit", "5",
                        "--lexicon", str(lex)], check=True, cwd=REPO / "training")
        out = Path(a.out)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        for name in KEEP:
            shutil.copy(model / name, out / name)
        manifest = out / "model.json"  # name the generator instead of its temporary folder
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(tmp, "<make_tiny_stateless.py>"), encoding="utf-8")
    print(f"wrote {out}: {', '.join(KEEP)}")


if __name__ == "__main__":
    main()
