import torch

from swipe.model import Dropout, ModelConfig, SwipeTransducer


def test_dropout_keeps_the_expectation_and_the_gradient_mask():
    torch.manual_seed(0)
    d = Dropout(0.2).train()
    x = torch.ones(200_000, requires_grad=True)
    y = d(x)
    zero = float((y == 0).float().mean())
    assert abs(zero - 0.2) < 0.005
    assert torch.all((y == 0) | torch.isclose(y, torch.tensor(1 / 0.8)))
    assert abs(float(y.mean()) - 1.0) < 0.01
    y.sum().backward()
    assert torch.equal(x.grad, y.detach())  # d y / d x = mask / (1 - p)


def test_dropout_is_the_identity_in_eval_and_at_p_0():
    x = torch.randn(5, 7)
    assert Dropout(0.3).eval()(x) is x
    assert Dropout(0.0).train()(x) is x


def test_dropout_is_seeded_and_the_model_uses_it():
    d = Dropout(0.5).train()
    x = torch.ones(1000)
    torch.manual_seed(3)
    a = d(x)
    torch.manual_seed(3)
    assert torch.equal(a, d(x))
    m = SwipeTransducer(ModelConfig(d_model=32, num_layers=1, num_heads=2, ffn_dim=64, pred_hidden=32, joint_dim=32))
    assert not any(isinstance(mod, torch.nn.Dropout) for mod in m.modules())
    assert sum(isinstance(mod, Dropout) for mod in m.modules()) == 4 * 1 + 3  # per block: 2 FFN, MHSA, conv; input, predictor, joint
