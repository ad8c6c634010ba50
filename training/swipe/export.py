"""Export a trained SwipeTransducer for the web runtime (onnxruntime-web) and for Android.

    python -m swipe.export --checkpoint runs/base/best.pt --out ../public/models/swipe-v1 \
        [--calib-batches 64 --calib-batch-size 8] [--calib-method minmax|percentile[:P]|entropy] \
        [--exclude-nodes NAME,NAME] [--skip-int8] \
        [--skip-android] [--pte-int8-tol 0.05] \
        [--eval-limit 2000] [--prior-weight 0.5] [--golden ../test/fixtures/golden]

--checkpoint takes a swipe.train checkpoint (.pt) or a NeMo archive (.nemo, converted in memory
by swipe/nemo_import.py).

Writes into --out (atomically: everything is built in a temporary folder beside it and renamed
into place only when every gate passed; on any failure nothing is written):
  encoder.onnx        fp32 encoder, opset 17, dynamic batch and time
                      features_bft float32 (B,35,T), lengths int32 (B) ->
                      encoded float32 (B,T',D), encoded_lengths int32 (B)
  encoder.int8.onnx   static INT8 QDQ (per-channel weights, per-tensor activations), calibrated
                      on real dev traces (activation ranges by --calib-method, default their
                      min and max; unless --skip-int8)
  step.onnx           one predictor+joint step, dynamic batch:
                      y_prev int64 (B), h0/c0 float32 (L,B,Hd), enc_t float32 (B,D) ->
                      logits float32 (B,V), h1, c1
  predictor.onnx      the predictor with the joint's predictor projection, dynamic batch (an
                      LSTM written as its cell's matmuls and gates, no LSTM op):
                      y_prev int64 (B), h0/c0 float32 (L,B,Hd) ->
                      pred_proj float32 (B,J) = joint_pred(LSTM output), h1, c1
  predictor.int8.onnx the predictor with MatMul/Gemm dynamically quantized to INT8 (the cell's
                      recurrent and output projections; gates and the token table fp32;
                      unless --skip-int8; swipe/web_onnx.py), a variant in model.json
  joint.bin           the rest of the joint (swipe-joint-v1: "SWJ1", uint32 J, D, V, then
                      float32 LE W_enc (J,D), b_enc (J), W_out (V,J), b_out (V)); the runtime
                      computes logits = W_out tanh(W_enc enc_t + b_enc + pred_proj) + b_out
  weights.bin         (LSTM predictor only; none for a stateless one) the encoder's and the LSTM
                      predictor's weights (with joint_pred) for the engine's own WebAssembly
                      runtime (swipe-weights-v1, swipe/web_weights.py: "SWW1", uint32 L, a JSON
                      header of L bytes naming each tensor's shape, dtype and offset, then the
                      data, 16-byte aligned; float16 where that is lossless, else float32);
                      model.json "native" (default false: the engine runs the ONNX files)
  lexicon.tsv         word<TAB>logprior (swipe/lexicon.py)
  qwerty.json         key geometry
  model.json          the manifest (docs/model-json.md), with parity and dev figures
  android/            (unless --skip-android; a subfolder so that the browser build can leave
                      it out) swipe/android.py:
    encoder.android.onnx, encoder.int8.android.onnx, predictor.android.onnx, step.android.onnx
                      onnxruntime-optimized copies (ORT_ENABLE_ALL, saved offline)
    encoder.int8.pte  ExecuTorch/XNNPACK INT8 encoder (torchao PT2E, calibrated on the same
                      traces as encoder.int8.onnx), batch 1, T = 1..256
    predictor.pte, step.pte
                      ExecuTorch/XNNPACK fp32, batch 1..64
                      (recorded in model.json export.android: files, sizes, parity; the dev
                      figures of the INT8 .pte encoder in metrics.byRuntime.pteInt8)
encoder.onnx, encoder.int8.onnx, predictor.onnx and predictor.int8.onnx hold graphs already
optimized by onnxruntime at ORT_ENABLE_EXTENDED (model.json "preOptimized"), so the browser
creates their sessions without optimizing (cold start); step.onnx and the android/ copies are
made from the plain graphs.
and, with --golden DIR, the TypeScript parity vectors encoder.json, step.json (each case
also with predictor.onnx's pred_proj), beam.json.

Gates (stop with a clear message, exit status 2): checkpoint loads and has the vocabulary
of swipe/vocab.py; ONNX fp32 encoder, step and predictor, and the float64 joint of joint.bin,
match PyTorch within --tol (max abs diff, on the valid frames, at several batch sizes and
lengths); weights.bin read back holds every inference tensor of the state_dict exactly (and only
those); the android/ files: each *.android.onnx matches its source and predictor.pte /
step.pte match PyTorch within --tol; each pre-optimized graph matches its plain one within --tol, encoder.int8.pte matches its PT2E INT8 reference within
--pte-int8-tol x max |reference| (its deviation from fp32 is recorded).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .beam_search import BeamConfig, beam_search, floor_margin_arg, joint_enc64, joint_out64
from .rescore import Geometry, parse_rescore_arg, trace_penalty
from .data import data_dir, load_layout, load_traces
from .evaluate import (NUM_FEATURES, OnnxRunner, TorchRunner, decode_traces, encode_traces,
                       ort_session, pad_batch, score, split_path, trace_features,
                       feature_kwargs, max_frames_arg)
from .lexicon import Lexicon, train_words
from .vocab import BLANK, TOKENS
from .web_onnx import PREOPTIMIZED_LEVEL, preoptimize_in_place, quantize_predictor
from .web_weights import FORMAT as NATIVE_FORMAT, header_config, inference_tensors, read_weights, write_weights

# the files onnxruntime-web loads (step.onnx is for other runtimes and stays the plain graph)
WEB_FILES = ("encoder.onnx", "encoder.int8.onnx", "predictor.onnx", "predictor.int8.onnx")

REPO_ROOT = Path(__file__).resolve().parents[2]
OPSET = 17
FEATURES_MANIFEST = {"spec": "swipe-features-v1", "numFeatures": 35, "maxFrames": 200,
                     "proxScale": 4, "dtCapMs": 200}
ENC_IN = {"features": "features_bft", "lengths": "lengths"}
ENC_OUT = {"encoded": "encoded", "lengths": "encoded_lengths"}
STEP_IN = {"token": "y_prev", "h": "h0", "c": "c0", "enc": "enc_t"}
STEP_OUT = {"logits": "logits", "h": "h1", "c": "c1"}
PRED_IN = {"token": "y_prev", "h": "h0", "c": "c0"}
PRED_OUT = {"pred": "pred_proj", "h": "h1", "c": "c1"}
GOLDEN_BEAM_TOL = 1e-3
GOLDEN_FLOAT_TOL = 1e-4


class ExportError(RuntimeError):
    pass


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- model loading
def load_model(path):
    import torch

    p = Path(path)
    if not p.is_file():
        raise ExportError(f"checkpoint not found: {p}")
    try:
        if p.suffix == ".nemo":
            from .nemo_import import NemoImportError, convert_nemo

            try:
                model, cfg, meta = convert_nemo(p)
            except NemoImportError as e:
                raise ExportError(f"cannot import {p}: {e}") from e
        else:
            from .model import load_checkpoint

            model, cfg, meta = load_checkpoint(str(p))
    except ExportError:
        raise
    except Exception as e:  # noqa: BLE001 - any loader failure is a bad checkpoint
        raise ExportError(f"cannot load checkpoint {p}: {type(e).__name__}: {e}") from e
    model.eval()
    # vocabulary check: the step model must produce V logits, blank last.
    try:
        with torch.no_grad():
            h, c = model.initial_state(1)
            d = _encoder_dim(model)
            lo, _, _ = model.step(torch.tensor([BLANK]), h, c, torch.zeros(1, d))
    except Exception as e:  # noqa: BLE001
        raise ExportError(f"checkpoint {p}: the model does not run: {type(e).__name__}: {e}") from e
    if lo.shape[-1] != len(TOKENS):
        raise ExportError(f"checkpoint {p}: vocabulary mismatch: the model has {lo.shape[-1]} "
                          f"outputs, swipe/vocab.py has {len(TOKENS)} tokens (blank = {BLANK})")
    blank = getattr(cfg, "blank_id", BLANK)
    if blank != BLANK:
        raise ExportError(f"checkpoint {p}: vocabulary mismatch: blank id {blank} != {BLANK}")
    vocab = (meta or {}).get("vocab") if isinstance(meta, dict) else None
    if vocab is not None and list(vocab) != list(TOKENS):
        raise ExportError(f"checkpoint {p}: vocabulary mismatch: {vocab!r} != {TOKENS!r}")
    return model, cfg, meta


def _encoder_dim(model) -> int:
    import torch

    with torch.no_grad():
        enc, _ = model.encode(torch.zeros(1, NUM_FEATURES, 16), torch.tensor([16]))
    return int(enc.shape[-1])


# --------------------------------------------------------------------------- wrappers
def _wrappers(model):
    import torch

    class Encoder(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, features_bft, lengths):
            enc, el = self.m.encode(features_bft, lengths.to(torch.int64))
            return enc, el.to(torch.int32)

    class Step(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, y_prev, h0, c0, enc_t):
            return self.m.step(y_prev, h0, c0, enc_t)

    return Encoder(model).eval(), Step(model).eval()


def _predictor_wrapper(model, lstm_cell: bool = True):
    """The predictor.onnx module: one step + the joint's predictor projection. An LSTM predictor
    is written as its cell (lstm_cell_module): ORT's LSTM op costs a fixed ~0.1 ms a call in
    onnxruntime-web, and its recurrent matmul is then a Gemm that the INT8 variant quantizes.
    `lstm_cell=False`: the model's own nn.LSTM (predictor.pte: ExecuTorch's memory planning fixes
    the batch of the cell's token-table lookup, "Attempted to resize a static tensor")."""
    import torch

    if lstm_cell and getattr(model.cfg, "pred_type", "lstm") == "lstm":
        return lstm_cell_module(model)

    class Predictor(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, y_prev, h0, c0):
            p, h1, c1 = self.m.predict_step(y_prev, h0, c0)
            return self.m.joint_pred(p), h1, c1

    return Predictor(model).eval()


def lstm_cell_module(model):
    """model.predict_step + joint_pred for an nn.LSTM predictor, written as the LSTM's gates
    (PyTorch's order i, f, g, o per layer) with no LSTM op: layer 0's input projection of every
    token is folded into a (V, 4H) table (embedding @ W_ih^T + b_ih + b_hh), the other layers
    take h of the layer below. Same function, float32 rounding apart (tested)."""
    import torch

    lstm = model.lstm

    class LstmCellPredictor(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m
            self.layers = lstm.num_layers
            with torch.no_grad():
                tab = m.embed.weight @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0
            self.register_buffer("token_gates", tab.detach().clone())  # (V, 4H)
            for k in range(self.layers):
                self.register_buffer(f"w_hh{k}", getattr(lstm, f"weight_hh_l{k}").detach().T.clone())  # (H, 4H)
                if k:
                    self.register_buffer(f"w_ih{k}", getattr(lstm, f"weight_ih_l{k}").detach().T.clone())
                    self.register_buffer(f"b{k}", (getattr(lstm, f"bias_ih_l{k}") + getattr(lstm, f"bias_hh_l{k}")).detach().clone())

        def forward(self, y_prev, h0, c0):
            hs, cs = [], []
            x = None
            for k in range(self.layers):
                h, c = h0[k], c0[k]
                if k == 0:
                    # embedding(), not indexing: ExecuTorch's index op fixes the batch of its output
                    g = torch.nn.functional.embedding(y_prev.long(), self.token_gates) + h @ self.w_hh0
                else:
                    g = x @ getattr(self, f"w_ih{k}") + getattr(self, f"b{k}") + h @ getattr(self, f"w_hh{k}")
                i, f, gg, o = g.chunk(4, dim=1)
                c1 = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(gg)
                x = torch.sigmoid(o) * torch.tanh(c1)
                hs.append(x)
                cs.append(c1)
            return self.m.joint_pred(x), torch.stack(hs), torch.stack(cs)

    return LstmCellPredictor(model).eval()


def _export(module, args, path: Path, input_names, output_names, dynamic_axes, dynamic_shapes,
            method: str) -> str:
    """One ONNX export: "torchscript" (legacy tracer, opset 17) or "dynamo" (torch.export)."""
    import torch
    import warnings

    if path.exists():
        path.unlink()
    if method == "torchscript":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, args, str(path), dynamo=False, opset_version=OPSET,
                              input_names=input_names, output_names=output_names,
                              dynamic_axes=dynamic_axes, do_constant_folding=True)
    else:
        prog = torch.onnx.export(module, args, dynamo=True, opset_version=max(OPSET, 18),
                                 input_names=input_names, output_names=output_names,
                                 dynamic_shapes=dynamic_shapes, external_data=False)
        prog.save(str(path))
    return method


EXPORTERS = ("torchscript", "dynamo")


def export_checked(what: str, export_fn, check_fn, path: Path):
    """Export with each exporter in turn until one passes its parity check."""
    errors = []
    for method in EXPORTERS:
        try:
            export_fn(path, method)
            return method, check_fn(path)
        except ExportError as e:
            errors.append(f"{method} exporter: {e}")
        except Exception as e:  # noqa: BLE001 - exporter or onnxruntime failure: try the next
            msg = str(e).strip().splitlines()
            errors.append(f"{method} exporter: {type(e).__name__}: {msg[-1] if msg else ''}"[:600])
        log(f"  {errors[-1]}")
    raise ExportError(f"{what}: no exporter produced a model that passes the parity gate:\n  "
                      + "\n  ".join(errors))


def export_encoder(model, path: Path, method: str) -> str:
    import torch

    enc_mod, _ = _wrappers(model)
    x = torch.randn(2, NUM_FEATURES, 48)
    ln = torch.tensor([48, 31], dtype=torch.int32)
    B, T = torch.export.Dim("batch", min=1, max=1024), torch.export.Dim("time", min=1, max=4096)
    return _export(enc_mod, (x, ln), path, [ENC_IN["features"], ENC_IN["lengths"]],
                   [ENC_OUT["encoded"], ENC_OUT["lengths"]],
                   {ENC_IN["features"]: {0: "batch", 2: "time"}, ENC_IN["lengths"]: {0: "batch"},
                    ENC_OUT["encoded"]: {0: "batch", 1: "frames"}, ENC_OUT["lengths"]: {0: "batch"}},
                   {"features_bft": {0: B, 2: T}, "lengths": {0: B}}, method)


def export_step(model, path: Path, method: str) -> str:
    import torch

    _, step_mod = _wrappers(model)
    h, c = model.initial_state(3)
    d = _encoder_dim(model)
    args = (torch.tensor([BLANK, 0, 5]), torch.randn_like(h), torch.randn_like(c), torch.randn(3, d))
    B = torch.export.Dim("batch", min=1, max=4096)
    return _export(step_mod, args, path, list(STEP_IN.values()), list(STEP_OUT.values()),
                   {"y_prev": {0: "batch"}, "h0": {1: "batch"}, "c0": {1: "batch"},
                    "enc_t": {0: "batch"}, "logits": {0: "batch"}, "h1": {1: "batch"},
                    "c1": {1: "batch"}},
                   {"y_prev": {0: B}, "h0": {1: B}, "c0": {1: B}, "enc_t": {0: B}}, method)


def export_predictor(model, path: Path, method: str) -> str:
    import torch

    mod = _predictor_wrapper(model)
    h, c = model.initial_state(3)
    args = (torch.tensor([BLANK, 0, 5]), torch.randn_like(h), torch.randn_like(c))
    B = torch.export.Dim("batch", min=1, max=4096)
    return _export(mod, args, path, list(PRED_IN.values()), list(PRED_OUT.values()),
                   {"y_prev": {0: "batch"}, "h0": {1: "batch"}, "c0": {1: "batch"},
                    "pred_proj": {0: "batch"}, "h1": {1: "batch"}, "c1": {1: "batch"}},
                   {"y_prev": {0: B}, "h0": {1: B}, "c0": {1: B}}, method)


def joint_weights(model):
    m = model
    return tuple(x.detach().cpu().numpy().astype(np.float32) for x in
                 (m.joint_enc.weight, m.joint_enc.bias, m.joint_out.weight, m.joint_out.bias))


# --------------------------------------------------------------------------- parity
def _real_feature_batches(traces, layout, shapes):
    """Parity batches of real trace features: for each (B, T), B traces, the first one tiled or
    cut to exactly T frames (so T is reached), the others cut to at most T (padding)."""
    feats = []
    for t in traces:
        try:
            feats.append(trace_features(t, layout))
        except ValueError:
            pass
    if not feats:
        raise ExportError("no usable dev traces for the parity check")
    rng = np.random.default_rng(0)
    out = []
    for b, tmax in shapes:
        idx = rng.choice(len(feats), size=b, replace=len(feats) < b)
        batch = [feats[i][:tmax] for i in idx]
        first = feats[idx[0]]
        reps = -(-tmax // first.shape[0])
        batch[0] = np.concatenate([first] * reps, axis=0)[:tmax]
        out.append(pad_batch(batch))
    return out


def check_encoder(model, onnx_path, batches, tol) -> dict:
    tr = TorchRunner(model)
    sess = ort_session(onnx_path)
    worst = 0.0
    shapes = []
    for x, ln in batches:
        e_pt, l_pt = tr.encode(x, ln)
        e_on, l_on = sess.run(None, {ENC_IN["features"]: x, ENC_IN["lengths"]: ln})
        if not np.array_equal(l_pt, l_on.astype(np.int64)):
            raise ExportError(f"encoder parity: encoded_lengths differ at B={x.shape[0]} T={x.shape[2]}: "
                              f"{l_pt.tolist()} vs {l_on.tolist()}")
        if l_on.dtype != np.int32:
            raise ExportError(f"encoder: encoded_lengths is {l_on.dtype}, must be int32")
        for i in range(x.shape[0]):
            n = int(l_pt[i])
            d = float(np.max(np.abs(e_pt[i, :n] - e_on[i, :n]))) if n else 0.0
            worst = max(worst, d)
        shapes.append([int(x.shape[0]), int(x.shape[2])])
    log(f"  encoder fp32 vs PyTorch: max abs diff {worst:.3g} over (B, T) = {shapes}")
    if not worst <= tol:
        raise ExportError(f"encoder parity gate failed: max abs diff {worst:.3g} > {tol}")
    return {"maxAbsDiff": worst, "shapes": shapes}


def _recurrent_parity(label, model, seed, tol, run_both) -> dict:
    """Random (y, h, c) batches of several sizes through PyTorch and ONNX: `run_both(y, h, c, rng)`
    returns both runtimes' outputs; the worst element difference is the gate."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    sizes = [1, 3, 16, 40]
    for b in sizes:
        h, c = model.initial_state(b)
        h = rng.normal(size=tuple(h.shape)).astype(np.float32) * 0.5
        c = rng.normal(size=tuple(c.shape)).astype(np.float32) * 0.5
        y = rng.integers(0, len(TOKENS), size=b).astype(np.int64)
        pt, on = run_both(y, h, c, rng)
        for a, o in zip(pt, on):
            if a.shape != o.shape:
                raise ExportError(f"{label} parity: shape {o.shape} != PyTorch {a.shape} at B={b}")
            worst = max(worst, float(np.max(np.abs(a - o))))
    log(f"  {label} fp32 vs PyTorch: max abs diff {worst:.3g} over B = {sizes}")
    if not worst <= tol:
        raise ExportError(f"{label} parity gate failed: max abs diff {worst:.3g} > {tol}")
    return {"maxAbsDiff": worst, "batches": sizes}


def check_step(model, onnx_path, dim, tol) -> dict:
    tr = TorchRunner(model)
    sess = ort_session(onnx_path)

    def run_both(y, h, c, rng):
        e = rng.normal(size=(len(y), dim)).astype(np.float32)
        return tr.step(y, h, c, e), sess.run(None, {"y_prev": y, "h0": h, "c0": c, "enc_t": e})

    return _recurrent_parity("step", model, 1, tol, run_both)


def check_predictor(model, onnx_path, tol) -> dict:
    tr = TorchRunner(model)
    sess = ort_session(onnx_path)

    def run_both(y, h, c, rng):
        return tr.predict(y, h, c), sess.run(None, {"y_prev": y, "h0": h, "c0": c})

    return _recurrent_parity("predictor", model, 2, tol, run_both)


def check_joint(model, joint_path, dim, tol) -> dict:
    """joint.bin read back + float64 joint (BEAM_SEARCH.md) vs PyTorch's step logits."""
    from .evaluate import read_joint_bin

    tr = TorchRunner(model)
    w_enc, b_enc, w_out, b_out = read_joint_bin(joint_path)
    rng = np.random.default_rng(4)
    b = 16
    h, c = model.initial_state(b)
    h = rng.normal(size=tuple(h.shape)).astype(np.float32) * 0.5
    c = rng.normal(size=tuple(c.shape)).astype(np.float32) * 0.5
    y = rng.integers(0, len(TOKENS), size=b).astype(np.int64)
    e = rng.normal(size=(b, dim)).astype(np.float32)
    lo, _, _ = tr.step(y, h, c, e)
    pp, _, _ = tr.predict(y, h, c)
    ep = joint_enc64(w_enc, b_enc, e)
    worst = 0.0
    for i in range(b):
        mine = joint_out64(w_out, b_out, ep[i], pp[i:i + 1])[0]
        worst = max(worst, float(np.max(np.abs(mine - lo[i]))))
    log(f"  joint.bin float64 joint vs PyTorch step logits: max abs diff {worst:.3g} (B = {b})")
    if not worst <= tol:
        raise ExportError(f"joint parity gate failed: max abs diff {worst:.3g} > {tol}")
    return {"maxAbsDiff": worst, "batch": b}


def check_native_weights(model, path) -> dict:
    """weights.bin read back (web_weights.read_weights) vs the model: its header config is the
    model's, and it holds exactly the state_dict's inference tensors (web_weights' prefixes: no
    ctc_head, joint_enc, joint_out), each with the state_dict's shape and every value equal."""
    try:
        config, tensors = read_weights(path)
    except (ValueError, KeyError) as e:
        raise ExportError(f"weights.bin does not read back: {type(e).__name__}: {e}") from e
    want_cfg = header_config(model)
    if config != want_cfg:
        raise ExportError(f"weights.bin: header config {config} != the model's {want_cfg}")
    sd = inference_tensors(model)
    if list(tensors) != list(sd):
        missing, extra = sorted(set(sd) - set(tensors)), sorted(set(tensors) - set(sd))
        raise ExportError(f"weights.bin: tensors differ from the state_dict's (missing {missing}, "
                          f"extra {extra}, or out of order)")
    for name, t in sd.items():
        want = t.detach().cpu().float().numpy()
        got = tensors[name]
        if got.shape != want.shape:
            raise ExportError(f"weights.bin: {name} has shape {list(got.shape)}, the model {list(want.shape)}")
        if not np.array_equal(got, want):
            raise ExportError(f"weights.bin: {name} differs from the model's "
                              f"(max abs diff {float(np.max(np.abs(got - want))):.3g})")
    log(f"  weights.bin read back: {len(sd)} tensors, every value equal to the state_dict's")
    return {"tensors": len(sd), "exact": True}


# --------------------------------------------------------------------------- int8
INT8_OP_TYPES = ("Conv", "MatMul", "Gemm")


def calibration_batches(calib_traces, layout, n_batches, batch_size):
    """The INT8 calibration data: the first n_batches * batch_size traces whose features compute,
    as padded batches (x (B,35,T), lengths (B)). Shared by the ONNX and the ExecuTorch INT8."""
    feats = []
    for t in calib_traces:
        try:
            feats.append(trace_features(t, layout))
        except ValueError:
            pass
        if len(feats) >= n_batches * batch_size:
            break
    batches = [pad_batch(feats[i: i + batch_size]) for i in range(0, len(feats), batch_size)]
    batches = batches[:n_batches]
    if not batches:
        raise ExportError("no calibration traces")
    return batches


def calibration_method(spec: str) -> tuple[str, dict, str]:
    """--calib-method: 'minmax', 'percentile[:P]' (default P 99.99) or 'entropy' ->
    (onnxruntime CalibrationMethod name, its extra_options, the label model.json records)."""
    name, _, arg = spec.strip().lower().partition(":")
    if name == "minmax" and not arg:
        return "MinMax", {}, "MinMax"
    if name == "entropy" and not arg:
        return "Entropy", {}, "Entropy"
    if name == "percentile":
        try:
            pct = float(arg) if arg else 99.99
        except ValueError:
            pct = float("nan")
        if 50 < pct <= 100:
            return "Percentile", {"CalibPercentile": pct}, f"Percentile {pct:g}"
    raise ExportError(f"--calib-method must be minmax, percentile[:P] with 50 < P <= 100, or entropy; got {spec!r}")


def pad_to_common_length(batches):
    """Histogram calibrators stack every batch's activations, so all batches need one T: zeros
    after each trace's end, as within a batch (the lengths input masks them)."""
    t_max = max(x.shape[2] for x, _ in batches)
    return [(np.pad(x, ((0, 0), (0, 0), (0, t_max - x.shape[2]))), ln) for x, ln in batches]


def quantize_encoder(fp32: Path, out: Path, calib_traces, layout, n_batches, batch_size,
                     exclude_nodes, op_types=INT8_OP_TYPES, calib_method: str = "minmax") -> dict:
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                          QuantType, quantize_static)

    method, method_options, method_label = calibration_method(calib_method)
    batches = calibration_batches(calib_traces, layout, n_batches, batch_size)
    if method != "MinMax":
        batches = pad_to_common_length(batches)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter(batches)

        def get_next(self):
            b = next(self.it, None)
            return None if b is None else {ENC_IN["features"]: b[0], ENC_IN["lengths"]: b[1]}

    src = fp32
    pre = out.with_suffix(".pre.onnx")
    try:
        from onnxruntime.quantization.shape_inference import quant_pre_process

        cwd = os.getcwd()
        os.chdir(out.parent)  # its shape inference may leave <uuid>.data files in the cwd
        try:
            try:
                quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=False)
            except Exception:  # noqa: BLE001 - symbolic shape inference fails on some graphs
                quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
        finally:
            os.chdir(cwd)
        src = pre
    except Exception as e:  # noqa: BLE001 - pre-processing is an optimisation only
        log(f"  quant_pre_process skipped ({type(e).__name__}: {e})")
    names = _node_names(src)
    missing = [n for n in exclude_nodes if n not in names]
    if missing:
        raise ExportError(f"--exclude-nodes: no such node(s) in the encoder graph: {missing}; "
                          f"e.g. {sorted(names)[:8]}")
    import logging

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # ORT's quantizer warns per node about pre-processing
    try:
        quantize_static(str(src), str(out), Reader(), quant_format=QuantFormat.QDQ,
                        op_types_to_quantize=list(op_types),
                        per_channel=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, calibrate_method=getattr(CalibrationMethod, method),
                        nodes_to_exclude=list(exclude_nodes),
                        extra_options={"ActivationSymmetric": False, "WeightSymmetric": True, **method_options})
    except ValueError as e:  # e.g. a histogram method's range too narrow for a bias's int32 scale
        raise ExportError(f"INT8 quantization ({method_label}) failed: {e}; try another --calib-method "
                          f"or keep that node fp32 with --exclude-nodes") from e
    finally:
        root.setLevel(level)
    if pre.exists():
        pre.unlink()
    return {"calibration": {"batches": len(batches), "batchSize": batch_size,
                            "traces": sum(b[0].shape[0] for b in batches),
                            "data": "shared/data/hws/dev.jsonl.gz (first traces after a fixed shuffle, seed 0)"},
            "perChannel": True, "format": "QDQ", "opTypes": list(op_types), "weights": "int8 symmetric per-channel",
            "activations": f"uint8 asymmetric per-tensor ({method_label})", "excludedNodes": list(exclude_nodes)}


def _node_names(path) -> set[str]:
    import onnx

    return {n.name for n in onnx.load(str(path)).graph.node}


def encoder_latency_ms(path, x, ln, runs=30) -> float:
    sess = ort_session(path)
    feed = {ENC_IN["features"]: x, ENC_IN["lengths"]: ln}
    for _ in range(3):
        sess.run(None, feed)
    ts = []
    for _ in range(runs):
        s = time.perf_counter()
        sess.run(None, feed)
        ts.append((time.perf_counter() - s) * 1000)
    return float(np.median(ts))


# --------------------------------------------------------------------------- golden
def f32(a) -> list:
    """float32 array -> nested lists of decimals that read back (as float32) exactly."""
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 0:
        return float(f"{float(a):.9g}")
    return [f32(x) for x in a] if a.ndim > 1 else [float(f"{float(v):.9g}") for v in a]


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def golden_vectors(model_dir: Path, name: str, traces, layout, lexicon, cfg, n_beam=20,
                   features: dict | None = None):
    r = OnnxRunner(model_dir, variant="fp32", predictor_variant="fp32")
    fk = feature_kwargs(features) if features is not None else r.feature_kwargs
    ref = {"model": name, "encoder": "encoder.onnx", "encoderSha256": sha256(model_dir / "encoder.onnx"),
           "step": "step.onnx", "stepSha256": sha256(model_dir / "step.onnx"),
           "predictor": "predictor.onnx", "predictorSha256": sha256(model_dir / "predictor.onnx"),
           "joint": "joint.bin", "jointSha256": sha256(model_dir / "joint.bin"),
           **({"native": "weights.bin", "nativeSha256": sha256(model_dir / "weights.bin")}
              if (model_dir / "weights.bin").is_file() else {}),
           "generator": "python -m swipe.export (training/swipe/export.py), onnxruntime CPU"}
    # encoder: a few fixed traces, B = 1 each
    enc_cases = []
    picks = [t for t in traces[:200]]
    picks = sorted(picks, key=lambda t: len(t["points"]))
    chosen = [picks[0], picks[len(picks) // 2], picks[-1]]
    for t in chosen:
        f = trace_features(t, layout, fk)
        x, ln = pad_batch([f])
        enc, el = r.encode(x, ln)
        enc_cases.append({"id": t["id"], "word": t["word"], "features": f32(f),
                          "lengths": [int(ln[0])], "encodedLengths": [int(el[0])],
                          "encoded": f32(enc[0, : int(el[0])])})
    # a batched call with padding too (B = 3, T = longest)
    fs = [trace_features(t, layout, fk) for t in chosen]
    x, ln = pad_batch(fs)
    enc, el = r.encode(x, ln)
    batched = {"ids": [t["id"] for t in chosen], "lengths": ln.tolist(),
               "encodedLengths": el.tolist(),
               "encoded": [f32(enc[i, : int(el[i])]) for i in range(len(chosen))]}
    encoder = {**ref, "tolerance": {"maxAbsDiff": GOLDEN_FLOAT_TOL,
                                    "note": "encoded (valid frames only) vs ORT-web fp32; lengths exact"},
               "inputs": ENC_IN, "outputs": ENC_OUT, "cases": enc_cases, "batched": batched}
    # step: batched calls along a real decoding
    e0 = np.asarray(enc_cases[1]["encoded"], np.float32)
    h, c = r.initial_state()
    rng = np.random.default_rng(3)
    step_cases = []
    H = np.stack([h], 1)
    C = np.stack([c], 1)
    y = np.array([BLANK], np.int64)
    for k, b in enumerate([1, 4, 16]):
        e = e0[np.arange(b) % e0.shape[0]]
        if H.shape[1] != b:
            idx = np.arange(b) % H.shape[1]
            H, C = H[:, idx], C[:, idx]
            y = rng.integers(0, BLANK + 1, size=b).astype(np.int64)
        lo, h1, c1 = r.step(y, np.ascontiguousarray(H), np.ascontiguousarray(C), np.ascontiguousarray(e))
        pp, ph1, pc1 = r.predict(y, np.ascontiguousarray(H), np.ascontiguousarray(C))
        if max(np.abs(ph1 - h1).max(), np.abs(pc1 - c1).max()) > GOLDEN_FLOAT_TOL:
            raise ExportError("golden: predictor.onnx and step.onnx states differ")
        step_cases.append({"batch": b, "y_prev": y.tolist(), "h0": f32(H), "c0": f32(C),
                           "enc_t": f32(e), "logits": f32(lo), "h1": f32(h1), "c1": f32(c1),
                           "pred_proj": f32(pp)})
        H, C = h1, c1
    step = {**ref, "tolerance": {"maxAbsDiff": GOLDEN_FLOAT_TOL,
                                 "note": ("logits/h1/c1: step.onnx; pred_proj: predictor.onnx on the same "
                                          "inputs; the float64 joint of joint.bin on (enc_t, pred_proj) "
                                          "matches logits within maxAbsDiff")},
            "inputs": STEP_IN, "outputs": STEP_OUT, "predictorInputs": PRED_IN,
            "predictorOutputs": PRED_OUT, "cases": step_cases}
    # beam: fixed dev traces, B = 1 encoder runs, fp32 models
    beam_cases = []
    geometry = Geometry(layout)
    stride = max(1, len(traces) // (n_beam * 3))
    for t in traces[::stride]:
        try:
            f = trace_features(t, layout, fk)
        except ValueError:
            continue
        x, ln = pad_batch([f])
        enc, el = r.encode(x, ln)
        res = beam_search(r, enc[0, : int(el[0])], lexicon, cfg,
                          penalty=trace_penalty(t, geometry, cfg.rescore))
        sc = [s for _, s in res]
        # keep traces whose ranking is not decided by a near-tie (robust to float noise)
        if any(a - b < 10 * GOLDEN_BEAM_TOL for a, b in zip(sc, sc[1:])):
            continue
        beam_cases.append({"id": t["id"], "word": t["word"], "width": t["width"],
                           "height": t["height"], "points": t["points"],
                           "encodedLength": int(el[0]),
                           "words": [w for w, _ in res], "scores": [float(f"{s:.12g}") for s in sc]})
        if len(beam_cases) >= n_beam:
            break
    beam = {**ref, "lexicon": "lexicon.tsv", "lexiconSha256": sha256(model_dir / "lexicon.tsv"),
            "layout": "qwerty.json", "decoding": cfg.to_manifest(),
            "tolerance": {"words": "identical, same order", "scoreAbs": GOLDEN_BEAM_TOL,
                          "note": ("features (swipe-features-v1) -> encoder.onnx B=1 -> "
                                   f"BEAM_SEARCH.md ({cfg.spec}); traces are dev traces whose consecutive "
                                   f"scores differ by >= {10 * GOLDEN_BEAM_TOL}")},
            "cases": beam_cases}
    return {"encoder.json": encoder, "step.json": step, "beam.json": beam}



# --------------------------------------------------------------------------- main
def evaluate_all(model, out_dir: Path, traces, layout, lexicon, cfg, seen, include_int8,
                 include_pte=False, include_pred_int8=False, features: dict | None = None):
    """features: the model.json `features` every runtime decodes with (None: FEATURES.md's).
    Each runtime names both variants, so the figures do not depend on which ones model.json ships."""
    res = {}
    runners = [("pytorch", lambda: TorchRunner(model)),
               ("onnxFp32", lambda: OnnxRunner(out_dir, variant="fp32", predictor_variant="fp32"))]
    if include_int8:  # INT8 encoder + fp32 predictor: the encoder's own accuracy cost
        runners.append(("onnxInt8", lambda: OnnxRunner(out_dir, variant="int8", predictor_variant="fp32")))
    if include_pred_int8:  # fp32 encoder + INT8 predictor: the predictor's own accuracy cost
        runners.append(("onnxPredInt8", lambda: OnnxRunner(out_dir, variant="fp32", predictor_variant="int8")))
    if include_int8 and include_pred_int8:  # both INT8: what ships when the bench picks both
        runners.append(("onnxInt8Both", lambda: OnnxRunner(out_dir, variant="int8", predictor_variant="int8")))
    if include_pte:
        from .android import ANDROID_DIR
        from .pte import PteRunner

        runners.append(("pteInt8", lambda: PteRunner(out_dir / ANDROID_DIR)))
    for key, mk in runners:
        r = mk()
        r.feature_kwargs = feature_kwargs(features)
        preds, tm, _ = decode_traces(r, traces, lexicon, cfg, layout)
        m = score({p["id"]: p["words"] for p in preds}, traces, seen, lexicon.words)
        a = m["all"]
        res[key] = {"top1": round(a["top1"], 5), "top4": round(a["top4"], 5),
                    "mrr": round(a["mrr"], 5), "strata": m,
                    "tracesPerSecond": round(len(traces) / tm["total_s"], 2)}
        log(f"  dev {key:<9} top-1 {100 * a['top1']:.2f}%  top-4 {100 * a['top4']:.2f}%  "
            f"MRR {100 * a['mrr']:.2f}%  ({len(traces)} traces, {tm['total_s']:.0f}s)")
    return res


INT8_TOP4_GATE = 0.3  # dev top-4 points INT8 may lose and still become the default


def passes_int8_gate(top4_loss_points: float) -> bool:
    """The loss is a difference of two fractions of the same traces: 6 of 2000 traces is
    100 * (0.902 - 0.899) = 0.30000000000000027 in floats, which must pass a 0.3 gate (as the
    bench's check of the rounded value in model.json does)."""
    return round(top4_loss_points, 6) <= INT8_TOP4_GATE


def default_choice_text(top4_loss_points: float | None, int8_shipped: bool = False, part: str = "encoder") -> str:
    """model.json encoder.defaultChoice / predictor.defaultChoice: the rule, and whether the INT8
    variant passes its accuracy half (the speed half is npm run bench's: `--record` sets the
    part's file, scripts/bench/variant-choice.ts)."""
    verdict = ("INT8 accuracy gate not measured" if top4_loss_points is None
               else f"INT8 accuracy gate {'passed' if passes_int8_gate(top4_loss_points) else 'failed'} "
                    f"(top-4 loss {round(top4_loss_points, 3)} points)")
    speed = ("measured by npm run bench -- --record: model.json benchmark"
             if int8_shipped else "to be measured by npm run bench -- --record")
    timed = "its search" if part == "predictor" else "it"
    return (f"{'int8' if int8_shipped else 'fp32'}: INT8 becomes the default only if its dev top-4 loss is "
            f"<= {INT8_TOP4_GATE} points AND {timed} is faster in onnxruntime-web WASM ({speed}); {verdict}")


def update_variant_choice(block: dict, top4_loss_points: float | None, part: str = "encoder") -> None:
    """Re-derive `block` (model.json encoder or predictor).defaultChoice after (re-)measuring the
    INT8 loss. An INT8 default chosen by the bench stays only while the accuracy half still
    holds; otherwise the part's file goes back to fp32."""
    v = block.get("variants", {})
    int8 = "int8" in v and block.get("file") == v["int8"]
    if int8 and (top4_loss_points is None or not passes_int8_gate(top4_loss_points)):
        block["file"], int8 = v["fp32"], False
    block["defaultChoice"] = default_choice_text(top4_loss_points, int8_shipped=int8, part=part)


def record_int8_losses(manifest: dict, res: dict | None, encoder_int8: dict | None,
                       predictor_int8: dict | None) -> None:
    """The INT8 variants' dev losses against fp32 (evaluate_all's `res`; None: not measured) into
    their export records (`top4LossPoints`, and `top1LossPoints` for the predictor), and each
    part's defaultChoice re-derived from them (update_variant_choice). Used by the exporter and
    by swipe.redecode alike."""
    for part, rec, runtime in (("encoder", encoder_int8, "onnxInt8"), ("predictor", predictor_int8, "onnxPredInt8")):
        loss = None
        if rec is not None and res is not None and runtime in res:
            if part == "predictor":
                rec["top1LossPoints"] = round(100 * (res["onnxFp32"]["top1"] - res[runtime]["top1"]), 3)
            loss = 100 * (res["onnxFp32"]["top4"] - res[runtime]["top4"])
            rec["top4LossPoints"] = round(loss, 3)
        update_variant_choice(manifest[part], loss, part)


def metrics_block(res: dict, name: str, traces: int, limit, lexicon, dcfg) -> dict:
    """model.json `metrics` from evaluate_all's results (the fp32 ONNX figures on top)."""
    base = res["onnxFp32"]
    rs = dcfg.rescore
    return {"data": "shared/data/hws/dev.jsonl.gz", "split": "dev", "traces": traces,
            "limit": limit, "top1": base["top1"], "top4": base["top4"], "mrr": base["mrr"],
            "lexiconSize": len(lexicon), "lexicon": lexicon.source,
            "byRuntime": {k: {kk: v[kk] for kk in ("top1", "top4", "mrr", "tracesPerSecond")}
                          for k, v in res.items()},
            "strata": base["strata"], "decodingSpec": dcfg.spec,
            "command": (f"python -m swipe.evaluate --onnx public/models/{name} --variant fp32"
                        f" --beam {dcfg.beam} --prune {dcfg.prune} --max-symbols {dcfg.max_symbols_per_frame}"
                        f" --prior-weight {dcfg.prior_weight}"
                        f" --floor-margin {dcfg.floor_margin if dcfg.floor_margin is not None else 'off'}"
                        f" --rescore {'off' if rs is None else rs.to_arg()}"
                        + (f" --limit {limit}" if limit else "")),
            "note": ("top1/top4/mrr/strata: the fp32 encoder (the reference); byRuntime: each runtime, the "
                     "shipped encoder (encoder.file) among them; onnxruntime CPU")}


def build_android_checked(model, tmp: Path, calib_batches, parity_batches, args) -> dict:
    """swipe/android.py into tmp/android; any failure -> ExportError (nothing is committed)."""
    try:
        from .android import AndroidError, build_android
    except ImportError as e:
        raise ExportError(f"Android export needs executorch (pip install -e 'training[dev]'), or pass "
                          f"--skip-android: {type(e).__name__}: {e}") from e
    try:
        return build_android(model, tmp, calib_batches, parity_batches, tol=args.tol,
                             int8_tol=args.pte_int8_tol, log=log)
    except AndroidError as e:
        raise ExportError(f"android parity gate failed: {e}") from e


def _scalar_meta(meta) -> dict:
    """The JSON-friendly scalars of the checkpoint's meta (step, epoch, dev figures...)."""
    out = {}
    for k, v in (meta or {}).items() if isinstance(meta, dict) else ():
        if isinstance(v, (int, float, str, bool)) and not (isinstance(v, float) and not math.isfinite(v)):
            out[k] = v
        elif isinstance(v, dict):
            sub = {kk: vv for kk, vv in v.items() if isinstance(vv, (int, float, str, bool))}
            if sub and len(sub) <= 20:
                out[k] = sub
    return out


def build(args) -> dict:
    import torch

    torch.set_num_threads(args.threads)
    if not args.skip_int8:
        calibration_method(args.calib_method)  # a bad value fails here, not after the fp32 export
    out = Path(args.out).resolve()
    name = args.name or out.name
    model, cfg, meta = load_model(args.checkpoint)
    features = {**FEATURES_MANIFEST, **({} if getattr(args, "max_frames", None) is None else {"maxFrames": args.max_frames})}
    layout_path = Path(args.layout) if args.layout else data_dir() / "layouts" / "qwerty.json"
    layout = load_layout(layout_path)
    dev_all = load_traces(args.dev_traces or split_path("dev"))
    if args.lexicon:
        lexicon = Lexicon.load(args.lexicon)
    else:
        lexicon = Lexicon.build_default(top_n=args.lexicon_top_n)
    dcfg = BeamConfig(beam=args.beam, prune=args.prune, max_symbols_per_frame=args.max_symbols,
                      prior_weight=args.prior_weight, top_k=args.top_k,
                      floor_margin=floor_margin_arg(args.floor_margin),
                      rescore=parse_rescore_arg(args.rescore or "off")).validate()

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=out.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes it 0700; the shipped folder must be readable
    try:
        t0 = time.time()
        log(f"[1/6] encoder -> ONNX fp32")
        dim = _encoder_dim(model)
        shapes = [(1, 1), (1, 2), (1, 7), (1, 64), (2, 33), (3, 120), (5, 200), (8, 57)]
        batches = _real_feature_batches(dev_all[:400], layout, shapes)
        exporter, enc_par = export_checked(
            "encoder", lambda p, m: export_encoder(model, p, m),
            lambda p: check_encoder(model, p, batches, args.tol), tmp / "encoder.onnx")
        log(f"  encoder exporter: {exporter}")
        log(f"[2/6] step -> ONNX fp32")
        step_exporter, step_par = export_checked(
            "step", lambda p, m: export_step(model, p, m),
            lambda p: check_step(model, p, dim, args.tol), tmp / "step.onnx")
        log(f"  step exporter: {step_exporter}")
        log(f"[2b/6] predictor -> ONNX fp32, joint -> joint.bin")
        pred_exporter, pred_par = export_checked(
            "predictor", lambda p, m: export_predictor(model, p, m),
            lambda p: check_predictor(model, p, args.tol), tmp / "predictor.onnx")
        log(f"  predictor exporter: {pred_exporter}")
        from .evaluate import write_joint_bin
        joint_info = write_joint_bin(tmp / "joint.bin", *joint_weights(model))
        joint_par = check_joint(model, tmp / "joint.bin", dim, args.tol)
        native_info = native_par = None
        if getattr(cfg, "pred_type", "lstm") == "lstm":  # a stateless predictor has no weights.bin
            log("[2c/6] encoder + LSTM predictor weights -> weights.bin (the engine's own WebAssembly runtime)")
            native_info = write_weights(model, tmp / "weights.bin")
            native_par = {**check_native_weights(model, tmp / "weights.bin"), "bytes": native_info["bytes"]}
        else:
            log("[2c/6] weights.bin skipped (stateless predictor)")
        h, _ = model.initial_state(1)
        layers, hidden = int(h.shape[0]), int(h.shape[2])

        rng = np.random.default_rng(0)
        order = rng.permutation(len(dev_all))
        calib = [dev_all[i] for i in order]
        int8 = None
        if not args.skip_int8:
            log(f"[3/6] encoder -> INT8 QDQ (calibration {args.calib_batches} x {args.calib_batch_size} dev traces)")
            int8 = quantize_encoder(tmp / "encoder.onnx", tmp / "encoder.int8.onnx", calib, layout,
                                    args.calib_batches, args.calib_batch_size,
                                    [n for n in (args.exclude_nodes or "").split(",") if n],
                                    calib_method=args.calib_method)
            # informative (not gated) deviation of INT8 from fp32
            x, ln = batches[6]
            s32, s8 = ort_session(tmp / "encoder.onnx"), ort_session(tmp / "encoder.int8.onnx")
            e32, l32 = s32.run(None, {"features_bft": x, "lengths": ln})
            e8, _ = s8.run(None, {"features_bft": x, "lengths": ln})
            int8["maxAbsDiffVsFp32"] = float(max(np.max(np.abs(e32[i, :l32[i]] - e8[i, :l32[i]]))
                                                 for i in range(x.shape[0])))
            int8["encoderMsOrtCpu"] = {
                "fp32": round(encoder_latency_ms(tmp / "encoder.onnx", x[:1], ln[:1]), 3),
                "int8": round(encoder_latency_ms(tmp / "encoder.int8.onnx", x[:1], ln[:1]), 3),
                "input": f"B=1 T={int(ln[0])}, onnxruntime {__import__('onnxruntime').__version__} CPU, 1 thread"}
            log(f"  INT8 vs fp32 max abs diff {int8['maxAbsDiffVsFp32']:.3g}; ORT CPU encoder ms "
                f"{int8['encoderMsOrtCpu']}")
        else:
            log("[3/6] INT8 skipped (--skip-int8)")

        android = None
        if not args.skip_android:
            log("[3b/6] Android: ORT-optimized ONNX copies, ExecuTorch .pte -> android/")
            android = build_android_checked(model, tmp, calibration_batches(
                calib, layout, args.calib_batches, args.calib_batch_size), batches, args)
        else:
            log("[3b/6] Android artefacts skipped (--skip-android)")

        pred_int8 = None
        if not args.skip_int8:
            log("[3c/6] predictor -> INT8 (MatMul/Gemm: the cell's recurrent and output projections)")
            pred_int8 = quantize_predictor(tmp / "predictor.onnx", tmp / "predictor.int8.onnx", layers, hidden)
            log(f"  max abs diff vs fp32 {pred_int8['maxAbsDiffVsFp32']}; ORT CPU ms/call "
                f"{pred_int8['msPerCallOrtCpu']}")
        log(f"[3d/6] browser files -> {PREOPTIMIZED_LEVEL} graphs (loaded with optimization off)")
        try:
            web_opt = preoptimize_in_place(tmp, WEB_FILES, batches, layers, hidden, args.tol)
        except ValueError as e:
            raise ExportError(f"offline graph optimization parity gate failed: {e}") from e
        log("  " + ", ".join(f"{k}: {v['sourceNodes']} -> {v['nodes']} nodes, diff {v['maxAbsDiffVsPlain']:.2g}"
                             for k, v in web_opt.items()))

        log("[4/6] lexicon, layout, model.json")
        lexicon.save(tmp / "lexicon.tsv")
        shutil.copyfile(layout_path, tmp / "qwerty.json")
        variants = {"fp32": "encoder.onnx"}
        if int8 is not None:
            variants["int8"] = "encoder.int8.onnx"
        pred_variants = {"fp32": "predictor.onnx"}
        if pred_int8 is not None:
            pred_variants["int8"] = "predictor.int8.onnx"
        manifest = {
            "formatVersion": 1,
            "name": name,
            "features": features,
            "vocab": list(TOKENS),
            "blankId": BLANK,
            "encoder": {"file": "encoder.onnx", "variants": variants, "inputs": ENC_IN,
                        "outputs": ENC_OUT, "subsampling": 4, "dim": dim,
                        "preOptimized": PREOPTIMIZED_LEVEL},
            "step": {"file": "step.onnx", "inputs": STEP_IN, "outputs": STEP_OUT,
                     "layers": layers, "hidden": hidden, "startToken": BLANK},
            "predictor": {"file": "predictor.onnx", "inputs": PRED_IN, "outputs": PRED_OUT,
                          "layers": layers, "hidden": hidden, "jointDim": joint_info["dim"],
                          "startToken": BLANK, "variants": pred_variants,
                          "preOptimized": PREOPTIMIZED_LEVEL,
                          **({"context": cfg.pred_context} if getattr(cfg, "pred_type", "lstm") == "stateless" else {})},
            "joint": {"file": "joint.bin", "format": "swipe-joint-v1", "dim": joint_info["dim"],
                      "encDim": joint_info["encDim"], "vocabSize": joint_info["vocabSize"],
                      "layout": ("little-endian; 16-byte header: ASCII 'SWJ1', uint32 J, uint32 D, "
                                 "uint32 V; then float32 W_enc (J,D) row-major, b_enc (J), "
                                 "W_out (V,J) row-major, b_out (V)"),
                      "computes": "logits = W_out tanh(W_enc enc_t + b_enc + pred_proj) + b_out (float64)"},
            **({"native": {"file": "weights.bin", "format": NATIVE_FORMAT, "default": False}}
               if native_info is not None else {}),
            "lexicon": {"file": "lexicon.tsv", "format": "word<TAB>logprior (ln(count/total), 17 significant digits)",
                        "size": len(lexicon), "source": lexicon.source},
            "layout": "qwerty.json",
            "decoding": dcfg.to_manifest(),
        }
        (tmp / "model.json").write_text(json.dumps(manifest, indent=1) + "\n")

        metrics = res = None
        if args.eval_limit != 0:
            n = None if args.eval_limit < 0 else args.eval_limit
            ev = dev_all[:n] if n else dev_all
            log(f"[5/6] dev evaluation on {len(ev)} traces (beam {dcfg.beam}, λ {dcfg.prior_weight})")
            seen = train_words(split_path("train"))
            res = evaluate_all(model, tmp, ev, layout, lexicon, dcfg, seen, int8 is not None,
                               include_pte=android is not None, include_pred_int8=pred_int8 is not None, features=features)
            base = res["onnxFp32"]
            metrics = metrics_block(res, name, len(ev), n, lexicon, dcfg)
        else:
            log("[5/6] dev evaluation skipped (--eval-limit 0)")
        sizes = {p.name: p.stat().st_size for p in sorted(tmp.iterdir()) if p.is_file()}
        record_int8_losses(manifest, res, int8, pred_int8)
        manifest["metrics"] = metrics
        manifest["export"] = {
            "checkpoint": args.checkpoint_label or str(args.checkpoint),
            "checkpointMeta": _scalar_meta(meta), "opset": OPSET, "exporter": {"encoder": exporter, "step": step_exporter, "predictor": pred_exporter},
            "parity": {"encoderFp32": enc_par, "stepFp32": step_par, "predictorFp32": pred_par,
                       "jointFloat64": joint_par,
                       **({"nativeWeights": native_par} if native_par is not None else {}),
                       "tolerance": args.tol},
            "int8": int8, "predictorInt8": pred_int8, "preOptimized": web_opt, "android": android, "sizes": sizes, "seconds": round(time.time() - t0, 1),
            "torch": torch.__version__, "onnxruntime": __import__("onnxruntime").__version__,
        }
        (tmp / "model.json").write_text(json.dumps(manifest, indent=1) + "\n")

        golden = None
        if args.golden:
            log("[6/6] golden vectors")
            golden = golden_vectors(tmp, name, dev_all[:3000], layout, lexicon, dcfg, features=features)
            if len(golden["beam.json"]["cases"]) < 5:
                raise ExportError(f"only {len(golden['beam.json']['cases'])} beam golden cases found")
        # ---- commit: nothing above wrote outside tmp
        if out.exists():
            old = out.parent / f".{name}.old-{os.getpid()}"
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old)
        else:
            tmp.rename(out)
        if golden:
            gd = Path(args.golden)
            gd.mkdir(parents=True, exist_ok=True)
            for fn, obj in golden.items():
                p = gd / (fn + ".tmp")
                p.write_text(json.dumps(obj, separators=(",", ":")) + "\n")
                os.replace(p, gd / fn)
            log(f"  wrote {', '.join(golden)} into {gd}")
        sizes = {str(p.relative_to(out)): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()}
        log(f"done: {out} ({sum(sizes.values())} bytes) {sizes}")
        return manifest
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m swipe.export", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True, help="a swipe.train checkpoint (.pt) or a NeMo .nemo")
    ap.add_argument("--out", required=True, help="public/models/<name>")
    ap.add_argument("--name", default=None, help="model name (default: the --out folder name)")
    ap.add_argument("--checkpoint-label", default=None,
                    help="how model.json names the checkpoint (default: its path)")
    ap.add_argument("--calib-batches", type=int, default=64)
    ap.add_argument("--calib-batch-size", type=int, default=8)
    ap.add_argument("--calib-method", default="minmax",
                    help="INT8 activation ranges: minmax, percentile[:P] (default 99.99) or entropy")
    ap.add_argument("--exclude-nodes", default="", help="comma-separated encoder node names kept fp32")
    ap.add_argument("--skip-int8", action="store_true", help="no encoder.int8.onnx")
    ap.add_argument("--skip-android", action="store_true",
                    help="no android/ folder (ORT-optimized ONNX copies, ExecuTorch .pte)")
    ap.add_argument("--pte-int8-tol", type=float, default=0.05,
                    help="encoder.int8.pte vs its PT2E INT8 reference: max abs diff / max |reference|")
    ap.add_argument("--tol", type=float, default=1e-4, help="fp32 parity gate (max abs diff)")
    ap.add_argument("--lexicon", default=None, help="lexicon.tsv to ship (default: build it)")
    ap.add_argument("--lexicon-top-n", type=int, default=50_000)
    ap.add_argument("--layout", default=None)
    ap.add_argument("--dev-traces", default=None)
    ap.add_argument("--eval-limit", type=int, default=2000,
                    help="dev traces for the metrics in model.json (0 = skip, -1 = all)")
    ap.add_argument("--beam", type=int, default=16)
    ap.add_argument("--prune", type=int, default=6)
    ap.add_argument("--max-symbols", type=int, default=20)
    ap.add_argument("--prior-weight", type=float, default=0.5)
    ap.add_argument("--top-k", type=int, default=4)
    ap.add_argument("--floor-margin", default="2",
                    help="beam-floor margin in nats written to model.json (BEAM_SEARCH.md v3); 'off' = v2")
    ap.add_argument("--rescore", default="off",
                    help="swipe-beam-v4 geometric rescoring weights LOC,SHAPE,ENDS[,POINTS] or "
                         "loc=..,shape=..,ends=..,letter=..[,points=..] written to "
                         "model.json (tune them with swipe.evaluate --rescore); 'off' = v3")
    ap.add_argument("--golden", default=None, help="write encoder/step/beam golden JSON here")
    ap.add_argument("--max-frames", type=max_frames_arg, default=None,
                    help=f"model.json features.maxFrames: decode longer swipes with this many frames "
                         f"(default {FEATURES_MANIFEST['maxFrames']}, training's M); used by the dev evaluation and golden vectors too")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    try:
        build(a)
    except ExportError as e:
        print(f"export failed: {e}\nnothing was written to {a.out}", file=sys.stderr)
        raise SystemExit(2)


if __name__ == "__main__":
    main()
