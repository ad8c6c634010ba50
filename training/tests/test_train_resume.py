"""The training CLI resumes exactly: 3 steps + resume 3 steps == 6 steps straight."""

import pytest
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


def test_slim_checkpoint_and_warm_start(tmp_path):
    """A slim checkpoint (no optimizer) loads for export and warm-starts a new run with its weights."""
    import pytest

    from swipe.checkpoint import slim
    from swipe.model import load_checkpoint

    a = train(_cfg(tmp_path, "first", 3), quiet=True)
    full = tmp_path / "first" / "last.pt"
    small = tmp_path / "slim" / "w.pt"
    slim(full, small)
    assert small.stat().st_size < 0.3 * full.stat().st_size  # no optimizer, float16 weights
    m, _, meta = load_checkpoint(small)
    assert meta["step"] == 3 and "optimizer" not in torch.load(small, weights_only=False)
    assert meta["weights_dtype"] == "float16"
    for k, v in a["model"].state_dict().items():
        w = m.state_dict()[k]
        assert w.dtype == v.dtype, k  # loaded back as float32
        assert torch.equal(w, v.half().to(v.dtype) if v.is_floating_point() else v), k
    exact = tmp_path / "slim" / "w32.pt"
    slim(full, exact, dtype=torch.float32)
    m32, _, _ = load_checkpoint(exact)
    for k, v in a["model"].state_dict().items():
        assert torch.equal(m32.state_dict()[k], v), k
    # warm start: step 0 with the slim weights, then trains on
    c = _cfg(tmp_path, "warm", 1)
    c.init_from = str(small)
    c.stop_at_step = 0
    b = train(c, quiet=True)
    assert b["step"] == 1
    changed = [k for k, v in b["model"].state_dict().items() if not torch.equal(v, m.state_dict()[k])]
    assert changed  # it trained from there
    # dropout is a training setting, not part of the weights: a warm start may change it
    nodrop = _cfg(tmp_path, "nodrop", 1)
    nodrop.model = {**nodrop.model, "dropout": 0.0}
    nodrop.init_from = str(small)
    assert train(nodrop, quiet=True)["step"] == 1
    bad = _cfg(tmp_path, "mismatch", 1)
    bad.model = {**bad.model, "d_model": 48}
    bad.init_from = str(small)
    with pytest.raises(SystemExit, match="model config"):
        train(bad, quiet=True)


def test_device_setting():
    from swipe.train import resolve_device

    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(SystemExit, match="use cpu, cuda or auto"):
        resolve_device("tpu")
    if not torch.cuda.is_available():  # no silent CPU fallback for a GPU job
        with pytest.raises(SystemExit, match="no CUDA device"):
            resolve_device("cuda")


def test_several_data_workers_build_different_batches(tmp_path):
    """Each DataLoader worker builds its own pools: no batch is trained on twice."""
    from torch.utils.data import DataLoader

    from swipe.data import data_dir, load_layout, load_word_counts
    from swipe.train import BatchStream, _worker_init, load_split_cached

    cfg = _cfg(tmp_path, "workers", 1)
    ddir = data_dir()
    layout = load_layout(ddir / "layouts" / "qwerty.json")
    real = load_split_cached(ddir / "hws" / "train.jsonl.gz", layout, tmp_path / "cache", True, 120)
    words = load_word_counts(ddir / "lexicon" / "en-words.tsv", limit=cfg.synth_top)

    def first(n_workers, k=8):
        dl = DataLoader(BatchStream(cfg, real, layout, words), batch_size=None, num_workers=n_workers,
                        worker_init_fn=_worker_init)
        out = []
        for b in dl:
            out.append((tuple(b["x"].shape), float(b["x"].sum()), tuple(b["targets"].flatten().tolist())))
            if len(out) == k:
                return out

    two = first(2)
    assert len(set(two)) == len(two)
    assert set(two[0::2][:2]) == set(first(0)[:2])  # worker 0 builds pool 0, as a single process does


def test_average_checkpoints(tmp_path):
    """--average: the element-wise mean of one run's checkpoints, loadable for export and warm start."""
    import shutil

    from swipe.checkpoint import average, main
    from swipe.model import load_checkpoint

    c = _cfg(tmp_path, "avg", 6)
    c.stop_at_step = 3
    train(c, quiet=True)
    shutil.copy(tmp_path / "avg" / "last.pt", tmp_path / "s3.pt")
    c.stop_at_step = 0
    train(c, resume=True, quiet=True)
    a = torch.load(tmp_path / "s3.pt", weights_only=False)
    b = torch.load(tmp_path / "avg" / "last.pt", weights_only=False)
    assert a["step"] == 3 and b["step"] == 6
    out = average([tmp_path / "s3.pt", tmp_path / "avg" / "last.pt"], tmp_path / "mean.pt", dtype=torch.float32)
    assert out["step"] == 6 and len(out["averaged_from"]) == 2 and "optimizer" not in out
    m, _, meta = load_checkpoint(tmp_path / "mean.pt")
    changed = 0
    for k, v in m.state_dict().items():
        want = (a["model"][k].double() + b["model"][k].double()) / 2
        assert torch.allclose(v.double(), want, atol=1e-7), k
        changed += not torch.equal(a["model"][k], b["model"][k])
    assert changed  # the two sources differ, so the mean is neither of them
    main(["--average", str(tmp_path / "s3.pt"), str(tmp_path / "mean.pt"), "--out", str(tmp_path / "m16.pt")])
    assert torch.load(tmp_path / "m16.pt", weights_only=False)["weights_dtype"] == "float16"
    other = _cfg(tmp_path, "other", 1)
    other.model = {**other.model, "d_model": 48}
    train(other, quiet=True)
    with pytest.raises(SystemExit, match="same model"):
        average([tmp_path / "s3.pt", tmp_path / "other" / "last.pt"], tmp_path / "bad.pt")
    with pytest.raises(SystemExit, match="at least two"):
        average([tmp_path / "s3.pt"], tmp_path / "bad.pt")
    # a warm-started run that changed only training-only fields (dropout) averages with its parent
    nodrop = dict(a, model_cfg={**a["model_cfg"], "dropout": 0.0 if a["model_cfg"]["dropout"] else 0.1})
    torch.save(nodrop, tmp_path / "nodrop.pt")
    mixed = average([tmp_path / "s3.pt", tmp_path / "nodrop.pt"], tmp_path / "mixed.pt", dtype=torch.float32)
    assert mixed["model_cfg"] == nodrop["model_cfg"]  # the last source's config, as for one run
    # a checkpoint from before a config field existed has its default (v5 predates pred_type)
    older = dict(a, model_cfg={k: v for k, v in a["model_cfg"].items() if k not in ("pred_type", "pred_context")})
    torch.save(older, tmp_path / "older.pt")
    average([tmp_path / "older.pt", tmp_path / "s3.pt"], tmp_path / "lineage.pt", dtype=torch.float32)
    stateless = dict(a, model_cfg={**a["model_cfg"], "pred_type": "stateless"})
    torch.save(stateless, tmp_path / "stateless.pt")
    with pytest.raises(SystemExit, match="same model"):
        average([tmp_path / "older.pt", tmp_path / "stateless.pt"], tmp_path / "bad.pt")
