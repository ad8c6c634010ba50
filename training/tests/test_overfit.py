"""A short overfit run on 20 words must reach 100 % greedy training accuracy."""

import time

from dataclasses import replace

import numpy as np
import pytest
import torch

from swipe.data import load_layout
from swipe.features import compute_features
from swipe.greedy import greedy_decode
from swipe.model import ModelConfig, SwipeTransducer
from swipe.synth import synth_trace
from swipe.train import collate
from swipe.vocab import encode

WORDS = ["the", "of", "and", "to", "in", "is", "was", "he", "for", "it",
         "with", "as", "his", "on", "be", "at", "by", "had", "are", "but"]

TINY = ModelConfig(d_model=48, num_layers=2, num_heads=2, ffn_dim=96, conv_kernel=7, dropout=0.0,
                   pred_embed=16, pred_hidden=64, joint_dim=64, ctc_weight=0.3)


@pytest.mark.parametrize("pred", [{}, {"pred_type": "stateless", "pred_context": 2}], ids=["lstm", "stateless"])
def test_overfit_20_words(pred):
    t0 = time.time()
    torch.manual_seed(0)
    layout = load_layout()
    rng = np.random.default_rng(0)
    items = []
    for w in WORDS:
        tr = synth_trace(w, layout, rng, 360, 215)
        items.append((compute_features(tr["points"], 360, 215, layout), encode(w)))
    b = collate(items)
    model = SwipeTransducer(replace(TINY, **pred))
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    acc = 0.0
    for step in range(600):
        model.train()
        out = model(b["x"], b["lengths"], b["targets"], b["target_lengths"])
        opt.zero_grad()
        out["loss"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        if step % 20 == 19:
            model.eval()
            hyp = greedy_decode(model, b["x"], b["lengths"])
            acc = np.mean([h == w for h, w in zip(hyp, WORDS)])
            if acc == 1.0:
                break
    print("overfit steps", step + 1)
    assert acc == 1.0, (step, acc, hyp)
    assert time.time() - t0 < 30
