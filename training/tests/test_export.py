"""Export of a tiny random SwipeTransducer: ONNX round trip, INT8, model.json, golden, bad input."""
import json
from dataclasses import asdict

import numpy as np
import pytest
import torch

from swipe.evaluate import OnnxRunner, TorchRunner
from swipe.export import main as export_main
from swipe.lexicon import Lexicon
from swipe.model import ModelConfig, SwipeTransducer
from swipe.rescore import Geometry, RescoreParams, trace_penalty
from swipe.vocab import TOKENS

TINY = dict(d_model=32, num_layers=2, num_heads=2, ffn_dim=32, conv_kernel=5, pred_embed=8,
            pred_hidden=16, joint_dim=16, ctc_weight=0.0, dropout=0.0)


def _ckpt(path, **over):
    torch.manual_seed(0)
    cfg = ModelConfig(**{**TINY, **over})
    m = SwipeTransducer(cfg)
    torch.save({"model_cfg": asdict(cfg), "model": m.state_dict()}, path)
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    d = tmp_path_factory.mktemp("exp")
    ck = _ckpt(d / "tiny.pt")
    lex = d / "lex.tsv"
    Lexicon([("the", -1.0), ("they", -2.0), ("of", -1.5), ("house", -3.0), ("a", -2.5),
             ("dynegy", -4.0)]).save(lex)
    out = d / "models" / "tiny"
    # --skip-android: the android/ folder (the default) and its ExecuTorch lowering, which takes
    # most of a minute even for a tiny model, are tested in test_android.py
    export_main(["--checkpoint", str(ck), "--out", str(out), "--lexicon", str(lex),
                 "--calib-batches", "2", "--calib-batch-size", "4", "--eval-limit", "12",
                 "--golden", str(d / "golden"), "--skip-android", "--max-frames", "128"])
    return d, ck, out


def test_files_and_manifest(exported):
    d, _, out = exported
    names = sorted(p.name for p in out.iterdir())
    # the browser's files; without --skip-android there is also an android/ folder (its
    # listing: test_android.py::test_files_and_manifest)
    assert names == ["encoder.int8.onnx", "encoder.onnx", "joint.bin", "lexicon.tsv", "model.json",
                     "predictor.int8.onnx", "predictor.onnx", "qwerty.json", "step.onnx", "weights.bin"]
    m = json.loads((out / "model.json").read_text())
    assert m["export"]["android"] is None
    assert m["formatVersion"] == 1 and m["name"] == "tiny" and m["vocab"] == TOKENS
    assert m["blankId"] == 27 and m["step"]["startToken"] == 27
    assert m["features"]["maxFrames"] == 128  # --max-frames; training's M is 200
    assert m["encoder"]["dim"] == 32 and m["step"]["layers"] == 1 and m["step"]["hidden"] == 16
    assert m["encoder"]["variants"] == {"fp32": "encoder.onnx", "int8": "encoder.int8.onnx"}
    assert m["export"]["parity"]["encoderFp32"]["maxAbsDiff"] <= 1e-4
    assert m["export"]["parity"]["predictorFp32"]["maxAbsDiff"] <= 1e-4
    assert m["export"]["parity"]["jointFloat64"]["maxAbsDiff"] <= 1e-4
    assert m["predictor"]["jointDim"] == m["joint"]["dim"] and m["joint"]["encDim"] == 32
    assert m["joint"]["format"] == "swipe-joint-v1" and m["joint"]["vocabSize"] == 28
    assert (out / "joint.bin").stat().st_size == 16 + 4 * (m["joint"]["dim"] * (32 + 1 + 28) + 28)
    st = json.loads((d / "golden" / "step.json").read_text())
    assert all("pred_proj" in c for c in st["cases"])
    assert m["export"]["sizes"]["encoder.onnx"] == (out / "encoder.onnx").stat().st_size
    assert m["metrics"]["traces"] == 12
    assert set(m["metrics"]["byRuntime"]) == {"pytorch", "onnxFp32", "onnxInt8", "onnxPredInt8", "onnxInt8Both"}
    assert m["predictor"]["variants"] == {"fp32": "predictor.onnx", "int8": "predictor.int8.onnx"}
    pq = m["export"]["predictorInt8"]
    # the predictor is written as its LSTM cell: no LSTM op; its recurrent matmul is INT8 too
    assert pq["opTypes"] == ["MatMul", "Gemm"] and "LSTM" not in pq["opsAfter"] and "MatMulInteger" in pq["opsAfter"]
    for k in ("pred_proj", "h1", "c1"):
        assert 0 < pq["maxAbsDiffVsFp32"][k] <= 0.05 * max(1.0, pq["maxAbsFp32"][k]), (k, pq)
    # a real, small quantization error: nonzero, and a few per cent of the output's range at most
    assert 0 < pq["maxAbsDiffVsFp32"]["pred_proj"] < 0.05 * pq["maxAbsFp32"]["pred_proj"]
    assert "top4LossPoints" in pq
    # the browser's four files hold ORT-optimized graphs, each checked against its plain graph
    assert m["encoder"]["preOptimized"] == m["predictor"]["preOptimized"] == "ORT_ENABLE_EXTENDED"
    po = m["export"]["preOptimized"]
    assert set(po) == {"encoder.onnx", "encoder.int8.onnx", "predictor.onnx", "predictor.int8.onnx"}
    assert all(v["nodes"] < v["sourceNodes"] and v["maxAbsDiffVsPlain"] <= 1e-4 for v in po.values())
    assert m["lexicon"]["size"] == 6
    assert not list(out.parent.glob(".tiny.*"))  # no temp folder left
    g = json.loads((d / "golden" / "beam.json").read_text())
    assert g["cases"] and all(set(c["words"]) <= {"the", "they", "of", "house", "a", "dynegy"}
                              for c in g["cases"])


def test_native_weights_written_checked_and_in_the_manifest(exported):
    """weights.bin (the engine's own WebAssembly runtime): every inference tensor of the checkpoint
    exactly, model.json "native" right after "joint" (off by default), its parity record, size and
    the golden vectors' sha256."""
    import hashlib

    from swipe.model import load_checkpoint
    from swipe.web_weights import read_weights

    d, ck, out = exported
    m = json.loads((out / "model.json").read_text())
    assert m["native"] == {"file": "weights.bin", "format": "swipe-weights-v1", "default": False}
    keys = list(m)
    assert keys.index("native") == keys.index("joint") + 1
    model, cfg, _ = load_checkpoint(ck)
    config, tensors = read_weights(out / "weights.bin")
    assert config["d_model"] == 32 and config["pred_hidden"] == 16 and config["vocab_size"] == 28
    sd = {k: v for k, v in model.state_dict().items()
          if not k.startswith(("ctc_head.", "joint_enc.", "joint_out."))}
    assert list(tensors) == list(sd)
    for k, v in sd.items():
        assert np.array_equal(tensors[k], v.numpy()), k
    assert m["export"]["parity"]["nativeWeights"]["exact"] is True
    assert m["export"]["parity"]["nativeWeights"]["tensors"] == len(sd)
    assert m["export"]["sizes"]["weights.bin"] == (out / "weights.bin").stat().st_size
    g = json.loads((d / "golden" / "encoder.json").read_text())
    assert g["native"] == "weights.bin"
    assert g["nativeSha256"] == hashlib.sha256((out / "weights.bin").read_bytes()).hexdigest()


def test_onnx_dynamic_batch_and_time_matches_torch(exported):
    _, ck, out = exported
    from swipe.model import load_checkpoint

    model, _, _ = load_checkpoint(ck)
    pt, on = TorchRunner(model), OnnxRunner(out, variant="fp32")
    rng = np.random.default_rng(0)
    for B, T in [(1, 3), (2, 17), (4, 90), (3, 250)]:
        x = rng.normal(size=(B, 35, T)).astype(np.float32)
        ln = rng.integers(1, T + 1, size=B).astype(np.int32)
        ln[0] = T
        e1, l1 = pt.encode(x, ln)
        e2, l2 = on.encode(x, ln)
        assert np.array_equal(l1, l2)
        for i in range(B):
            assert np.abs(e1[i, : l1[i]] - e2[i, : l2[i]]).max() < 1e-4
        h = rng.normal(size=(1, B, 16)).astype(np.float32)
        y = rng.integers(0, 28, size=B)
        a, b = pt.step(y, h, h.copy(), e1[:, 0]), on.step(y, h, h.copy(), e1[:, 0])
        for u, v in zip(a, b):
            assert np.abs(u - v).max() < 1e-4
        a, b = pt.predict(y, h, h.copy()), on.predict(y, h, h.copy())
        for u, v in zip(a, b):
            assert np.abs(u - v).max() < 1e-4
        # the float64 joint of joint.bin reproduces the step logits
        lo = on.step(y, h, h.copy(), e1[:, 0])[0]
        ep = on.joint_enc(e1[:, 0])
        for i in range(B):
            assert np.abs(on.joint_logits(ep[i], b[0][i:i + 1])[0] - lo[i]).max() < 1e-4


@pytest.mark.parametrize("kind", ["missing", "garbage", "vocab"])
def test_bad_checkpoint_clear_error_nothing_written(tmp_path, capsys, kind):
    out = tmp_path / "models" / "bad"
    if kind == "missing":
        ck = tmp_path / "nope.pt"
    elif kind == "garbage":
        ck = tmp_path / "bad.pt"
        ck.write_bytes(b"not a checkpoint")
    else:
        ck = _ckpt(tmp_path / "v30.pt", vocab_size=30)
    with pytest.raises(SystemExit) as e:
        export_main(["--checkpoint", str(ck), "--out", str(out), "--skip-int8",
                     "--eval-limit", "0", "--lexicon-top-n", "10"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "export failed" in err
    assert {"missing": "not found", "garbage": "cannot load", "vocab": "vocabulary mismatch"}[kind] in err
    assert not out.exists()
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").iterdir())


def test_preoptimized_graph_parity_failure_stops_and_writes_nothing(tmp_path, capsys, monkeypatch):
    """A pre-optimized browser graph that differs from its plain graph (forced) stops the CLI;
    nothing is written, no temp folder is left."""
    import swipe.web_onnx as wo

    monkeypatch.setattr(wo, "check_copy", lambda src, dst, feeds, int8=False: 0.5)
    out = tmp_path / "models" / "tiny"
    lex = tmp_path / "lex.tsv"
    Lexicon([("the", -1.0), ("of", -1.5)]).save(lex)
    with pytest.raises(SystemExit) as e:
        export_main(["--checkpoint", str(_ckpt(tmp_path / "t.pt")), "--out", str(out), "--skip-int8",
                     "--skip-android", "--eval-limit", "0", "--lexicon", str(lex)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "offline graph optimization parity gate failed" in err and "encoder.onnx" in err
    assert not out.exists() and not list(out.parent.glob(".tiny.*"))


GOLDEN = __import__("pathlib").Path(__file__).resolve().parents[2] / "test" / "fixtures" / "golden"


def _golden_model():
    import hashlib

    p = GOLDEN / "beam.json"
    if not p.exists():
        pytest.skip("no golden vectors")
    g = json.loads(p.read_text())
    d = GOLDEN.parents[2] / "public" / "models" / g["model"]
    if not (d / "encoder.onnx").exists() or \
            hashlib.sha256((d / "encoder.onnx").read_bytes()).hexdigest() != g["encoderSha256"]:
        pytest.skip(f"model folder {d} absent or not the one the golden vectors were made with")
    return g, d


def test_committed_golden_reproduced():
    """The reference decoder still reproduces the committed golden vectors (first few cases)."""
    from swipe.beam_search import BeamConfig, beam_search
    from swipe.data import load_layout
    from swipe.evaluate import pad_batch, trace_features

    g, d = _golden_model()
    r = OnnxRunner(d, variant="fp32", predictor_variant="fp32")
    lex = Lexicon.load(d / g["lexicon"])
    layout = load_layout(d / g["layout"])
    dc = g["decoding"]
    cfg = BeamConfig(dc["beam"], dc["prune"], dc["maxSymbolsPerFrame"], dc["priorWeight"], dc["topK"],
                     floor_margin=dc.get("floorMargin"),
                     rescore=RescoreParams.from_manifest(dc.get("rescore")))
    geometry = Geometry(layout)
    for case in g["cases"][:4]:
        x, ln = pad_batch([trace_features(case, layout, r.feature_kwargs)])
        enc, el = r.encode(x, ln)
        assert int(el[0]) == case["encodedLength"]
        res = beam_search(r, enc[0, : int(el[0])], lex, cfg,
                          penalty=trace_penalty(case, geometry, cfg.rescore))
        assert [w for w, _ in res] == case["words"]
        np.testing.assert_allclose([s for _, s in res], case["scores"], atol=g["tolerance"]["scoreAbs"])
    enc_g = json.loads((GOLDEN / "encoder.json").read_text())
    c0 = enc_g["cases"][0]
    f = np.asarray(c0["features"], np.float32)
    enc, el = r.encode(f.T[None].copy(), np.array([f.shape[0]], np.int32))
    assert np.abs(enc[0, : int(el[0])] - np.asarray(c0["encoded"], np.float32)).max() < 1e-4
    st = json.loads((GOLDEN / "step.json").read_text())["cases"][-1]
    pp = r.predict(np.array(st["y_prev"], np.int64), np.asarray(st["h0"], np.float32),
                   np.asarray(st["c0"], np.float32))[0]
    assert np.abs(pp - np.asarray(st["pred_proj"], np.float32)).max() < 1e-4
    out = r.step(np.array(st["y_prev"], np.int64), np.asarray(st["h0"], np.float32),
                 np.asarray(st["c0"], np.float32), np.asarray(st["enc_t"], np.float32))
    for a, k in zip(out, ("logits", "h1", "c1")):
        assert np.abs(a - np.asarray(st[k], np.float32)).max() < 1e-4


def test_redecode_changes_decoding_and_metrics_not_the_networks(exported, tmp_path):
    import hashlib
    import shutil

    from swipe.redecode import main as redecode_main

    _, ck, out = exported
    model = tmp_path / "tiny"
    shutil.copytree(out, model)
    before = json.loads((model / "model.json").read_text())
    sha = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in model.glob("*.onnx")}
    redecode_main(["--model", str(model), "--checkpoint", str(ck), "--rescore",
                   "loc=0.5,shape=16,ends=1,letter=0.9", "--max-frames", "50", "--beam", "12", "--eval-limit", "6",
                   "--golden", str(tmp_path / "golden")])
    m = json.loads((model / "model.json").read_text())
    assert m["decoding"] == {**before["decoding"], "beam": 12,
                             "rescore": {"points": 48, "loc": 0.5, "shape": 16.0, "ends": 1.0, "letter": 0.9}}
    assert "--beam 12" in m["metrics"]["command"]
    assert m["metrics"]["decodingSpec"] == "swipe-beam-v4" and m["metrics"]["traces"] == 6
    assert m["features"] == {**before["features"], "maxFrames": 50}
    assert "--rescore loc=0.5,shape=16.0,ends=1.0,letter=0.9,points=48" in m["metrics"]["command"]
    assert m["metrics"]["lexicon"] == before["lexicon"]["source"]
    assert set(m["metrics"]["byRuntime"]) >= {"pytorch", "onnxFp32"}
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in model.glob("*.onnx")} == sha
    # the INT8 verdict follows the re-measured loss instead of keeping the export's
    loss = m["export"]["int8"]["top4LossPoints"]
    assert f"gate {'passed' if loss <= 0.3 else 'failed'} (top-4 loss {loss} points)" in m["encoder"]["defaultChoice"]
    g = json.loads((tmp_path / "golden" / "beam.json").read_text())
    assert g["decoding"]["rescore"]["letter"] == 0.9 and "swipe-beam-v4" in g["tolerance"]["note"]
    redecode_main(["--model", str(model), "--checkpoint", str(ck), "--rescore", "off", "--eval-limit", "6"])
    assert "rescore" not in json.loads((model / "model.json").read_text())["decoding"]


def test_update_variant_choice_keeps_a_bench_chosen_int8_only_while_its_accuracy_holds():
    from swipe.export import INT8_TOP4_GATE, update_variant_choice

    variants = {"fp32": "encoder.onnx", "int8": "encoder.int8.onnx"}
    enc = {"file": "encoder.int8.onnx", "variants": variants}
    update_variant_choice(enc, 0.1)
    assert enc["file"] == "encoder.int8.onnx" and enc["defaultChoice"].startswith("int8: ")
    assert "gate passed (top-4 loss 0.1 points)" in enc["defaultChoice"]
    update_variant_choice(enc, 100 * (0.902 - 0.899))  # 6 traces of 2000: exactly the gate, in floats above it
    assert enc["file"] == "encoder.int8.onnx" and "gate passed (top-4 loss 0.3 points)" in enc["defaultChoice"]
    update_variant_choice(enc, INT8_TOP4_GATE + 0.05)
    assert enc["file"] == "encoder.onnx" and enc["defaultChoice"].startswith("fp32: ")
    assert "gate failed" in enc["defaultChoice"]
    # passing again does not bring INT8 back: the speed half is the bench's to decide
    update_variant_choice(enc, 0.0)
    assert enc["file"] == "encoder.onnx" and "gate passed" in enc["defaultChoice"]
    lone = {"file": "encoder.onnx", "variants": {"fp32": "encoder.onnx"}}
    update_variant_choice(lone, None)
    assert lone["file"] == "encoder.onnx" and "not measured" in lone["defaultChoice"]
    pred = {"file": "predictor.int8.onnx", "variants": {"fp32": "predictor.onnx", "int8": "predictor.int8.onnx"}}
    update_variant_choice(pred, 0.05, "predictor")
    assert pred["file"] == "predictor.int8.onnx" and "its search is faster" in pred["defaultChoice"]
    update_variant_choice(pred, None, "predictor")  # not re-measured: back to fp32
    assert pred["file"] == "predictor.onnx"


@pytest.mark.parametrize("layers", [1, 2])
def test_lstm_cell_module_is_the_predictor_step(layers, tmp_path):
    """predictor.onnx's LSTM written as its cell (no LSTM op) computes model.predict_step +
    joint_pred: same outputs within float32 rounding, every token, 1 and 2 layers."""
    from swipe.export import lstm_cell_module
    from swipe.model import load_checkpoint

    model, _, _ = load_checkpoint(_ckpt(tmp_path / "t.pt", pred_layers=layers))
    model.eval()
    cell = lstm_cell_module(model)
    g = torch.Generator().manual_seed(layers)
    for b in (1, 5, 28):
        y = torch.arange(b) % len(TOKENS)
        h = torch.randn(layers, b, model.cfg.pred_hidden, generator=g)
        c = torch.randn(layers, b, model.cfg.pred_hidden, generator=g)
        with torch.no_grad():
            p, h1, c1 = model.predict_step(y, h, c)
            want = (model.joint_pred(p), h1, c1)
            got = cell(y, h, c)
        for w, o in zip(want, got):
            assert w.shape == o.shape
            assert torch.allclose(w, o, atol=1e-6, rtol=0), float((w - o).abs().max())


def test_calibration_methods_parse_and_bad_ones_fail_early(tmp_path, capsys):
    from swipe.export import ExportError, calibration_method

    assert calibration_method("minmax") == ("MinMax", {}, "MinMax")
    assert calibration_method("Percentile") == ("Percentile", {"CalibPercentile": 99.99}, "Percentile 99.99")
    assert calibration_method("percentile:99.999")[1] == {"CalibPercentile": 99.999}
    assert calibration_method("entropy")[0] == "Entropy"
    for bad in ("percentile:40", "percentile:x", "minmax:3", "kl"):
        with pytest.raises(ExportError, match="--calib-method"):
            calibration_method(bad)
    # the CLI refuses it before exporting anything
    out = tmp_path / "models" / "m"
    with pytest.raises(SystemExit):
        export_main(["--checkpoint", str(_ckpt(tmp_path / "t.pt")), "--out", str(out), "--calib-method", "kl"])
    assert "--calib-method" in capsys.readouterr().err and not out.parent.exists()


def test_histogram_calibration_quantizes_batches_of_different_lengths(exported, tmp_path):
    import onnx

    from swipe.data import load_layout
    from swipe.evaluate import split_path
    from swipe.data import load_traces
    from swipe.export import ExportError, pad_to_common_length, quantize_encoder

    x1, x2 = np.ones((2, 35, 5), np.float32), np.ones((3, 35, 9), np.float32)
    padded = pad_to_common_length([(x1, np.array([5, 4])), (x2, np.array([9, 9, 2]))])
    assert [x.shape for x, _ in padded] == [(2, 35, 9), (3, 35, 9)]
    assert padded[0][0][:, :, 5:].sum() == 0 and padded[0][1].tolist() == [5, 4]
    _, _, out = exported
    traces = load_traces(split_path("dev"), limit=40)
    # the tiny random model's activations are so small that a clipped range gives its convs'
    # biases no int32 scale (onnxruntime 1.32; the real model's are fine): a clear error
    with pytest.raises(ExportError, match=r"Percentile 99.99.*--exclude-nodes"):
        quantize_encoder(out / "encoder.onnx", tmp_path / "bad.onnx", traces, load_layout(), 4, 4, [],
                         calib_method="percentile")
    # its matrix products (no bias inside the quantized op) quantize
    info = quantize_encoder(out / "encoder.onnx", tmp_path / "enc.int8.onnx", traces, load_layout(),
                            4, 4, [], op_types=("MatMul",), calib_method="percentile")
    assert info["activations"] == "uint8 asymmetric per-tensor (Percentile 99.99)"
    ops = {n.op_type for n in onnx.load(str(tmp_path / "enc.int8.onnx")).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
