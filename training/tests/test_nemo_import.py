"""NeMo import: a .nemo archive written in NeMo's layout FROM a tiny model of ours (the inverse
mapping below is written independently of swipe/nemo_import.py's table), shuffled labels with
blank last, xscaling on; the imported model must equal the original. Plus the error cases."""
import io
import math
import tarfile

import numpy as np
import pytest
import torch

yaml = pytest.importorskip("yaml")  # the importer's one extra dependency (training[dev])

from swipe.model import ModelConfig, SwipeTransducer, load_checkpoint
from swipe.nemo_import import NemoImportError, convert_nemo, main as nemo_main
from swipe.vocab import BLANK, TOKENS

TINY = dict(d_model=32, num_layers=2, num_heads=2, ffn_dim=64, conv_kernel=5, pred_embed=16,
            pred_hidden=16, joint_dim=16, ctc_weight=0.0, dropout=0.0)


def _tiny():
    torch.manual_seed(3)
    m = SwipeTransducer(ModelConfig(**TINY)).eval()
    with torch.no_grad():  # non-trivial norms and biases, so a swapped tensor shows
        for n, p in m.named_parameters():
            if "norm" in n:
                p.add_(0.1 * torch.randn_like(p))
    return m


def nemo_state_dict(m, labels, xscale, dropout_in_joint=True, use_bias=True):
    """Our weights -> NeMo ConformerEncoder / RNNTDecoder / RNNTJoint parameter names."""
    s = {k: v.detach().clone() for k, v in m.state_dict().items()}
    L = m.cfg.num_layers
    d = m.cfg.d_model
    # our token j sits at NeMo index labels.index(TOKENS[j]); blank stays last
    inv = [TOKENS.index(lab) for lab in labels] + [BLANK]  # NeMo row r = our row inv[r]
    out = {
        "encoder.pre_encode.conv.0.weight": s["sub1.weight"], "encoder.pre_encode.conv.0.bias": s["sub1.bias"],
        "encoder.pre_encode.conv.2.weight": s["sub2.weight"], "encoder.pre_encode.conv.2.bias": s["sub2.bias"],
        "encoder.pre_encode.out.weight": s["in_proj.weight"] / xscale,
        "encoder.pre_encode.out.bias": s["in_proj.bias"] / xscale,
        "decoder.prediction.embed.weight": s["embed.weight"][inv],
        "joint.enc.weight": s["joint_enc.weight"], "joint.enc.bias": s["joint_enc.bias"],
        "joint.pred.weight": s["joint_pred.weight"], "joint.pred.bias": s["joint_pred.bias"],
        "preprocessor.featurizer.window": torch.ones(4),  # NeMo's audio front end: ignored
    }
    j = 2 if dropout_in_joint else 1
    out[f"joint.joint_net.{j}.weight"] = s["joint_out.weight"][inv]
    out[f"joint.joint_net.{j}.bias"] = s["joint_out.bias"][inv]
    for k in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
        out[f"decoder.prediction.dec_rnn.lstm.{k}"] = s[f"lstm.{k}"]
    for i in range(L):
        b, n = f"blocks.{i}.", f"encoder.layers.{i}."
        pairs = {"ff1.norm": "norm_feed_forward1", "ff1.l1": "feed_forward1.linear1",
                 "ff1.l2": "feed_forward1.linear2", "att.norm": "norm_self_att",
                 "att.out": "self_attn.linear_out", "conv.norm": "norm_conv",
                 "conv.pw1": "conv.pointwise_conv1", "conv.dw": "conv.depthwise_conv",
                 "conv.norm2": "conv.batch_norm", "conv.pw2": "conv.pointwise_conv2",
                 "ff2.norm": "norm_feed_forward2", "ff2.l1": "feed_forward2.linear1",
                 "ff2.l2": "feed_forward2.linear2", "norm": "norm_out"}
        for ours, theirs in pairs.items():
            out[n + theirs + ".weight"] = s[b + ours + ".weight"]
            out[n + theirs + ".bias"] = s[b + ours + ".bias"]
        q, k, v = s[b + "att.qkv.weight"].chunk(3, 0)
        qb, kb, vb = s[b + "att.qkv.bias"].chunk(3, 0)
        for name, w, bb in (("linear_q", q, qb), ("linear_k", k, kb), ("linear_v", v, vb)):
            out[n + f"self_attn.{name}.weight"] = w.clone()
            out[n + f"self_attn.{name}.bias"] = bb.clone()
    if not use_bias:
        for key in [k for k in out if k.startswith("encoder.layers.") and k.endswith(".bias")
                    and "norm" not in k]:
            del out[key]
    return out


def nemo_config(m, labels, **over):
    c = m.cfg
    cfg = {
        "labels": list(labels),
        "encoder": {"_target_": "nemo.collections.asr.modules.ConformerEncoder", "feat_in": 35,
                    "n_layers": c.num_layers, "d_model": c.d_model, "subsampling": "swipe_conv1d",
                    "subsampling_factor": 4, "subsampling_conv_channels": -1,
                    "ff_expansion_factor": c.ffn_dim / c.d_model, "self_attention_model": "abs_pos",
                    "n_heads": c.num_heads, "att_context_size": [-1, -1], "xscaling": True,
                    "conv_kernel_size": c.conv_kernel, "conv_norm_type": "layer_norm", "dropout": 0.1},
        "decoder": {"_target_": "nemo.collections.asr.modules.RNNTDecoder", "blank_as_pad": True,
                    "vocab_size": len(labels), "prednet": {"pred_hidden": c.pred_hidden, "pred_rnn_layers": 1}},
        "joint": {"_target_": "nemo.collections.asr.modules.RNNTJoint", "num_classes": len(labels),
                  "vocabulary": "${labels}", "jointnet": {"joint_hidden": c.joint_dim, "activation": "tanh",
                                                          "dropout": 0.2}},
    }
    for k, v in over.items():
        sect, _, key = k.rpartition(".")
        node = cfg
        for part in sect.split(".") if sect else []:
            node = node[part]
        node[key] = v
    return cfg


def write_nemo(path, cfg, sd, gz=True, skip=()):
    with tarfile.open(path, "w:gz" if gz else "w") as tf:
        def add(name, data):
            if name in skip:
                return
            ti = tarfile.TarInfo("./" + name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
        add("model_config.yaml", yaml.safe_dump(cfg).encode())
        buf = io.BytesIO()
        torch.save(sd, buf)
        add("model_weights.ckpt", buf.getvalue())
    return path


def shuffled_labels(seed=7):
    labs = list(TOKENS[:BLANK])
    np.random.default_rng(seed).shuffle(labs)
    assert labs != list(TOKENS[:BLANK])
    return labs


def _assert_same(a, b, tol=1e-5):
    rng = np.random.default_rng(0)
    for B, T in [(1, 1), (2, 17), (3, 60)]:
        x = torch.from_numpy(rng.normal(size=(B, 35, T)).astype(np.float32))
        ln = torch.from_numpy(rng.integers(1, T + 1, size=B)); ln[0] = T
        with torch.no_grad():
            e1, l1 = a.encode(x, ln)
            e2, l2 = b.encode(x, ln)
        assert torch.equal(l1, l2)
        assert (e1 - e2).abs().max().item() < tol
        h = torch.randn(1, B, 16) * 0.5
        c = torch.randn(1, B, 16) * 0.5
        for y in range(len(TOKENS)):  # every token id, blank (the start token) included
            yy = torch.full((B,), y)
            with torch.no_grad():
                o1 = a.step(yy, h, c, e1[:, 0])
                o2 = b.step(yy, h, c, e1[:, 0])
            for u, v in zip(o1, o2):
                assert (u - v).abs().max().item() < tol


@pytest.mark.parametrize("gz,joint_dropout,use_bias", [(True, True, True), (False, False, False)])
def test_import_equals_original(tmp_path, gz, joint_dropout, use_bias):
    m = _tiny()
    if not use_bias:  # a NeMo model without biases maps onto ours with zero biases
        with torch.no_grad():
            for n, p in m.named_parameters():
                if n.startswith("blocks.") and n.endswith(".bias") and "norm" not in n:
                    p.zero_()
    labels = shuffled_labels()
    xs = math.sqrt(m.cfg.d_model)
    cfg = nemo_config(m, labels, **({} if use_bias else {"encoder.use_bias": False}))
    p = write_nemo(tmp_path / "tiny.nemo", cfg, nemo_state_dict(m, labels, xs, joint_dropout, use_bias), gz=gz)
    imp, mc, meta = convert_nemo(p)
    assert mc.d_model == 32 and mc.num_layers == 2 and mc.ffn_dim == 64 and mc.pred_embed == 16
    assert meta["source"]["labels"] == labels and meta["vocab"] == TOKENS
    assert meta["source"]["ignoredKeys"] == ["preprocessor.featurizer.window"]
    _assert_same(m, imp)
    # the CLI writes a checkpoint that swipe.model.load_checkpoint reads back
    out = tmp_path / "ck" / "tiny.pt"
    nemo_main(["--nemo", str(p), "--out", str(out)])
    again, _, meta2 = load_checkpoint(out)
    assert meta2["vocab"] == TOKENS
    _assert_same(m, again)
    assert not [f for f in out.parent.iterdir() if f.name != "tiny.pt"]


def test_export_accepts_nemo_directly(tmp_path):
    from swipe.export import load_model

    m = _tiny()
    labels = shuffled_labels(1)
    p = write_nemo(tmp_path / "t.nemo", nemo_config(m, labels),
                   nemo_state_dict(m, labels, math.sqrt(32)))
    imp, _, _ = load_model(p)
    _assert_same(m, imp)


def _bad(tmp_path, kind):
    m = _tiny()
    labels = shuffled_labels()
    sd = nemo_state_dict(m, labels, math.sqrt(32))
    cfg = nemo_config(m, labels)
    p = tmp_path / "bad.nemo"
    if kind == "missing":
        return tmp_path / "nope.nemo", "not found"
    if kind == "garbage":
        p.write_bytes(b"definitely not a tar archive" * 10)
        return p, "not a .nemo archive"
    if kind == "truncated":
        write_nemo(p, cfg, sd, gz=True)
        p.write_bytes(p.read_bytes()[:300])
        return p, "bad.nemo"
    if kind == "no-yaml":
        return write_nemo(p, cfg, sd, skip=("model_config.yaml",)), "no model_config.yaml"
    if kind == "bad-yaml":
        with tarfile.open(p, "w") as tf:
            for name, data in (("model_config.yaml", b"encoder: [unclosed"), ("model_weights.ckpt", b"x")):
                ti = tarfile.TarInfo(name); ti.size = len(data); tf.addfile(ti, io.BytesIO(data))
        return p, "not valid YAML"
    if kind == "vocab-space":
        cfg["labels"] = [" "] + labels
        return write_nemo(p, cfg, sd), "vocabulary mismatch"
    if kind == "vocab-letter":
        cfg["labels"] = [("A" if x == "a" else x) for x in labels]
        return write_nemo(p, cfg, sd), "vocabulary mismatch"
    if kind == "missing-weight":
        del sd["encoder.layers.1.self_attn.linear_k.weight"]
        return write_nemo(p, cfg, sd), "missing weight encoder.layers.1.self_attn.linear_k.weight"
    if kind == "rel-pos":
        cfg["encoder"]["self_attention_model"] = "rel_pos"
        sd["encoder.layers.0.self_attn.linear_pos.weight"] = torch.zeros(32, 32)
        return write_nemo(p, cfg, sd), "encoder.self_attention_model"
    if kind == "nemo-subsampling":
        cfg["encoder"]["subsampling"] = "striding_conv1d"
        return write_nemo(p, cfg, sd), "encoder.subsampling = 'striding_conv1d'"
    if kind == "relu-joint":
        cfg["joint"]["jointnet"]["activation"] = "relu"
        return write_nemo(p, cfg, sd), "joint.jointnet.activation"
    if kind == "batch-norm":
        del cfg["encoder"]["conv_norm_type"]  # NeMo's default: batch_norm
        return write_nemo(p, cfg, sd), "encoder.conv_norm_type = 'batch_norm'"
    if kind == "extra-weight":
        sd["encoder.layers.0.self_attn.pos_bias_u"] = torch.zeros(2, 16)
        return write_nemo(p, cfg, sd), "no place in our architecture"
    if kind == "shape":
        sd["encoder.pre_encode.conv.0.weight"] = torch.zeros(32, 35, 5)
        return write_nemo(p, cfg, sd), "encoder.pre_encode.conv.0.weight has shape (32, 35, 5)"
    if kind == "no-key":
        del cfg["decoder"]["prednet"]["pred_hidden"]
        return write_nemo(p, cfg, sd), "missing key decoder.prednet.pred_hidden"
    raise AssertionError(kind)


KINDS = ["missing", "garbage", "truncated", "no-yaml", "bad-yaml", "vocab-space", "vocab-letter",
         "missing-weight", "rel-pos", "nemo-subsampling", "relu-joint", "batch-norm", "extra-weight",
         "shape", "no-key"]


@pytest.mark.parametrize("kind", KINDS)
def test_bad_archive_clear_error_nothing_written(tmp_path, capsys, kind):
    p, msg = _bad(tmp_path, kind)
    with pytest.raises(NemoImportError) as e:
        convert_nemo(p)
    assert msg in str(e.value)
    out = tmp_path / "out" / "ck.pt"
    with pytest.raises(SystemExit) as ex:
        nemo_main(["--nemo", str(p), "--out", str(out)])
    assert ex.value.code == 2
    err = capsys.readouterr().err
    assert "nemo import failed" in err and msg in err
    assert not out.parent.exists()


def test_export_cli_nemo_error_is_clear(tmp_path, capsys):
    from swipe.export import main as export_main

    p, _ = _bad(tmp_path, "vocab-space")
    out = tmp_path / "models" / "x"
    with pytest.raises(SystemExit) as e:
        export_main(["--checkpoint", str(p), "--out", str(out), "--skip-int8", "--skip-android",
                     "--eval-limit", "0", "--lexicon-top-n", "10"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "cannot import" in err and "vocabulary mismatch" in err
    assert not out.exists()
