"""Conformer encoder + LSTM prediction network + joint network (RNN-T), for swipe decoding.

Interface used by evaluation/export (keep stable):
  encode(features_bft (B,F,T) f32, lengths (B,) int) -> (enc (B,T',D), enc_lengths (B,) int64)
  initial_state(batch) -> (h, c) zeros (L,B,Hd)
  predict_step(y_prev (B,) long, h, c) -> (pred (B,P), h1, c1)
  joint(enc (...,D), pred (...,P)) -> logits (...,V)       (broadcasting over leading dims)
  step(y_prev, h, c, enc_t (B,D)) -> (logits (B,V), h1, c1)
  forward(features_bft, lengths, targets (B,U), target_lengths) -> {'loss', 'rnnt_loss', 'ctc_loss'?, ...}

Loss convention: 'rnnt_loss' is the mean over the batch of (negative log-likelihood of the word
divided by its number of tokens); 'loss' = rnnt_loss + ctc_weight * ctc_loss (CTC likewise
normalised per token, with zero_infinity). Subsampled length: two Conv1d(k=3, s=2, p=1), each
L -> floor((L - 1) / 2) + 1.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from .rnnt_loss import rnnt_loss
from .vocab import BLANK, V


@dataclass
class ModelConfig:
    num_features: int = 35      # input features per frame (FEATURES.md)
    vocab_size: int = V         # 28 = a-z, apostrophe, blank
    blank_id: int = BLANK       # 27, also the predictor's start token
    d_model: int = 144          # encoder width D
    num_layers: int = 6         # Conformer blocks
    num_heads: int = 4          # attention heads (Dh = d_model / heads)
    ffn_dim: int = 384          # hidden size of each macaron feed-forward half
    conv_kernel: int = 15       # depthwise conv kernel (after 4x subsampling)
    dropout: float = 0.1        # dropout in encoder, predictor and joint
    subsampling: int = 4        # fixed: two stride-2 convs
    pred_embed: int = 64        # predictor token embedding size
    pred_hidden: int = 320      # predictor LSTM hidden size P = Hd
    pred_layers: int = 1        # predictor LSTM layers L
    pred_type: str = "lstm"     # "lstm", or "stateless": the last pred_context tokens -> embeddings -> one layer
    pred_context: int = 2       # stateless only: tokens of context (the last one fed and those before it)
    joint_dim: int = 256        # joint hidden size J
    ctc_weight: float = 0.3     # weight of the auxiliary CTC head; 0 disables the head


def sub_lengths(lengths: torch.Tensor) -> torch.Tensor:
    """Output lengths after the two stride-2 convs (k=3, p=1)."""
    l1 = torch.div(lengths - 1, 2, rounding_mode="floor") + 1
    return torch.div(l1 - 1, 2, rounding_mode="floor") + 1


def _mask(lengths: torch.Tensor, T: int) -> torch.Tensor:
    """(B, T) bool, True at valid frames."""
    return torch.arange(T, device=lengths.device)[None, :] < lengths[:, None]


def sinusoidal(T: int, D: int, device) -> torch.Tensor:
    pos = torch.arange(T, device=device, dtype=torch.float32)[:, None]
    i = torch.arange(0, D, 2, device=device, dtype=torch.float32)
    div = torch.exp(i * (-math.log(10000.0) / D))
    pe = torch.zeros(T, D, device=device)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


class FeedForward(nn.Module):
    def __init__(self, d, h, p):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.l1 = nn.Linear(d, h)
        self.l2 = nn.Linear(h, d)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        return self.drop(self.l2(self.drop(F.silu(self.l1(self.norm(x))))))


class MHSA(nn.Module):
    """Multi-head self-attention with explicit key padding mask (ONNX: T stays dynamic)."""

    def __init__(self, d, heads, p):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.h = heads
        self.dh = d // heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.drop = nn.Dropout(p)

    def forward(self, x, mask):  # x (B,T,D), mask (B,T) bool
        B = x.shape[0]
        y = self.norm(x)
        q, k, v = self.qkv(y).chunk(3, dim=-1)
        q = q.reshape(B, -1, self.h, self.dh).transpose(1, 2)  # (B,H,T,Dh)
        k = k.reshape(B, -1, self.h, self.dh).transpose(1, 2)
        v = v.reshape(B, -1, self.h, self.dh).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.dh)  # (B,H,T,T)
        scores = scores.masked_fill(~mask[:, None, None, :], -1e9)
        att = self.drop(torch.softmax(scores, dim=-1))
        o = torch.matmul(att, v).transpose(1, 2).reshape(B, -1, self.h * self.dh)
        return self.drop(self.out(o))


class ConvModule(nn.Module):
    def __init__(self, d, k, p):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.pw1 = nn.Conv1d(d, 2 * d, 1)
        self.dw = nn.Conv1d(d, d, k, padding=k // 2, groups=d)
        self.norm2 = nn.LayerNorm(d)  # LayerNorm instead of BatchNorm: batch-1 == batched
        self.pw2 = nn.Conv1d(d, d, 1)
        self.drop = nn.Dropout(p)

    def forward(self, x, mask):  # (B,T,D)
        m = mask[:, :, None].to(x.dtype)
        y = self.norm(x) * m
        y = F.glu(self.pw1(y.transpose(1, 2)), dim=1)  # (B,D,T)
        y = y * m.transpose(1, 2)
        y = self.dw(y)
        y = F.silu(self.norm2(y.transpose(1, 2)))
        y = self.pw2(y.transpose(1, 2)).transpose(1, 2)
        return self.drop(y)


class ConformerBlock(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        d = cfg.d_model
        self.ff1 = FeedForward(d, cfg.ffn_dim, cfg.dropout)
        self.att = MHSA(d, cfg.num_heads, cfg.dropout)
        self.conv = ConvModule(d, cfg.conv_kernel, cfg.dropout)
        self.ff2 = FeedForward(d, cfg.ffn_dim, cfg.dropout)
        self.norm = nn.LayerNorm(d)

    def forward(self, x, mask):
        x = x + 0.5 * self.ff1(x)
        x = x + self.att(x, mask)
        x = x + self.conv(x, mask)
        x = x + 0.5 * self.ff2(x)
        return self.norm(x)


class SwipeTransducer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.sub1 = nn.Conv1d(cfg.num_features, d, 3, stride=2, padding=1)
        self.sub2 = nn.Conv1d(d, d, 3, stride=2, padding=1)
        self.in_proj = nn.Linear(d, d)
        self.in_drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList([ConformerBlock(cfg) for _ in range(cfg.num_layers)])
        if cfg.pred_type == "lstm":
            self.embed = nn.Embedding(cfg.vocab_size, cfg.pred_embed)
            self.lstm = nn.LSTM(cfg.pred_embed, cfg.pred_hidden, num_layers=cfg.pred_layers, batch_first=True)
        elif cfg.pred_type == "stateless":
            if cfg.pred_context < 2:
                raise ValueError(f"pred_context {cfg.pred_context}: a stateless predictor needs at least 2")
            # one embedding table per context position (row = position * V + token)
            self.ctx_embed = nn.Embedding(cfg.pred_context * cfg.vocab_size, cfg.pred_embed)
            self.ctx_proj = nn.Linear(cfg.pred_context * cfg.pred_embed, cfg.pred_hidden)
        else:
            raise ValueError(f"pred_type {cfg.pred_type!r}: 'lstm' or 'stateless'")
        self.pred_drop = nn.Dropout(cfg.dropout)
        self.joint_enc = nn.Linear(d, cfg.joint_dim)
        self.joint_pred = nn.Linear(cfg.pred_hidden, cfg.joint_dim)
        self.joint_out = nn.Linear(cfg.joint_dim, cfg.vocab_size)
        self.joint_drop = nn.Dropout(cfg.dropout)
        self.ctc_head = nn.Linear(d, cfg.vocab_size) if cfg.ctc_weight > 0 else None

    # ---------------------------------------------------------------- encoder
    def encode(self, features_bft: torch.Tensor, lengths: torch.Tensor):
        lengths = lengths.long()
        x = features_bft
        T0 = x.shape[2]
        x = x * _mask(lengths, T0)[:, None, :].to(x.dtype)
        l1 = torch.div(lengths - 1, 2, rounding_mode="floor") + 1
        x = F.silu(self.sub1(x))
        x = x * _mask(l1, x.shape[2])[:, None, :].to(x.dtype)
        l2 = torch.div(l1 - 1, 2, rounding_mode="floor") + 1
        x = F.silu(self.sub2(x))
        T = x.shape[2]
        mask = _mask(l2, T)
        x = self.in_proj(x.transpose(1, 2))  # (B,T,D)
        x = self.in_drop(x + sinusoidal(T, self.cfg.d_model, x.device)[None])
        for blk in self.blocks:
            x = blk(x, mask)
        x = x * mask[:, :, None].to(x.dtype)
        return x, l2

    # ---------------------------------------------------------------- predictor / joint
    def initial_state(self, batch: int, device=None):
        """(h, c) before the first token. A stateless predictor keeps the pred_context - 1 tokens
        before the one fed in h (as token id + 1, 0 = none, read as blank), so that both kinds share
        one step interface (y_prev, h, c) -> (pred, h1, c1) and every runtime, search and export
        treats them alike; its c (zeros, h's shape, as the runtimes expect) is carried unchanged."""
        if self.cfg.pred_type == "stateless":
            z = torch.zeros(1, batch, self.cfg.pred_context - 1, device=device)
            return z, z.clone()
        z = torch.zeros(self.cfg.pred_layers, batch, self.cfg.pred_hidden, device=device)
        return z, z.clone()

    def _stateless(self, ctx: torch.Tensor) -> torch.Tensor:
        """ctx (..., K) token ids, position 0 = the last token -> (..., P)."""
        K, V = self.cfg.pred_context, self.cfg.vocab_size
        rows = ctx + torch.arange(K, device=ctx.device) * V
        e = self.ctx_embed(rows).flatten(-2)  # (..., K*E)
        return F.silu(self.ctx_proj(e))

    def predict_step(self, y_prev: torch.Tensor, h: torch.Tensor, c: torch.Tensor):
        y_prev = y_prev.long()
        if self.cfg.pred_type == "stateless":
            before = h[0].long() - 1  # (B, K-1); -1 = none
            # any float state maps to a valid row (the exporters' parity checks feed random states)
            before = torch.where(before < 0, torch.full_like(before, self.cfg.blank_id), before)
            before = before.clamp(max=self.cfg.vocab_size - 1)
            out = self._stateless(torch.cat([y_prev[:, None], before], dim=1))
            h1 = torch.cat([(y_prev[:, None] + 1).to(h.dtype), h[0][:, :-1]], dim=1)[None]
            return self.pred_drop(out), h1, c
        e = self.embed(y_prev)[:, None, :]  # (B,1,E)
        out, (h1, c1) = self.lstm(e, (h, c))
        return self.pred_drop(out[:, 0]), h1, c1

    def predict_seq(self, targets: torch.Tensor):
        """targets (B,U) -> pred (B,U+1,P) for inputs [blank, y1..yU]."""
        B = targets.shape[0]
        start = torch.full((B, 1), self.cfg.blank_id, dtype=torch.long, device=targets.device)
        y = torch.cat([start, targets.long().clamp(min=0)], dim=1)
        if self.cfg.pred_type == "stateless":
            K = self.cfg.pred_context
            pad = torch.full((B, K - 1), self.cfg.blank_id, dtype=torch.long, device=targets.device)
            yp = torch.cat([pad, y], dim=1)  # (B, U+K)
            U1 = y.shape[1]
            ctx = torch.stack([yp[:, K - 1 - k: K - 1 - k + U1] for k in range(K)], dim=-1)  # (B,U+1,K)
            return self.pred_drop(self._stateless(ctx))
        out, _ = self.lstm(self.embed(y))
        return self.pred_drop(out)

    def joint(self, enc: torch.Tensor, pred: torch.Tensor):
        z = torch.tanh(self.joint_enc(enc) + self.joint_pred(pred))
        return self.joint_out(self.joint_drop(z))

    def step(self, y_prev, h, c, enc_t):
        pred, h1, c1 = self.predict_step(y_prev, h, c)
        return self.joint(enc_t, pred), h1, c1

    # ---------------------------------------------------------------- training
    def word_loglik(self, enc: torch.Tensor, enc_len: torch.Tensor, words: torch.Tensor, word_lengths: torch.Tensor):
        """log P(word | trace) for K candidate words per trace: enc (B,T,D), enc_len (B), words
        (B,K,U) token ids (padded), word_lengths (B,K) -> (B,K). The encoder output is shared."""
        B, K, U = words.shape
        e = enc[:, None].expand(B, K, *enc.shape[1:]).reshape(B * K, *enc.shape[1:])
        el = enc_len[:, None].expand(B, K).reshape(B * K)
        w = words.reshape(B * K, U)
        wl = word_lengths.reshape(B * K)
        Um = int(wl.max().item()) if w.numel() else 0
        w = w[:, :Um]
        pred = self.predict_seq(w)
        logits = self.joint(e[:, :, None, :], pred[:, None, :, :])
        return -rnnt_loss(logits, w, el, wl, blank=self.cfg.blank_id).view(B, K)

    def forward(self, features_bft, lengths, targets, target_lengths, keep_enc: bool = False):
        enc, enc_len = self.encode(features_bft, lengths)
        U = int(target_lengths.max().item()) if targets.numel() else 0
        targets = targets[:, :U]
        pred = self.predict_seq(targets)  # (B,U+1,P)
        logits = self.joint(enc[:, :, None, :], pred[:, None, :, :])  # (B,T,U+1,V)
        nll = rnnt_loss(logits, targets, enc_len, target_lengths, blank=self.cfg.blank_id)
        tl = target_lengths.clamp(min=1).to(nll.dtype)
        r = (nll / tl).mean()
        out = {"rnnt_loss": r, "nll": nll.detach()}
        loss = r
        if self.ctc_head is not None:
            lp = torch.log_softmax(self.ctc_head(enc), dim=-1).transpose(0, 1)  # (T,B,V)
            ctc = F.ctc_loss(lp, targets.clamp(min=0), enc_len, target_lengths, blank=self.cfg.blank_id,
                             reduction="none", zero_infinity=True)
            c = (ctc / tl).mean()
            out["ctc_loss"] = c
            loss = loss + self.cfg.ctc_weight * c
        out["loss"] = loss
        if keep_enc:
            out["enc"], out["enc_len"] = enc, enc_len
        return out


def count_params(model: nn.Module) -> dict:
    enc = sum(p.numel() for n, p in model.named_parameters()
              if n.startswith(("sub", "in_proj", "blocks")))
    pred = sum(p.numel() for n, p in model.named_parameters() if n.startswith(("embed", "lstm", "ctx_")))
    joint = sum(p.numel() for n, p in model.named_parameters() if n.startswith("joint"))
    ctc = sum(p.numel() for n, p in model.named_parameters() if n.startswith("ctc"))
    return {"encoder": enc, "predictor": pred, "joint": joint, "ctc_head": ctc,
            "total_inference": enc + pred + joint, "total": enc + pred + joint + ctc}


def load_checkpoint(path, map_location="cpu"):
    """-> (model in eval mode, ModelConfig, meta dict with the rest of the checkpoint)."""
    ck = torch.load(path, map_location=map_location, weights_only=False)
    cfg = ModelConfig(**ck["model_cfg"])
    model = SwipeTransducer(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    meta = {k: v for k, v in ck.items() if k not in ("model", "optimizer")}
    return model, cfg, meta
