"""Tiny batched greedy RNN-T decoder (frame-synchronous), used for the cheap dev metric.
No lexicon: the output may be a non-word. The real decoder is the lexicon beam search."""

from __future__ import annotations

import torch

from .vocab import decode


@torch.no_grad()
def greedy_decode(model, features_bft: torch.Tensor, lengths: torch.Tensor, max_symbols: int = 5) -> list[str]:
    """Returns one string per batch item. At each frame emit the argmax token until blank
    (at most `max_symbols` per frame); the predictor advances only on emitted tokens."""
    enc, enc_len = model.encode(features_bft, lengths)
    B, T, _ = enc.shape
    blank = model.cfg.blank_id
    h, c = model.initial_state(B, device=enc.device)
    y = torch.full((B,), blank, dtype=torch.long, device=enc.device)
    pred, h, c = model.predict_step(y, h, c)
    out: list[list[int]] = [[] for _ in range(B)]
    for t in range(T):
        active = t < enc_len
        for _ in range(max_symbols):
            if not bool(active.any()):
                break
            logits = model.joint(enc[:, t], pred)
            k = logits.argmax(dim=-1)
            emit = active & (k != blank)
            if not bool(emit.any()):
                break
            p1, h1, c1 = model.predict_step(k, h, c)
            m = emit[:, None]
            pred = torch.where(m, p1, pred)
            h = torch.where(m[None], h1, h)
            c = torch.where(m[None], c1, c)
            for b in torch.nonzero(emit).flatten().tolist():
                out[b].append(int(k[b]))
            active = emit
    return [decode(o) for o in out]
