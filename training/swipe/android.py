"""The Android artefacts of an export: <model>/android/ (built by python -m swipe.export).

    encoder.android.onnx, encoder.int8.android.onnx, predictor.android.onnx, step.android.onnx
                        ORT-optimized copies (swipe/android_onnx.py)
    encoder.int8.pte, predictor.pte, step.pte
                        ExecuTorch XNNPACK programs (swipe/pte.py)

The Android app also needs the model folder's shared files (model.json, joint.bin, lexicon.tsv,
qwerty.json); they are not copied. Every file is checked before the export commits:
  *.android.onnx  vs its source ONNX, onnxruntime CPU, within tol;
  predictor.pte / step.pte  vs PyTorch at B = 1, 3, 16, 40, 64, within tol;
  encoder.int8.pte  encoded_lengths exact, frames past them zero, and vs the PT2E INT8
                    reference (the converted PyTorch module, i.e. the same quantized graph run by
                    PyTorch) within int8_tol x max |reference|: XNNPACK's int8 kernels requantize
                    with their own rounding, so the two differ by a few quantization steps, while a
                    lowering bug gives errors of the order of the output itself; its deviation
                    from the fp32 PyTorch encoder is recorded (informative, like the ONNX INT8's).
Any failure raises AndroidError.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import android_onnx, pte
from .vocab import TOKENS

ANDROID_DIR = "android"
STEP_BATCHES = (1, 3, 16, 40, pte.MAX_BATCH)


class AndroidError(RuntimeError):
    pass


def _check_steps(model, method, with_enc: bool, tol: float, what: str) -> dict:
    from .evaluate import TorchRunner

    tr = TorchRunner(model)
    rng = np.random.default_rng(11 if with_enc else 12)
    d = model.joint_enc.in_features
    worst = 0.0
    for b in STEP_BATCHES:
        h, _ = model.initial_state(b)
        h = (rng.normal(size=tuple(h.shape)) * 0.5).astype(np.float32)
        c = (rng.normal(size=h.shape) * 0.5).astype(np.float32)
        y = rng.integers(0, len(TOKENS), size=b).astype(np.int64)
        if with_enc:
            e = rng.normal(size=(b, d)).astype(np.float32)
            ref, out = tr.step(y, h, c, e), pte._run(method, y, h, c, e)
        else:
            ref, out = tr.predict(y, h, c), pte._run(method, y, h, c)
        for a, o in zip(ref, out):
            worst = max(worst, android_onnx.max_abs_diff(a, o))
    if not worst <= tol:
        raise AndroidError(f"{what} vs PyTorch: max abs diff {worst:.3g} > {tol} (B = {list(STEP_BATCHES)})")
    return {"maxAbsDiff": worst, "batches": list(STEP_BATCHES), "tolerance": tol}


def item_batches(batches):
    """[(x (B,35,T), ln (B))] -> [(x (1,35,ln_i), ln_i)] for every item: what a batch-1
    encoder sees for the same traces (no padding)."""
    out = []
    for x, ln in batches:
        for i in range(x.shape[0]):
            n = int(ln[i])
            out.append((np.ascontiguousarray(x[i:i + 1, :, :n]), np.array([n], np.int32)))
    return out


def check_encoder_int8(model, reference, method, items, int8_tol: float) -> dict:
    """items: [(x (1,35,T), ln (1))]. reference: the converted PT2E module."""
    import torch

    from .evaluate import TorchRunner

    tr = TorchRunner(model)
    vs_ref = vs_fp32 = scale = 0.0
    frames = []
    for x, ln in items:
        e_pt, l_pt = tr.encode(x, ln)
        with torch.no_grad():
            e_q, _ = reference(torch.from_numpy(x), torch.from_numpy(ln))
        e_q = e_q.numpy()
        e, l = pte._run(method, x, ln)
        n = int(l_pt[0])
        if int(l[0]) != n or l.dtype != np.int32:
            raise AndroidError(f"{pte.ENC_FILE}: encoded_lengths {l.tolist()} ({l.dtype}) != {l_pt.tolist()} "
                               f"at T = {x.shape[2]}")
        if e.shape[1] != n + 1 or np.any(e[0, n:] != 0):
            raise AndroidError(f"{pte.ENC_FILE}: expected {n + 1} frames, zeros past encoded_lengths; "
                               f"got shape {e.shape}")
        vs_ref = max(vs_ref, android_onnx.max_abs_diff(e_q[0, :n], e[0, :n]))
        scale = max(scale, float(np.max(np.abs(e_q[0, :n]))))
        vs_fp32 = max(vs_fp32, android_onnx.max_abs_diff(e_pt[0, :n], e[0, :n]))
        frames.append(int(x.shape[2]))
    rel = vs_ref / max(scale, 1e-6)
    if not rel <= int8_tol:
        raise AndroidError(f"{pte.ENC_FILE} vs its PT2E INT8 reference: max abs diff {vs_ref:.3g} = "
                           f"{rel:.3g} x max |reference| ({scale:.3g}) > {int8_tol}")
    return {"maxAbsDiffVsInt8Reference": vs_ref, "relativeToReferenceMax": rel, "referenceMaxAbs": scale,
            "maxAbsDiffVsFp32": vs_fp32, "tolerance": int8_tol,
            "toleranceMeaning": "max abs diff vs the PT2E INT8 reference / max |reference|",
            "traces": len(items), "frames": [min(frames), max(frames)]}


def build_android(model, model_dir, calib_batches, parity_batches, tol: float = 1e-4,
                  int8_tol: float = 0.05, log=print) -> dict:
    """Write model_dir/android/ and return its export.android record. model_dir must already
    hold the ONNX files (their optimized copies are made from them)."""
    import importlib.metadata as md

    import onnxruntime
    import torch

    model_dir = Path(model_dir)
    out = model_dir / ANDROID_DIR
    out.mkdir(parents=True, exist_ok=True)
    h, _ = model.initial_state(1)
    layers, hidden = int(h.shape[0]), int(h.shape[2])
    dim = model.joint_enc.in_features
    try:
        log("  ORT-optimized ONNX copies")
        onnx_info = android_onnx.write_android_onnx(model_dir, out, parity_batches, layers, hidden, dim, tol)
        for k, v in onnx_info.items():
            log(f"    {k}: {v['level']}, {v['sourceNodes']} -> {v['nodes']} nodes, "
                f"max abs diff vs {v['source']} {v['maxAbsDiff']:.3g}")
    except ValueError as e:
        raise AndroidError(f"android ONNX parity: {e}") from e
    pte_info = {}
    log("  predictor.pte, step.pte (fp32, XNNPACK)")
    try:
        pte_info[pte.PRED_FILE] = pte.export_predictor(model, out / pte.PRED_FILE)
        pte_info[pte.STEP_FILE] = pte.export_step(model, out / pte.STEP_FILE)
    except Exception as e:  # noqa: BLE001 - exporter/lowering failure: say which and why
        raise AndroidError(f"ExecuTorch export failed: {type(e).__name__}: {str(e).strip()[:800]}") from e
    pte_info[pte.PRED_FILE]["parity"] = _check_steps(model, pte.load_method(out / pte.PRED_FILE), False, tol,
                                                     pte.PRED_FILE)
    pte_info[pte.STEP_FILE]["parity"] = _check_steps(model, pte.load_method(out / pte.STEP_FILE), True, tol,
                                                     pte.STEP_FILE)
    for k in (pte.PRED_FILE, pte.STEP_FILE):
        log(f"    {k}: {pte_info[k]['bytes']} bytes, {pte_info[k]['xnnpackDelegates']} XNNPACK delegates, "
            f"max abs diff vs PyTorch {pte_info[k]['parity']['maxAbsDiff']:.3g}")
    calib = item_batches(calib_batches)
    log(f"  encoder.int8.pte (PT2E INT8, XNNPACK; calibration {len(calib)} traces)")
    try:
        enc_info, reference = pte.export_encoder_int8(model, out / pte.ENC_FILE, calib)
    except Exception as e:  # noqa: BLE001
        raise AndroidError(f"ExecuTorch INT8 encoder export failed: {type(e).__name__}: "
                           f"{str(e).strip()[:800]}") from e
    enc_info["parity"] = check_encoder_int8(model, reference, pte.load_method(out / pte.ENC_FILE),
                                            item_batches(parity_batches), int8_tol)
    pte_info[pte.ENC_FILE] = enc_info
    p = enc_info["parity"]
    log(f"    {pte.ENC_FILE}: {enc_info['bytes']} bytes, {enc_info['xnnpackDelegates']} XNNPACK delegates; "
        f"max abs diff vs INT8 reference {p['maxAbsDiffVsInt8Reference']:.3g}, vs fp32 {p['maxAbsDiffVsFp32']:.3g}")
    files = {f.name: f.stat().st_size for f in sorted(out.iterdir()) if f.is_file()}
    return {
        "dir": ANDROID_DIR,
        "files": files,
        "onnx": onnx_info,
        "pte": pte_info,
        "encoderPte": {"file": pte.ENC_FILE, "batch": 1, "maxFrames": pte.ENC_MAX_FRAMES,
                       "inputs": {"features": "features_bft float32 (1,35,T)", "lengths": "lengths int32 (1)"},
                       "outputs": {"encoded": "float32 (1, encoded_lengths + 1, D); frames past encoded_lengths are 0",
                                   "lengths": "encoded_lengths int32 (1)"}},
        "stepPte": {"files": [pte.PRED_FILE, pte.STEP_FILE], "maxBatch": pte.MAX_BATCH,
                    "predictor": "y_prev int64 (B), h0/c0 float32 (L,B,Hd) -> pred_proj (B,J), h1, c1",
                    "step": "y_prev, h0, c0, enc_t float32 (B,D) -> logits (B,V), h1, c1"},
        "shared": ["model.json", "joint.bin", "lexicon.tsv", "qwerty.json"],
        "versions": {"executorch": md.version("executorch"), "torchao": md.version("torchao"),
                     "torch": torch.__version__,
                     "onnxruntime": onnxruntime.__version__},
    }
