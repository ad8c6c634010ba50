"""The browser's copies of the exported ONNX models: INT8 predictor, offline graph optimization.

INT8 predictor (issue #5): `predictor.onnx -> predictor.int8.onnx` with onnxruntime's dynamic
quantization restricted to MatMul/Gemm (int8 symmetric per-channel weights, activations
quantized per call). predictor.onnx writes an LSTM predictor as its cell (export.py
lstm_cell_module: no LSTM op), so the quantized ops are the cell's recurrent projection
(h @ W_hh) and the output projection into the joint (pred_hidden -> joint_dim); the gates, the
token table (embedding @ W_ih folded in) and the state stay fp32. Until 2026-12-04 the graph
had an LSTM op, which the issue excludes from quantization, and only the output projection was
INT8 (no faster in the browser); with the recurrent matmul INT8 a call takes half the time in
onnxruntime-web (B = 16: 0.65 -> 0.33 ms) and dev accuracy is unchanged (README.md). No
calibration data is needed.

Offline graph optimization (issue #6, cold start): onnxruntime-web spends most of a session's
creation on graph optimization (fp32 encoder, Node, ORT web 1.30: ~520 ms at 'extended' vs
~170 ms for the same graph already optimized and loaded with optimization off). So the exporter
runs ORT's own optimizer once, at ORT_ENABLE_EXTENDED (no hardware-specific layout nodes, unlike
ALL: see android_onnx.py), writes the result over the file the browser loads, and records
`"preOptimized": "ORT_ENABLE_EXTENDED"` in model.json; the engine then creates that session
with graphOptimizationLevel 'disabled'. step.onnx, which the browser does not load, stays the
plain portable graph; android/ holds ALL-level copies made from the plain graphs.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from .android_onnx import check_copy, optimized_copy, step_feeds

PREOPTIMIZED_LEVEL = "ORT_ENABLE_EXTENDED"
PREDICTOR_INT8_OP_TYPES = ("MatMul", "Gemm")


def _session(path, level: str = "ORT_ENABLE_ALL"):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = getattr(ort.GraphOptimizationLevel, level)
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def _call_ms(sess, feed, runs: int = 200) -> float:
    for _ in range(10):
        sess.run(None, feed)
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        sess.run(None, feed)
        ts.append((time.perf_counter() - t) * 1000)
    return float(np.median(ts))


def quantize_predictor(fp32: Path, out: Path, layers: int, hidden: int) -> dict:
    """predictor.int8.onnx beside predictor.onnx -> its record for model.json (op types, what
    stays fp32, max abs diff of every output vs fp32 on random states at batch 1/3/16/40,
    ORT CPU ms per call at batch 16, measured interleaved)."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # "consider pre-processing" warnings
    try:
        # reduce_range (7-bit weights): ORT's x86 CPU kernel multiplies uint8 activations by int8
        # weights with a saturating 16-bit add (AVX2 without VNNI), which here put a max error of
        # 0.16 on a tiny predictor's outputs of magnitude 0.48; with 7-bit weights it is 0.003,
        # and in onnxruntime-web's WASM kernel (no saturation) 0.0026 vs 0.0021 with 8 bits. So
        # the accuracy this exporter measures is the accuracy the browser gets.
        quantize_dynamic(str(fp32), str(out), op_types_to_quantize=list(PREDICTOR_INT8_OP_TYPES),
                         per_channel=True, reduce_range=True, weight_type=QuantType.QInt8)
    finally:
        root.setLevel(level)
    ops = sorted({n.op_type for n in onnx.load(str(out)).graph.node})
    if "MatMulInteger" not in ops:
        raise ValueError(f"{out.name}: nothing was quantized (ops {ops})")
    feeds = step_feeds(layers, hidden, None)
    a, b = _session(fp32), _session(out)
    names = [o.name for o in a.get_outputs()]
    diff = {n: 0.0 for n in names}
    scale = {n: 0.0 for n in names}  # so a diff can be read against the size of the output
    for f in feeds:
        for n, u, v in zip(names, a.run(None, f), b.run(None, f)):
            diff[n] = max(diff[n], float(np.max(np.abs(u.astype(np.float64) - v.astype(np.float64)))))
            scale[n] = max(scale[n], float(np.max(np.abs(u))))
    f16 = feeds[2]
    ms = {"fp32": [], "int8": []}
    for _ in range(3):  # interleaved, so load on the machine hits both alike
        ms["fp32"].append(_call_ms(a, f16))
        ms["int8"].append(_call_ms(b, f16))
    return {"file": out.name, "method": "onnxruntime.quantization.quantize_dynamic",
            "opTypes": list(PREDICTOR_INT8_OP_TYPES), "weights": "int8 symmetric per-channel, 7-bit range (reduce_range)",
            "activations": "uint8, quantized per call (dynamic)", "keptFp32": "the gates (Sigmoid, Tanh, Mul, Add), the token table (Gather)",
            "opsAfter": ops, "maxAbsDiffVsFp32": diff, "maxAbsFp32": scale,
            "msPerCallOrtCpu": {k: round(float(np.median(v)), 4) for k, v in ms.items()} | {
                "input": f"B=16, onnxruntime {__import__('onnxruntime').__version__} CPU, 1 thread"}}


def preoptimize_in_place(model_dir: Path, files, encoder_batches, layers: int, hidden: int,
                         tol: float) -> dict:
    """Replace each of `files` (present in model_dir) by its ORT_ENABLE_EXTENDED-optimized graph,
    after checking it against the plain one (check_copy, within tol). -> {file: record}.
    Raises ValueError (nothing replaced for that file) when a copy does not match."""
    model_dir = Path(model_dir)
    enc_feeds = [{"features_bft": x, "lengths": ln} for x, ln in encoder_batches]
    res = {}
    for name in files:
        src = model_dir / name
        if not src.exists():
            continue
        dst = model_dir / (name + ".opt.tmp")
        info = optimized_copy(src, dst, level=PREOPTIMIZED_LEVEL)
        feeds = enc_feeds if name.startswith("encoder") else step_feeds(layers, hidden, None)
        d = check_copy(src, dst, feeds, int8=".int8." in name)
        if not d <= tol:
            dst.unlink()
            raise ValueError(f"{name}: its {PREOPTIMIZED_LEVEL} graph differs from the plain one by "
                             f"{d:.3g} > {tol}")
        os.replace(dst, src)
        res[name] = {**info, "maxAbsDiffVsPlain": d, "tolerance": tol}
    return res
