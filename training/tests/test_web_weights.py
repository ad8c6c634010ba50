"""weights.bin (swipe-weights-v1, swipe/web_weights.py): the encoder's and the LSTM predictor's
weights for the engine's own WebAssembly runtime. Round trip on a tiny random model, the float16
rule (only where lossless), what is left out, the 16-byte alignment, the header, bad input; and a
stateless-predictor export that writes no weights.bin (the LSTM export: test_export.py)."""
import json
import struct
from dataclasses import asdict

import numpy as np
import pytest
import torch

from swipe.model import ModelConfig, SwipeTransducer
from swipe.web_weights import FORMAT, MAGIC, main as web_weights_main, read_weights, write_weights

TINY = dict(d_model=32, num_layers=2, num_heads=2, ffn_dim=32, conv_kernel=5, pred_embed=8,
            pred_hidden=16, joint_dim=16, ctc_weight=0.3, dropout=0.0)
LEFT_OUT = ("ctc_head.", "joint_enc.", "joint_out.")
CONFIG_KEYS = ("d_model", "num_layers", "num_heads", "ffn_dim", "conv_kernel", "num_features",
               "pred_embed", "pred_hidden", "pred_layers", "joint_dim", "vocab_size")


def _model(**over):
    torch.manual_seed(0)
    return SwipeTransducer(ModelConfig(**{**TINY, **over})).eval()


def _header(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<I", raw[4:8])
    return raw, n, json.loads(raw[8:8 + n].decode())


def _inference(model):
    return {k: v.detach().numpy() for k, v in model.state_dict().items() if not k.startswith(LEFT_OUT)}


def _half_exact(a):
    return np.array_equal(a.astype(np.float16).astype(np.float32), a)


@pytest.mark.parametrize("pred_layers", [1, 2])
def test_round_trip_every_inference_tensor_exactly(tmp_path, pred_layers):
    model = _model(pred_layers=pred_layers)
    info = write_weights(model, tmp_path / "weights.bin")
    config, tensors = read_weights(tmp_path / "weights.bin")
    want = _inference(model)
    # exactly the inference tensors, in the state_dict's order; no CTC head, no joint_enc/joint_out
    assert list(tensors) == list(want)
    assert "ctc_head.weight" in model.state_dict() and not any(k.startswith(LEFT_OUT) for k in tensors)
    assert {"joint_pred.weight", "joint_pred.bias", "embed.weight", f"lstm.weight_hh_l{pred_layers - 1}"} <= set(tensors)
    for k, v in want.items():
        assert tensors[k].dtype == np.float32 and tensors[k].shape == v.shape, k
        assert np.array_equal(tensors[k], v), k
    assert config == {k: getattr(model.cfg, k) for k in CONFIG_KEYS}
    assert config["pred_layers"] == pred_layers and config["num_layers"] == 2
    raw, n, header = _header(tmp_path / "weights.bin")
    assert raw[:4] == MAGIC and header["format"] == FORMAT and header["config"] == config
    assert info == {"bytes": len(raw), "tensors": len(want)}
    # the data start and every tensor's offset on 16 bytes; the tensors in order, not overlapping
    base = -(-(8 + n) // 16) * 16
    assert raw[8 + n:base] == b"\0" * (base - 8 - n)
    end = 0
    for t in header["tensors"]:
        assert t["offset"] % 16 == 0 and t["offset"] >= end, t
        assert t["shape"] == list(want[t["name"]].shape)
        end = t["offset"] + {"float16": 2, "float32": 4}[t["dtype"]] * int(np.prod(t["shape"]))
    assert base + end <= len(raw) == base + -(-end // 16) * 16


def test_float16_only_where_lossless(tmp_path):
    model = _model()
    write_weights(model, tmp_path / "random.bin")
    _, _, header = _header(tmp_path / "random.bin")
    sd = _inference(model)
    dtypes = {t["name"]: t["dtype"] for t in header["tensors"]}
    # random float32 weights are not float16 values; LayerNorm's ones and zeros are
    for k, v in sd.items():
        assert dtypes[k] == ("float16" if _half_exact(v) else "float32"), k
    assert dtypes["blocks.0.att.qkv.weight"] == "float32" and dtypes["blocks.0.ff1.norm.weight"] == "float16"
    # the weights cast to float16 and back (a float16 checkpoint, checkpoint.slim): all float16, half the bytes
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    write_weights(model, tmp_path / "half.bin")
    _, _, header = _header(tmp_path / "half.bin")
    assert {t["dtype"] for t in header["tensors"]} == {"float16"}
    _, tensors = read_weights(tmp_path / "half.bin")
    for k, v in _inference(model).items():
        assert np.array_equal(tensors[k], v), k
    assert (tmp_path / "half.bin").stat().st_size < 0.6 * (tmp_path / "random.bin").stat().st_size
    # one value float16 cannot hold (0.1) keeps that tensor, and only it, float32, exactly
    with torch.no_grad():
        model.in_proj.bias[3] = 0.1
    write_weights(model, tmp_path / "one.bin")
    _, _, header = _header(tmp_path / "one.bin")
    assert [t["name"] for t in header["tensors"] if t["dtype"] == "float32"] == ["in_proj.bias"]
    _, tensors = read_weights(tmp_path / "one.bin")
    assert tensors["in_proj.bias"][3] == np.float32(0.1)
    assert np.array_equal(tensors["in_proj.bias"], model.in_proj.bias.detach().numpy())


def test_stateless_predictor_refused(tmp_path):
    model = _model(pred_type="stateless", pred_context=2)
    with pytest.raises(ValueError, match="stateless"):
        write_weights(model, tmp_path / "weights.bin")
    assert not (tmp_path / "weights.bin").exists()


def test_corrupt_files_raise_value_error(tmp_path):
    good = tmp_path / "weights.bin"
    write_weights(_model(), good)
    raw = good.read_bytes()
    cases = {
        "magic": b"SWJ1" + raw[4:],
        "empty": b"",
        "short": raw[:6],
        "truncated": raw[:-20],  # the last tensor runs past the end
        "format": raw.replace(b'"format":"swipe-weights-v1"', b'"format":"swipe-weights-v9"'),
        "header": raw[:8] + b"x" + raw[9:],  # not JSON
    }
    # valid JSON of the wrong shape: not an object, a tensor entry without its dtype
    n = struct.unpack("<I", raw[4:8])[0]
    for name, text in {"array": b"[1]", "no-dtype": raw[8:8 + n].replace(b'"dtype":', b'"dtipe":', 1)}.items():
        cases[name] = raw[:4] + struct.pack("<I", len(text)) + text + b"\0" * (16 - (8 + len(text)) % 16) + b"\0" * 64
    for name, data in cases.items():
        p = tmp_path / f"{name}.bin"
        p.write_bytes(data)
        with pytest.raises(ValueError):
            read_weights(p)
    with pytest.raises(ValueError, match="runs past the end"):
        read_weights(tmp_path / "truncated.bin")
    with pytest.raises(ValueError, match="not a swipe-weights-v1 file"):
        read_weights(tmp_path / "magic.bin")


def test_cli_from_a_checkpoint(tmp_path, capsys):
    model = _model()
    torch.save({"model_cfg": asdict(model.cfg), "model": model.state_dict()}, tmp_path / "t.pt")
    web_weights_main(["--checkpoint", str(tmp_path / "t.pt"), "--out", str(tmp_path / "w.bin")])
    assert "tensors" in capsys.readouterr().out
    _, tensors = read_weights(tmp_path / "w.bin")
    for k, v in _inference(model).items():
        assert np.array_equal(tensors[k], v), k


def test_export_of_a_stateless_model_writes_no_weights_bin(tmp_path):
    from swipe.export import main as export_main
    from swipe.lexicon import Lexicon

    model = _model(num_layers=1, pred_type="stateless", pred_context=2, ctc_weight=0.0)
    ck = tmp_path / "s.pt"
    torch.save({"model_cfg": asdict(model.cfg), "model": model.state_dict()}, ck)
    lex = tmp_path / "lex.tsv"
    Lexicon([("the", -1.0), ("of", -1.5)]).save(lex)
    out = tmp_path / "models" / "s"
    export_main(["--checkpoint", str(ck), "--out", str(out), "--skip-int8", "--skip-android",
                 "--eval-limit", "0", "--lexicon", str(lex)])
    m = json.loads((out / "model.json").read_text())
    assert not (out / "weights.bin").exists() and "native" not in m
    assert "nativeWeights" not in m["export"]["parity"] and m["predictor"]["context"] == 2


def test_export_stops_when_weights_bin_differs_from_the_model(tmp_path, capsys, monkeypatch):
    """A weights.bin that does not hold the model's weights (forced: one bias changed) fails the
    export's gate like the other parity checks: exit status 2, nothing written, no temp folder."""
    import copy

    import swipe.export as export
    from swipe.lexicon import Lexicon

    def wrong(model, path):
        m = copy.deepcopy(model)
        with torch.no_grad():
            m.in_proj.bias[0] += 1
        return write_weights(m, path)

    monkeypatch.setattr(export, "write_weights", wrong)
    model = _model(num_layers=1, ctc_weight=0.0)
    ck = tmp_path / "t.pt"
    torch.save({"model_cfg": asdict(model.cfg), "model": model.state_dict()}, ck)
    lex = tmp_path / "lex.tsv"
    Lexicon([("the", -1.0), ("of", -1.5)]).save(lex)
    out = tmp_path / "models" / "t"
    with pytest.raises(SystemExit) as e:
        export.main(["--checkpoint", str(ck), "--out", str(out), "--skip-int8", "--skip-android",
                     "--eval-limit", "0", "--lexicon", str(lex)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "export failed" in err and "weights.bin: in_proj.bias differs" in err
    assert not out.exists() and not list(out.parent.glob(".t.*"))
