"""The stateless predictor (the last pred_context tokens, no recurrence) and the partial warm start."""
import pytest
import torch

from swipe.model import ModelConfig, SwipeTransducer
from swipe.train import build_config, load_matching, train
from swipe.vocab import BLANK

SMALL = dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=32, conv_kernel=5, pred_embed=8,
             pred_hidden=16, joint_dim=16, ctc_weight=0.3, dropout=0.0)


@pytest.mark.parametrize("context", [2, 3])
def test_step_by_step_equals_sequence_and_state_is_the_context(context):
    torch.manual_seed(0)
    m = SwipeTransducer(ModelConfig(**SMALL, pred_type="stateless", pred_context=context)).eval()
    targets = torch.tensor([[3, 4, 5, 6, 26], [7, 8, -1, -1, -1]])
    seq = m.predict_seq(targets)  # (2, 6, P)
    h, c = m.initial_state(2)
    assert h.shape == c.shape == (1, 2, context - 1)
    y = torch.full((2,), BLANK)
    steps = []
    for u in range(6):
        p, h, c = m.predict_step(y, h, c)
        steps.append(p)
        if u < 5:
            y = targets[:, u].clamp(min=0)
    assert torch.allclose(torch.stack(steps, 1), seq, atol=1e-5)
    # the output depends on the last `context` tokens only: two prefixes that share them agree
    a = m.predict_seq(torch.tensor([[1, 2, 3, 4, 5]]))[0, -1]
    b = m.predict_seq(torch.tensor([[9, 9, 3, 4, 5]]))[0, -1]
    assert torch.allclose(a, b) == (context <= 3)
    d = m.predict_seq(torch.tensor([[1, 2, 3, 9, 5]]))[0, -1]
    assert not torch.allclose(a, d)


def test_bad_stateless_config():
    with pytest.raises(ValueError, match="at least 2"):
        SwipeTransducer(ModelConfig(**SMALL, pred_type="stateless", pred_context=1))
    with pytest.raises(ValueError, match="pred_type"):
        SwipeTransducer(ModelConfig(**SMALL, pred_type="gru"))


def _cfg(tmp, name, steps, **model):
    over = {"name": name, "runs_dir": str(tmp), "train_limit": 120, "dev_limit": 20, "synth_top": 3000,
            "synth_ratio": 0.25, "batch_size": 8, "pool_batches": 2, "max_steps": steps, "warmup_steps": 2,
            "num_workers": 0, "eval_every": 0, "ckpt_every": 100, "log_every": 1}
    over.update({f"model.{k}": v for k, v in {**SMALL, **model}.items()})
    return build_config(None, over)


def test_partial_warm_start_keeps_the_encoder_and_freezes_it(tmp_path):
    """An LSTM checkpoint warm-starts a stateless model: encoder and joint load, the new predictor
    is fresh; with freeze_encoder_steps the encoder is unchanged after those steps, the rest trains."""
    src = train(_cfg(tmp_path, "lstm", 2), quiet=True)["model"].state_dict()
    c = _cfg(tmp_path, "stateless", 3, pred_type="stateless", pred_context=2)
    c.init_from = str(tmp_path / "lstm" / "last.pt")
    c.init_partial = True
    c.freeze_encoder_steps = 3
    out = train(c, quiet=True)["model"].state_dict()
    enc = [k for k in out if k.startswith(("sub1.", "sub2.", "in_proj.", "blocks.", "ctc_head."))]
    assert enc and all(torch.equal(out[k], src[k]) for k in enc)
    assert not torch.equal(out["joint_out.weight"], src["joint_out.weight"])  # loaded, then trained
    assert "ctx_embed.weight" in out and "lstm.weight_ih_l0" not in out
    # past the frozen steps the encoder trains too
    c2 = _cfg(tmp_path, "stateless2", 2, pred_type="stateless", pred_context=2)
    c2.init_from, c2.init_partial, c2.freeze_encoder_steps = c.init_from, True, 1
    out2 = train(c2, quiet=True)["model"].state_dict()
    assert not all(torch.equal(out2[k], src[k]) for k in enc)
    # without init_partial an architecture change is refused; a source without the encoder too
    c3 = _cfg(tmp_path, "strict", 1, pred_type="stateless")
    c3.init_from = c.init_from
    with pytest.raises(SystemExit, match="model config"):
        train(c3, quiet=True)
    m = SwipeTransducer(ModelConfig(**SMALL))
    with pytest.raises(SystemExit, match="encoder tensors"):
        load_matching(m, {k: v for k, v in src.items() if not k.startswith("blocks.")})


def test_widen_context_keeps_the_function_and_lets_the_new_letter_matter(tmp_path):
    from dataclasses import asdict

    from swipe.checkpoint import widen_context
    from swipe.model import load_checkpoint

    torch.manual_seed(1)
    m = SwipeTransducer(ModelConfig(**SMALL, pred_type="stateless", pred_context=3)).eval()
    src, dst = tmp_path / "k3.pt", tmp_path / "k4.pt"
    torch.save({"model_cfg": asdict(m.cfg), "model": m.state_dict(), "step": 7}, src)
    widen_context(src, dst, 4)
    w, cfg, meta = load_checkpoint(dst)
    assert cfg.pred_context == 4 and "context 3" in meta["widened_from"]
    targets = torch.tensor([[1, 2, 3, 4, 5], [9, 8, 7, -1, -1]])
    with torch.no_grad():
        assert torch.allclose(w.predict_seq(targets), m.predict_seq(targets), atol=1e-6)
        feats, lens = torch.randn(2, m.cfg.num_features, 12), torch.tensor([12, 9])
        assert torch.allclose(w.encode(feats, lens)[0], m.encode(feats, lens)[0])
    # one update later the fourth letter back is read: the zero columns get gradients
    w.train()
    w.predict_seq(targets).sum().backward()
    assert w.ctx_proj.weight.grad[:, 3 * SMALL["pred_embed"]:].abs().sum() > 0
    with pytest.raises(SystemExit, match="already has context"):
        widen_context(dst, tmp_path / "x.pt", 3)
