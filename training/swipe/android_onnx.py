"""ORT-optimized copies of the exported ONNX models for onnxruntime-android.

    <stem>.onnx -> <stem>.android.onnx   (encoder, encoder.int8, predictor, step)

Each copy is what onnxruntime itself writes with SessionOptions.graph_optimization_level =
ORT_ENABLE_ALL and optimized_model_filepath (fusions done once offline instead of at every app
start). ORT warns that a model saved at level ALL may hold hardware-specific NCHWc layout
nodes (domain com.microsoft.nchwc, x86 AVX kernels): such a copy would not run on an ARM phone,
so when one appears the file is written again at ORT_ENABLE_EXTENDED (recorded as "level").

Parity (check_copy): the copy and its source are run on the same inputs in onnxruntime CPU;
fp32 sources are run with all graph optimizations disabled (the plain graph), the INT8 source as
the browser runs it (default optimizations: the QDQ -> QLinear fusions are part of its numerics).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

SOURCES = ("encoder.onnx", "encoder.int8.onnx", "predictor.onnx", "step.onnx")
SUFFIX = ".android.onnx"
HARDWARE_SPECIFIC_DOMAINS = ("com.microsoft.nchwc",)


def android_name(src_name: str) -> str:
    """encoder.int8.onnx -> encoder.int8.android.onnx"""
    if not src_name.endswith(".onnx"):
        raise ValueError(f"not an .onnx file name: {src_name}")
    return src_name[: -len(".onnx")] + SUFFIX


def _session(path, level: str, optimized_path=None):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = getattr(ort.GraphOptimizationLevel, level)
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.log_severity_level = 3  # the NCHWc warning is handled below, not printed
    if optimized_path is not None:
        so.optimized_model_filepath = str(optimized_path)
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def hardware_specific_nodes(path) -> list[str]:
    import onnx

    g = onnx.load(str(path)).graph
    return [f"{n.domain}::{n.op_type}" for n in g.node if n.domain in HARDWARE_SPECIFIC_DOMAINS]


def optimized_copy(src, dst, level: str = "ORT_ENABLE_ALL") -> dict:
    """Write the ORT-optimized copy of src to dst -> {"level", "nodes", "contribOps"}."""
    import onnx

    src, dst = Path(src), Path(dst)
    _session(src, level, dst)
    hw = hardware_specific_nodes(dst)
    if hw and level == "ORT_ENABLE_ALL":
        level = "ORT_ENABLE_EXTENDED"
        dst.unlink()
        _session(src, level, dst)
    g = onnx.load(str(dst)).graph
    contrib = sorted({f"{n.domain}::{n.op_type}" for n in g.node if n.domain not in ("", "ai.onnx")})
    info = {"level": level, "nodes": len(g.node), "sourceNodes": len(onnx.load(str(src)).graph.node),
            "contribOps": contrib}
    if hw:
        info["note"] = f"ORT_ENABLE_ALL produced hardware-specific nodes {sorted(set(hw))}; written at EXTENDED"
    return info


def max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    if a.shape != b.shape:
        raise ValueError(f"shape {b.shape} != {a.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))


def check_copy(src, dst, feeds: list[dict], int8: bool = False) -> float:
    """Max abs diff between dst and src over every output of every feed. For the encoder
    (an `encoded_lengths` output) only the valid frames of `encoded` count and the lengths
    must be equal."""
    ref = _session(src, "ORT_ENABLE_ALL" if int8 else "ORT_DISABLE_ALL")
    new = _session(dst, "ORT_DISABLE_ALL")  # the copy is already optimized: run it as written
    names = [o.name for o in ref.get_outputs()]
    if [o.name for o in new.get_outputs()] != names:
        raise ValueError(f"{Path(dst).name}: outputs {[o.name for o in new.get_outputs()]} != {names}")
    worst = 0.0
    for feed in feeds:
        a = dict(zip(names, ref.run(None, feed)))
        b = dict(zip(names, new.run(None, feed)))
        if "encoded_lengths" in a:
            if not np.array_equal(a["encoded_lengths"], b["encoded_lengths"]):
                raise ValueError(f"{Path(dst).name}: encoded_lengths {b['encoded_lengths'].tolist()} "
                                 f"!= {a['encoded_lengths'].tolist()}")
            for i, n in enumerate(a["encoded_lengths"].tolist()):
                worst = max(worst, max_abs_diff(a["encoded"][i, :n], b["encoded"][i, :n]))
        else:
            for k in names:
                worst = max(worst, max_abs_diff(a[k], b[k]))
    return worst


def step_feeds(layers: int, hidden: int, dim: int | None, sizes=(1, 3, 16, 40), seed: int = 5):
    """Random predictor (dim None) or step feeds at several batch sizes."""
    rng = np.random.default_rng(seed)
    out = []
    for b in sizes:
        f = {"y_prev": rng.integers(0, 28, size=b).astype(np.int64),
             "h0": (rng.normal(size=(layers, b, hidden)) * 0.5).astype(np.float32),
             "c0": (rng.normal(size=(layers, b, hidden)) * 0.5).astype(np.float32)}
        if dim is not None:
            f["enc_t"] = rng.normal(size=(b, dim)).astype(np.float32)
        out.append(f)
    return out


def write_android_onnx(model_dir, out_dir, encoder_batches, layers: int, hidden: int, dim: int,
                       tol: float) -> dict:
    """Optimized copies of the ONNX files present in model_dir, written to out_dir, each checked
    against its source. -> {file: {"source", "level", ..., "maxAbsDiff"}}. Raises ValueError
    when a copy does not match its source within tol."""
    model_dir, out_dir = Path(model_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    enc_feeds = [{"features_bft": x, "lengths": ln} for x, ln in encoder_batches]
    feeds = {"encoder.onnx": enc_feeds, "encoder.int8.onnx": enc_feeds,
             "predictor.onnx": step_feeds(layers, hidden, None),
             "step.onnx": step_feeds(layers, hidden, dim)}
    res = {}
    for name in SOURCES:
        src = model_dir / name
        if not src.exists():
            continue
        dst = out_dir / android_name(name)
        info = {"source": name, **optimized_copy(src, dst)}
        d = check_copy(src, dst, feeds[name], int8=".int8." in name)
        info["maxAbsDiff"] = d
        info["tolerance"] = tol
        if not d <= tol:
            raise ValueError(f"{dst.name} vs {name}: max abs diff {d:.3g} > {tol}")
        res[dst.name] = info
    return res
