"""Android artefacts of `python -m swipe.export` (default: android/), on a tiny random model:
ORT-optimized ONNX copies vs their sources, ExecuTorch .pte files run with ExecuTorch's Python
runtime vs PyTorch, model.json export.android, and the all-or-nothing commit on a failed gate.

INT8 tolerance (encoder.int8.pte vs the fp32 PyTorch encoder): the tiny model's encoder output
is a LayerNorm output (|x| <= ~3.5). Static INT8 with per-tensor activation scales rounds every
quantized Conv/Linear input to 1/255 of its calibrated range, and ~9 such layers are chained, so
a deviation of a few percent of the output range is expected; the test bounds it by 0.5 and by
the deviation of the ONNX Runtime INT8 encoder (encoder.int8.onnx) made from the same
calibration traces on the same inputs (the INT8 the product already ships), times 1.5.
"""
import json
from dataclasses import asdict

import numpy as np
import pytest
import torch

from swipe.evaluate import OnnxRunner, TorchRunner, ort_session
from swipe.export import main as export_main
from swipe.lexicon import Lexicon
from swipe.model import ModelConfig, SwipeTransducer, load_checkpoint

pytest.importorskip("executorch")

TINY1 = dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=32, conv_kernel=5, pred_embed=8,
             pred_hidden=16, joint_dim=16, ctc_weight=0.0, dropout=0.0)
ROOT = ["encoder.int8.onnx", "encoder.onnx", "joint.bin", "lexicon.tsv", "model.json",
        "predictor.int8.onnx", "predictor.onnx", "qwerty.json", "step.onnx", "weights.bin"]
ANDROID = ["encoder.android.onnx", "encoder.int8.android.onnx", "encoder.int8.pte",
           "predictor.android.onnx", "predictor.pte", "step.android.onnx", "step.pte"]
INT8_ABS_TOL = 0.5
MEASURED = {}  # max abs diffs seen by the tests, printed at the end (pytest -s) and in README


def _ckpt(path):
    torch.manual_seed(0)
    cfg = ModelConfig(**TINY1)
    torch.save({"model_cfg": asdict(cfg), "model": SwipeTransducer(cfg).state_dict()}, path)
    return path


def _lexicon(path):
    Lexicon([("the", -1.0), ("they", -2.0), ("of", -1.5), ("house", -3.0), ("a", -2.5),
             ("dynegy", -4.0)]).save(path)
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    d = tmp_path_factory.mktemp("android")
    ck = _ckpt(d / "tiny.pt")
    out = d / "models" / "tiny"
    export_main(["--checkpoint", str(ck), "--out", str(out), "--lexicon", str(_lexicon(d / "lex.tsv")),
                 "--calib-batches", "2", "--calib-batch-size", "4", "--eval-limit", "8"])
    model, _, _ = load_checkpoint(ck)
    return out, model


def test_files_and_manifest(exported):
    out, _ = exported
    assert sorted(p.name for p in out.iterdir()) == sorted(ROOT + ["android"])
    assert sorted(p.name for p in (out / "android").iterdir()) == ANDROID
    m = json.loads((out / "model.json").read_text())
    a = m["export"]["android"]
    assert a["dir"] == "android"
    assert a["files"] == {n: (out / "android" / n).stat().st_size for n in ANDROID}
    assert "android" not in m["export"]["sizes"]  # root files only: the browser build's set
    for name in ("encoder.android.onnx", "encoder.int8.android.onnx", "predictor.android.onnx",
                 "step.android.onnx"):
        assert a["onnx"][name]["maxAbsDiff"] <= 1e-4
        assert a["onnx"][name]["level"] in ("ORT_ENABLE_ALL", "ORT_ENABLE_EXTENDED")
    for name in ("predictor.pte", "step.pte"):
        assert a["pte"][name]["parity"]["maxAbsDiff"] <= 1e-4
        assert a["pte"][name]["parity"]["batches"][-1] == 64
    e = a["pte"]["encoder.int8.pte"]
    assert e["calibrationTraces"] == 8  # the 2 x 4 traces that calibrated encoder.int8.onnx
    assert e["parity"]["relativeToReferenceMax"] <= e["parity"]["tolerance"] == 0.05
    assert 0 < e["parity"]["maxAbsDiffVsFp32"] <= INT8_ABS_TOL
    assert e["xnnpackDelegates"] >= 1
    assert a["versions"]["executorch"] == "1.5.1" and a["versions"]["torch"].startswith("2.13.0")
    assert a["encoderPte"]["batch"] == 1 and a["stepPte"]["maxBatch"] == 64
    br = m["metrics"]["byRuntime"]
    assert set(br) == {"pytorch", "onnxFp32", "onnxInt8", "onnxPredInt8", "onnxInt8Both", "pteInt8"}
    assert 0 <= br["pteInt8"]["top4"] <= 1 and br["pteInt8"]["tracesPerSecond"] > 0
    MEASURED["export.android"] = {"onnx": {k: v["maxAbsDiff"] for k, v in a["onnx"].items()},
                                  "pte": {k: v["parity"] for k, v in a["pte"].items()}}


def test_android_onnx_copies_match_source(exported):
    """Each *.android.onnx loads in onnxruntime and gives its source's outputs (1e-4)."""
    out, _ = exported
    rng = np.random.default_rng(1)
    worst = {}
    for stem in ("encoder", "encoder.int8"):
        src, cp = ort_session(out / f"{stem}.onnx"), ort_session(out / "android" / f"{stem}.android.onnx")
        w = 0.0
        for B, T in [(1, 1), (1, 4), (2, 17), (4, 90), (3, 250)]:
            x = rng.normal(size=(B, 35, T)).astype(np.float32)
            ln = rng.integers(1, T + 1, size=B).astype(np.int32)
            ln[0] = T
            e1, l1 = src.run(None, {"features_bft": x, "lengths": ln})
            e2, l2 = cp.run(None, {"features_bft": x, "lengths": ln})
            assert np.array_equal(l1, l2) and l2.dtype == np.int32
            for i in range(B):
                w = max(w, float(np.abs(e1[i, : l1[i]] - e2[i, : l1[i]]).max()))
        worst[stem] = w
    for stem, with_enc in (("predictor", False), ("step", True)):
        src, cp = ort_session(out / f"{stem}.onnx"), ort_session(out / "android" / f"{stem}.android.onnx")
        w = 0.0
        for B in (1, 5, 33, 100):
            feed = {"y_prev": rng.integers(0, 28, size=B).astype(np.int64),
                    "h0": rng.normal(size=(1, B, 16)).astype(np.float32),
                    "c0": rng.normal(size=(1, B, 16)).astype(np.float32)}
            if with_enc:
                feed["enc_t"] = rng.normal(size=(B, 32)).astype(np.float32)
            for a, b in zip(src.run(None, feed), cp.run(None, feed)):
                assert a.shape == b.shape
                w = max(w, float(np.abs(a - b).max()))
        worst[stem] = w
    MEASURED["android.onnx vs source"] = worst
    assert all(v <= 1e-4 for v in worst.values()), worst


def test_pte_predictor_and_step_match_pytorch(exported):
    from swipe.pte import PteRunner

    out, model = exported
    pt, r = TorchRunner(model), PteRunner(out / "android")
    rng = np.random.default_rng(2)
    worst = 0.0
    for B in (1, 2, 17, 64, 100):  # 100 > the .pte's batch bound: PteRunner calls it in chunks
        h = (rng.normal(size=(1, B, 16)) * 0.5).astype(np.float32)
        c = (rng.normal(size=(1, B, 16)) * 0.5).astype(np.float32)
        y = rng.integers(0, 28, size=B)
        e = rng.normal(size=(B, 32)).astype(np.float32)
        for a, b in list(zip(pt.predict(y, h, c), r.predict(y, h, c))) + \
                list(zip(pt.step(y, h, c, e), r.step(y, h, c, e))):
            assert a.shape == b.shape
            worst = max(worst, float(np.abs(a - b).max()))
    MEASURED["predictor/step.pte vs PyTorch"] = worst
    assert worst <= 1e-4


def test_pte_int8_encoder_vs_pytorch_and_onnx_int8(exported):
    from swipe.pte import ENC_MAX_FRAMES, PteRunner, _run, load_method

    out, model = exported
    pt, r = TorchRunner(model), PteRunner(out / "android")
    meth = load_method(out / "android" / "encoder.int8.pte")
    o8 = OnnxRunner(out, variant="int8")
    rng = np.random.default_rng(3)
    d_pte = d_onnx = 0.0
    for T in (1, 2, 5, 37, 120, 200, ENC_MAX_FRAMES):
        x = rng.normal(size=(1, 35, T)).astype(np.float32)
        ln = np.array([T], np.int32)
        e_pt, l_pt = pt.encode(x, ln)
        e, l = _run(meth, x, ln)  # the raw program: one extra zero frame past encoded_lengths
        n = int(l_pt[0])
        assert l.dtype == np.int32 and int(l[0]) == n
        assert e.shape == (1, n + 1, 32) and not np.any(e[0, n:])
        d_pte = max(d_pte, float(np.abs(e[0, :n] - e_pt[0, :n]).max()))
        e_o, _ = o8.encode(x, ln)
        d_onnx = max(d_onnx, float(np.abs(e_o[0, :n] - e_pt[0, :n]).max()))
    # PteRunner: a padded batch is encoded item by item like the batched PyTorch call
    x = rng.normal(size=(3, 35, 60)).astype(np.float32)
    ln = np.array([60, 13, 1], np.int32)
    e_pt, l_pt = pt.encode(x, ln)
    e_r, l_r = r.encode(x, ln)
    assert np.array_equal(l_pt, l_r) and e_r.shape == e_pt.shape
    for i in range(3):
        d_pte = max(d_pte, float(np.abs(e_r[i, : l_r[i]] - e_pt[i, : l_r[i]]).max()))
    with pytest.raises(ValueError):
        r.encode(np.zeros((1, 35, ENC_MAX_FRAMES + 1), np.float32), np.array([ENC_MAX_FRAMES + 1], np.int32))
    MEASURED["encoder.int8.pte vs fp32"] = d_pte
    MEASURED["encoder.int8.onnx vs fp32"] = d_onnx
    print(f"\nmax abs diff vs PyTorch fp32: encoder.int8.pte {d_pte:.4f}, encoder.int8.onnx {d_onnx:.4f}")
    assert d_pte <= INT8_ABS_TOL
    assert d_pte <= 1.5 * d_onnx


def test_parity_failure_stops_and_writes_nothing(tmp_path, capsys, monkeypatch):
    """A failing Android gate (forced: every comparison reports a diff of 1) stops the CLI with
    a clear message; nothing is written, no temp folder is left."""
    import swipe.android_onnx as ao

    monkeypatch.setattr(ao, "max_abs_diff", lambda a, b: 1.0)
    out = tmp_path / "models" / "tiny"
    with pytest.raises(SystemExit) as e:
        export_main(["--checkpoint", str(_ckpt(tmp_path / "t.pt")), "--out", str(out), "--skip-int8",
                     "--eval-limit", "0", "--lexicon", str(_lexicon(tmp_path / "lex.tsv"))])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "android parity gate failed" in err and "encoder.android.onnx" in err
    assert "nothing was written" in err
    assert not out.exists() and not list(out.parent.glob(".tiny.*"))


def test_nchwc_layout_falls_back_to_extended(tmp_path):
    """ORT_ENABLE_ALL can write x86-only NCHWc nodes (2-D convs); such a copy is redone at
    ORT_ENABLE_EXTENDED so that it runs on ARM."""
    import onnxruntime as ort

    from swipe.android_onnx import hardware_specific_nodes, optimized_copy

    src = tmp_path / "conv2d.onnx"
    torch.onnx.export(torch.nn.Sequential(torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU()).eval(),
                      (torch.randn(1, 16, 16, 16),), str(src), dynamo=False, opset_version=17)
    probe = tmp_path / "probe.onnx"
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.optimized_model_filepath = str(probe)
    so.log_severity_level = 3
    ort.InferenceSession(str(src), so, providers=["CPUExecutionProvider"])
    if not hardware_specific_nodes(probe):
        pytest.skip("onnxruntime made no NCHWc nodes on this CPU")
    info = optimized_copy(src, tmp_path / "conv2d.android.onnx")
    assert info["level"] == "ORT_ENABLE_EXTENDED" and "note" in info
    assert not hardware_specific_nodes(tmp_path / "conv2d.android.onnx")


def test_zz_report_measured():
    print("\nmeasured:", json.dumps(MEASURED, indent=1))
