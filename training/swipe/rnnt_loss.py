"""Vectorised RNN-T loss in PyTorch (Graves 2012), autograd through a loop over T.

For each frame t the within-row recursion over u
    alpha[t, u] = logaddexp(alpha[t-1, u] + blank[t-1, u], alpha[t, u-1] + emit[t, u-1])
is solved in closed form with a cumulative logsumexp:
    alpha[t, u] = E[u] + logcumsumexp_k(base[k] - E[k]),  E[u] = sum_{j<u} emit[t, j],
    base[k] = alpha[t-1, k] + blank[t-1, k]  (t > 0),  base = [0, -big, ...] (t = 0).
So the Python loop runs T times (T' <= 50 after subsampling), each step O(B*U).
The DP runs in float64 (small tensors) for accuracy; log_softmax runs in the logits' dtype.
"""

from __future__ import annotations

import torch

_NEG = -1e30


def rnnt_loss(logits: torch.Tensor, targets: torch.Tensor, logit_lengths: torch.Tensor,
              target_lengths: torch.Tensor, blank: int, reduction: str = "none") -> torch.Tensor:
    """logits (B, T, U+1, V) unnormalised; targets (B, U) long (padded); lengths (B,).
    Returns the negative log-likelihood per sequence (reduction 'none'), or its 'mean'/'sum'."""
    B, T, U1, V = logits.shape
    lp = torch.log_softmax(logits, dim=-1)
    blank_lp = lp[..., blank].double()  # (B, T, U+1)
    if U1 > 1:
        tgt = targets[:, : U1 - 1].long().clamp(min=0, max=V - 1)
        emit_lp = torch.gather(lp[:, :, : U1 - 1, :], 3,
                               tgt[:, None, :, None].expand(B, T, U1 - 1, 1)).squeeze(3).double()  # (B,T,U)
    else:
        emit_lp = blank_lp.new_zeros(B, T, 0)
    zeros = blank_lp.new_zeros(B, T, 1)
    E = torch.cat([zeros, torch.cumsum(emit_lp, dim=2)], dim=2)  # (B, T, U+1)

    base = blank_lp.new_full((B, U1), _NEG)
    base[:, 0] = 0.0
    alphas = []
    alpha = None
    for t in range(T):
        if t > 0:
            base = alpha + blank_lp[:, t - 1]
        Et = E[:, t]
        alpha = Et + torch.logcumsumexp(base - Et, dim=1)
        alphas.append(alpha)
    A = torch.stack(alphas, dim=1)  # (B, T, U+1)
    tl = (logit_lengths.long() - 1).clamp(min=0)
    ul = target_lengths.long()
    bidx = torch.arange(B, device=logits.device)
    ll = A[bidx, tl, ul] + blank_lp[bidx, tl, ul]
    nll = (-ll).to(logits.dtype)
    if reduction == "mean":
        return nll.mean()
    if reduction == "sum":
        return nll.sum()
    return nll


def rnnt_loss_bruteforce(logits: torch.Tensor, targets, T: int, U: int, blank: int) -> torch.Tensor:
    """Reference: enumerate every alignment of one sequence (logits (T, U+1, V)).
    An alignment is a path of T blanks and U emissions from (0,0) to (T-1, U) ending in a blank."""
    import itertools

    lp = torch.log_softmax(logits.double(), dim=-1)
    terms = []
    # positions of the U emissions among T+U-1 steps before the final blank
    n = T - 1 + U
    for emit_pos in itertools.combinations(range(n), U):
        t, u, s = 0, 0, lp.new_zeros(())
        ep = set(emit_pos)
        for k in range(n):
            if k in ep:
                s = s + lp[t, u, targets[u]]
                u += 1
            else:
                s = s + lp[t, u, blank]
                t += 1
        s = s + lp[T - 1, U, blank]
        terms.append(s)
    return -torch.logsumexp(torch.stack(terms), dim=0)
