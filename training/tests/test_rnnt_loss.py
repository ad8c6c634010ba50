import pytest
import torch

from swipe.rnnt_loss import rnnt_loss, rnnt_loss_bruteforce


@pytest.mark.parametrize("seed,B,T,U,V", [(0, 3, 4, 3, 5), (1, 2, 1, 2, 4), (2, 2, 5, 0, 3), (3, 4, 3, 4, 6)])
def test_matches_bruteforce_values_and_grads(seed, B, T, U, V):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(B, T, U + 1, V, dtype=torch.float64, generator=g) * 2
    targets = torch.randint(0, V - 1, (B, max(U, 1)), generator=g)[:, :U] if U > 0 else torch.zeros(B, 0, dtype=torch.long)
    tl = torch.randint(1, T + 1, (B,), generator=g)
    tl[0] = T
    ul = torch.randint(0, U + 1, (B,), generator=g)
    ul[0] = U
    a = logits.clone().requires_grad_(True)
    loss = rnnt_loss(a, targets, tl, ul, blank=V - 1)
    (loss * torch.arange(1, B + 1)).sum().backward()
    b = logits.clone().requires_grad_(True)
    ref = torch.stack([rnnt_loss_bruteforce(b[i, : tl[i], : ul[i] + 1], targets[i], int(tl[i]), int(ul[i]), V - 1)
                       for i in range(B)])
    (ref * torch.arange(1, B + 1)).sum().backward()
    assert torch.allclose(loss, ref, atol=1e-9, rtol=1e-9)
    assert torch.allclose(a.grad, b.grad, atol=1e-9, rtol=1e-7)


def test_float32_close_to_float64():
    g = torch.Generator().manual_seed(5)
    logits = torch.randn(2, 30, 9, 28, generator=g) * 3
    targets = torch.randint(0, 27, (2, 8), generator=g)
    tl = torch.tensor([30, 17])
    ul = torch.tensor([8, 5])
    l32 = rnnt_loss(logits, targets, tl, ul, blank=27)
    l64 = rnnt_loss(logits.double(), targets, tl, ul, blank=27)
    assert torch.allclose(l32.double(), l64, rtol=1e-5)
    assert torch.isfinite(l32).all()
