"""The training CLI resumes exactly: 3 steps + resume 3 steps == 6 steps straight."""

import torch

from swipe.train import build_config, train


def _cfg(tmp, name, steps):
    return build_config(None, {
        "name": name, "runs_dir": str(tmp), "train_limit": 120, "dev_limit": 20, "synth_top": 3000,
        "synth_ratio": 0.25, "batch_size": 8, "pool_batches": 2, "max_steps": steps, "warmup_steps": 2,
        "num_workers": 0, "eval_every": 3, "ckpt_every": 3, "log_every": 1,
        "model.d_model": 32, "model.num_layers": 1, "model.num_heads": 2, "model.ffn_dim": 64,
        "model.pred_embed": 8, "model.pred_hidden": 32, "model.joint_dim": 32, "model.dropout": 0.1})


def test_resume_is_exact(tmp_path):
    a = train(_cfg(tmp_path, "straight", 6), quiet=True)
    c = _cfg(tmp_path, "resumed", 6)
    c.stop_at_step = 3
    assert train(c, quiet=True)["step"] == 3
    c.stop_at_step = 0
    b = train(c, resume=True, quiet=True)
    assert a["step"] == b["step"] == 6
    sa, sb = a["model"].state_dict(), b["model"].state_dict()
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k
    assert (tmp_path / "resumed" / "best.pt").exists() and (tmp_path / "resumed" / "log.jsonl").exists()
