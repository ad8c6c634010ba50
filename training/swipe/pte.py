"""ExecuTorch (.pte, XNNPACK delegate) export of a SwipeTransducer for Android.

    encoder.int8.pte  INT8 encoder: torchao PT2E (prepare_pt2e / convert_pt2e) with ExecuTorch's
                      XNNPACKQuantizer, symmetric int8, per-channel weights, static per-tensor
                      activations, on the Conv1d and Linear layers only (the ops the ONNX INT8
                      quantizes: Conv / MatMul / Gemm; the mask, positional and residual
                      arithmetic stays fp32), calibrated on the caller's feature batches.
                      features_bft float32 (1,35,T), T = 1..ENC_MAX_FRAMES, lengths int32 (1) ->
                      encoded float32 (1,T'',D), encoded_lengths int32 (1).
                      Batch is static 1: XNNPACK's reshape takes at most one dynamic dimension
                      ("XNNPACK reshape only supports 1 dynamic dimension"), and the attention's
                      (B,T,H,Dh) reshape would need two.
                      T'' = encoded_lengths + 1: the graph appends ENC_PAD_FRAMES zero frames
                      before the encoder (torch.export otherwise specialises on T' >= 2, i.e.
                      T >= 5, in the contiguity checks of the transposes); padded frames are
                      masked like any padding, so the first encoded_lengths frames are those of
                      the unpadded input and the rest are zeros.
    predictor.pte     fp32, (y_prev int64 (B), h0, c0 float32 (L,B,Hd)) -> (pred_proj (B,J), h1, c1)
    step.pte          fp32, (y_prev, h0, c0, enc_t float32 (B,D)) -> (logits (B,V), h1, c1)
                      B = 1..MAX_BATCH (torch.export Dim).

Parity helpers run the .pte files with ExecuTorch's Python runtime (executorch.runtime) and
compare them with PyTorch. PteRunner is the runner (encode / predict / step / joint) that the
reference decoder (swipe.beam_search) and swipe.evaluate.decode_traces take.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .vocab import BLANK

ENC_MAX_FRAMES = 256   # features are at most maxFrames = 200 frames (FEATURES.md)
ENC_PAD_FRAMES = 4
MAX_BATCH = 64
NUM_FEATURES = 35
ENC_FILE, PRED_FILE, STEP_FILE = "encoder.int8.pte", "predictor.pte", "step.pte"


class PteError(RuntimeError):
    pass


# --------------------------------------------------------------------------- modules
def _encoder_module(model):
    import torch
    import torch.nn.functional as F

    class EncoderPte(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, features_bft, lengths):
            x = F.pad(features_bft, (0, ENC_PAD_FRAMES))
            enc, el = self.m.encode(x, lengths.to(torch.int64))
            return enc, el.to(torch.int32)

    return EncoderPte(model).eval()


def _encoder_export_args():
    import torch

    x = torch.zeros(1, NUM_FEATURES, 48)
    ln = torch.tensor([48], dtype=torch.int32)
    T = torch.export.Dim("time", min=1, max=ENC_MAX_FRAMES)
    return (x, ln), {"features_bft": {2: T}, "lengths": None}


def _step_export_args(model, with_enc: bool):
    import torch

    h, c = model.initial_state(3)
    args = [torch.tensor([BLANK, 0, 5]), torch.randn_like(h), torch.randn_like(c)]
    B = torch.export.Dim("batch", min=1, max=MAX_BATCH)
    ds = {"y_prev": {0: B}, "h0": {1: B}, "c0": {1: B}}
    if with_enc:
        d = model.joint_enc.in_features
        args.append(torch.randn(3, d))
        ds["enc_t"] = {0: B}
    return tuple(args), ds


def _lower(ep, path: Path) -> dict:
    """to_edge_transform_and_lower with the XNNPACK partitioner -> .pte file."""
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import to_edge_transform_and_lower

    t0 = time.time()
    edge = to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()])
    gm = edge.exported_program().graph_module
    calls = [n for n in gm.graph.nodes if n.op == "call_function"]
    delegates = sum(1 for n in calls if "executorch_call_delegate" in str(n.target))
    prog = edge.to_executorch()
    path.write_bytes(prog.buffer)
    return {"bytes": path.stat().st_size, "xnnpackDelegates": delegates,
            "portableOps": sum(1 for n in calls if "executorch_call_delegate" not in str(n.target)
                               and "getitem" not in str(n.target) and "sym_size" not in str(n.target)),
            "lowerSeconds": round(time.time() - t0, 1)}


def _int_scalar_ops(gm):
    """XNNPACKQuantizer.transform_for_annotation turns the scalar operand of every aten.add/mul
    .Tensor into a float32 tensor constant (torch.tensor(float(x))), also on the int64 length
    arithmetic of the encoder ((L - 1) // 2 + 1), which then becomes float and fails the graph's
    dtype asserts ("Tensor dtype mismatch! Expected: Long, Got: float") during calibration.
    Integer add/mul with a scalar operand become their .Scalar overloads (same result), which
    that pass leaves alone."""
    import torch
    from torch.fx import Node

    A, M = torch.ops.aten.add, torch.ops.aten.mul
    swap = {A.Tensor: A.Scalar, M.Tensor: M.Scalar}
    n_changed = 0
    for n in gm.graph.nodes:
        if n.op != "call_function" or n.target not in swap:
            continue
        val = n.meta.get("val")
        if val is None or val.dtype.is_floating_point:
            continue
        a, b = n.args[:2]
        if isinstance(a, Node) and not isinstance(b, Node):
            n.target = swap[n.target]
        elif isinstance(b, Node) and not isinstance(a, Node):
            n.args = (b, a) + tuple(n.args[2:])
            n.target = swap[n.target]
        else:
            continue
        n_changed += 1
    gm.recompile()
    return n_changed


# --------------------------------------------------------------------------- export
def export_encoder_int8(model, path, calib) -> tuple[dict, object]:
    """calib: iterable of (x (1,35,T) float32, lengths (1,) int32) numpy pairs.
    -> (info, the converted PyTorch module = the INT8 reference the .pte must reproduce)."""
    import torch
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
        XNNPACKQuantizer, get_symmetric_quantization_config)
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    path = Path(path)
    args, ds = _encoder_export_args()
    enc = _encoder_module(model)
    gm = torch.export.export(enc, args, dynamic_shapes=ds).module()
    n_int = _int_scalar_ops(gm)
    qcfg = get_symmetric_quantization_config(is_per_channel=True, is_dynamic=False)
    quantizer = XNNPACKQuantizer()
    for op in (torch.ops.aten.linear.default, torch.ops.aten.conv1d.default):
        quantizer.set_operator_type(op, qcfg)
    prepared = prepare_pt2e(gm, quantizer)
    n = 0
    with torch.no_grad():
        for x, ln in calib:
            if x.shape[0] != 1:
                raise PteError(f"calibration batches must have batch 1, got {x.shape}")
            prepared(torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(ln.astype(np.int32)))
            n += 1
    if n == 0:
        raise PteError("no calibration traces for the INT8 encoder")
    converted = convert_pt2e(prepared)
    ep = torch.export.export(converted, args, dynamic_shapes=ds)
    info = _lower(ep, path)
    info.update({"calibrationTraces": n, "intScalarOpsRewritten": n_int,
                 "quantization": "torchao PT2E + XNNPACKQuantizer: int8 symmetric, per-channel weights, "
                                 "static per-tensor activations; Conv1d and Linear only"})
    return info, converted


def export_fp32(module, args, dynamic_shapes, path) -> dict:
    import torch

    ep = torch.export.export(module, args, dynamic_shapes=dynamic_shapes)
    return _lower(ep, Path(path))


def export_predictor(model, path) -> dict:
    from .export import _predictor_wrapper

    args, ds = _step_export_args(model, with_enc=False)
    return export_fp32(_predictor_wrapper(model, lstm_cell=False), args, ds, path)


def export_step(model, path) -> dict:
    from .export import _wrappers

    args, ds = _step_export_args(model, with_enc=True)
    return export_fp32(_wrappers(model)[1], args, ds, path)


# --------------------------------------------------------------------------- runtime
def load_method(path):
    from executorch.runtime import Runtime

    return Runtime.get().load_program(str(path)).load_method("forward")


def _run(method, *arrays):
    import torch

    ins = [torch.from_numpy(np.ascontiguousarray(a)) for a in arrays]
    # copies: the decoder caches outputs across calls, and they must not share the program's
    # memory-planned buffers (the 1.5.1 bindings return fresh tensors; this keeps it so)
    return [o.numpy().copy() for o in method.execute(ins)]


class PteRunner:
    """The .pte files of an android/ folder (+ the model's joint.bin), numpy in and out."""

    def __init__(self, android_dir, joint_bin=None, layers: int | None = None,
                 hidden: int | None = None, encoder_file: str = ENC_FILE):
        """joint_bin, layers, hidden default to the model folder around android_dir (its
        joint.bin and model.json step.layers / step.hidden)."""
        import json

        from .evaluate import read_joint_bin

        d = Path(android_dir)
        self.dir = d
        if layers is None or hidden is None:
            m = json.loads((d.parent / "model.json").read_text())
            layers, hidden = int(m["step"]["layers"]), int(m["step"]["hidden"])
        self.layers, self.hidden = int(layers), int(hidden)
        self.encoder_file = encoder_file
        self.enc = load_method(d / encoder_file)
        self.prd = load_method(d / PRED_FILE)
        self.stp = load_method(d / STEP_FILE) if (d / STEP_FILE).exists() else None
        self.blank = BLANK
        self._jw = read_joint_bin(Path(joint_bin) if joint_bin else d.parent / "joint.bin")

    def initial_state(self):
        z = np.zeros((self.layers, self.hidden), np.float32)
        return z, z.copy()

    def encode(self, feats_bft: np.ndarray, lengths: np.ndarray):
        """Batch-1 encoder called once per item; -> (enc (B,T',D) zero-padded, lengths int64)."""
        outs, lens = [], []
        for i in range(feats_bft.shape[0]):
            n = int(lengths[i])
            if not 1 <= n <= ENC_MAX_FRAMES:
                raise ValueError(f"encoder.pte takes 1..{ENC_MAX_FRAMES} frames, got {n}")
            e, el = _run(self.enc, feats_bft[i:i + 1, :, :n].astype(np.float32),
                         np.array([n], np.int32))
            k = int(el[0])
            outs.append(e[0, :k])
            lens.append(k)
        T = max(lens) if lens else 0
        D = outs[0].shape[1] if outs else self._jw[0].shape[1]
        enc = np.zeros((len(outs), T, D), np.float32)
        for i, o in enumerate(outs):
            enc[i, : o.shape[0]] = o
        return enc, np.array(lens, np.int64)

    def _batched(self, method, y, h, c, extra=None):
        b = len(y)
        res = None
        for s in range(0, b, MAX_BATCH):
            sl = slice(s, s + MAX_BATCH)
            args = [np.asarray(y, np.int64)[sl], h[:, sl], c[:, sl]]
            if extra is not None:
                args.append(extra[sl])
            o = _run(method, *args)
            if res is None:
                res = [[a] for a in o]
            else:
                for r, a in zip(res, o):
                    r.append(a)
        axes = (0, 1, 1)
        return tuple(np.concatenate(r, axis=ax) for r, ax in zip(res, axes))

    def predict(self, y, h, c):
        return self._batched(self.prd, y, h, c)

    def step(self, y, h, c, enc_t):
        if self.stp is None:
            raise ValueError(f"{self.dir} has no {STEP_FILE}")
        return self._batched(self.stp, y, h, c, enc_t)

    def joint_enc(self, enc):
        from .beam_search import joint_enc64

        w, b, _, _ = self._jw
        return joint_enc64(w, b, enc)

    def joint_logits(self, enc_proj_t, pred_proj):
        from .beam_search import joint_out64

        _, _, w, b = self._jw
        return joint_out64(w, b, enc_proj_t, pred_proj)
