"""The word-discrimination loss (train.py disc_weight) and its confusable words (swipe.negatives)."""
import json

import numpy as np
import torch

from swipe.data import REPO_ROOT
from swipe.model import ModelConfig, SwipeTransducer
from swipe.negatives import Confusables
from swipe.rnnt_loss import rnnt_loss
from swipe.train import word_discrimination_loss
from swipe.vocab import BLANK, encode

SMALL = dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=32, conv_kernel=5, pred_embed=8,
             pred_hidden=16, joint_dim=16, ctc_weight=0.0, dropout=0.0)
LAYOUT = json.loads((REPO_ROOT / "public" / "models" / "swipe-v1" / "qwerty.json").read_text())
PRIOR = {"the": -3.0, "thee": -12.0, "three": -8.0, "tree": -9.0, "then": -6.0, "tie": -10.0,
         "dog": -9.0, "was": -4.0, "wax": -12.0, "wad": -13.0, "wear": -10.0}


def test_confusables_share_the_first_letter_exclude_the_word_and_rank_by_path():
    c = Confusables(PRIOR, LAYOUT, k=4)
    near = c("the")
    assert len(near) == 4 and "the" not in near and all(w[0] == "t" for w in near)
    assert near[0] == "thee"  # the same keys in the same order: the nearest path
    assert "dog" not in near
    assert c("qqq") == []  # no lexicon word starts with q
    assert c("the") is near  # kept


def test_word_loglik_equals_the_rnnt_loss_of_each_word():
    torch.manual_seed(0)
    m = SwipeTransducer(ModelConfig(**SMALL)).eval()
    x = torch.randn(2, 35, 20)
    lengths = torch.tensor([20, 14])
    words = [["the", "then", "tie"], ["was", "wax", "wear"]]
    toks = [[encode(w) for w in ws] for ws in words]
    cand = torch.zeros(2, 3, 4, dtype=torch.long)
    lens = torch.zeros(2, 3, dtype=torch.long)
    for r, ts in enumerate(toks):
        for k, t in enumerate(ts):
            cand[r, k, : len(t)] = torch.tensor(t)
            lens[r, k] = len(t)
    with torch.no_grad():
        enc, enc_len = m.encode(x, lengths)
        ll = m.word_loglik(enc, enc_len, cand, lens)
        for r in range(2):
            for k in range(3):
                t = torch.tensor([toks[r][k]])
                pred = m.predict_seq(t)
                logits = m.joint(enc[r:r + 1, :, None, :], pred[:, None, :, :])
                nll = rnnt_loss(logits, t, enc_len[r:r + 1], torch.tensor([len(toks[r][k])]), blank=BLANK)
                assert torch.allclose(ll[r, k], -nll[0].to(ll.dtype), atol=1e-6)


def test_the_loss_trains_the_target_above_its_confusables():
    torch.manual_seed(0)
    m = SwipeTransducer(ModelConfig(**SMALL))
    conf = Confusables(PRIOR, LAYOUT, k=4)
    x = torch.randn(3, 35, 24)
    lengths = torch.tensor([24, 24, 18])
    words = ["the", "was", "dog"]  # "dog" has no confusable in PRIOR: left out
    targets = torch.zeros(3, 5, dtype=torch.long)
    tl = torch.tensor([len(w) for w in words])
    for i, w in enumerate(words):
        targets[i, : len(w)] = torch.tensor(encode(w))
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    losses = []
    for _ in range(60):
        enc, enc_len = m.encode(x, lengths)
        d = word_discrimination_loss(m, enc, enc_len, targets, tl, conf, PRIOR, negatives=3, items=16, lam=0.25,
                                     rng=np.random.default_rng(0))
        opt.zero_grad()
        d.backward()
        opt.step()
        losses.append(float(d.detach()))
    assert all(np.isfinite(losses)) and losses[-1] < 0.1 * losses[0]
    enc, enc_len = m.encode(x, lengths)
    none = word_discrimination_loss(m, enc, enc_len, targets[2:], tl[2:], conf, PRIOR, 3, 16, 0.25,
                                    np.random.default_rng(0))
    assert none is None
