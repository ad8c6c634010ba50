"""weights.bin: the encoder's and the LSTM predictor's float32 weights for the engine's own
WebAssembly runtime (src/engine/native), which runs the network without onnxruntime-web and so
without its start-up (the cold start of the engine issue).

Format swipe-weights-v1, little-endian:
  bytes 0-3   magic "SWW1"
  bytes 4-7   uint32 L, the length of the JSON header
  bytes 8-    the header, UTF-8 JSON: {"format": "swipe-weights-v1", "config": {d_model, num_layers,
              num_heads, ffn_dim, conv_kernel, num_features, pred_embed, pred_hidden, pred_layers,
              joint_dim, vocab_size}, "tensors": [{"name", "shape", "dtype", "offset"}]}
  then zeros to the next multiple of 16, then the data: each tensor row-major at its `offset`
  (bytes from the start of the data, a multiple of 16), as PyTorch's state_dict holds it, in its
  `dtype`: "float16" where that holds every value exactly (checkpoints are saved in float16, so
  the shipped model's are all float16: 5.8 MB instead of 11.6), else "float32".

The names are the state_dict's (e.g. "blocks.0.att.qkv.weight"); only what inference needs is
written: the subsampling convs, in_proj, the Conformer blocks, the predictor's embedding and LSTM,
and joint_pred (the predictor's output is joint_pred(LSTM output), as predictor.onnx's).

    python -m swipe.web_weights --checkpoint checkpoints/swipe-v1.pt --out ../public/models/swipe-v1/weights.bin
"""
from __future__ import annotations

import argparse
import json
import struct
from pathlib import Path

import numpy as np

MAGIC = b"SWW1"
FORMAT = "swipe-weights-v1"
_PREFIXES = ("sub1.", "sub2.", "in_proj.", "blocks.", "embed.", "lstm.", "joint_pred.")
_CONFIG_KEYS = ("d_model", "num_layers", "num_heads", "ffn_dim", "conv_kernel", "num_features",
                "pred_embed", "pred_hidden", "pred_layers", "joint_dim", "vocab_size")


def _align(n: int, a: int = 16) -> int:
    return (n + a - 1) // a * a


def header_config(model) -> dict:
    """The model's config as weights.bin's header holds it."""
    return {k: getattr(model.cfg, k) for k in _CONFIG_KEYS}


def inference_tensors(model) -> dict:
    """The state_dict entries weights.bin holds, in state_dict order."""
    return {k: v for k, v in model.state_dict().items() if k.startswith(_PREFIXES)}


def write_weights(model, path) -> dict:
    """Writes the inference weights of an LSTM-predictor SwipeTransducer; returns {bytes, tensors}."""
    cfg = model.cfg
    if cfg.pred_type != "lstm":
        raise ValueError(f"weights.bin holds an LSTM predictor; this model's is {cfg.pred_type!r}")
    tensors, blobs, offset = [], [], 0
    for name, t in inference_tensors(model).items():
        a = np.ascontiguousarray(t.detach().cpu().numpy(), dtype="<f4")
        # float16 when that is lossless (checkpoints are saved in float16, checkpoint.slim): half the bytes
        half = a.astype("<f2")
        exact = bool(np.array_equal(half.astype("<f4"), a))
        tensors.append({"name": name, "shape": list(a.shape), "dtype": "float16" if exact else "float32",
                        "offset": offset})
        raw = (half if exact else a).tobytes()
        blobs.append(raw + b"\0" * (_align(len(raw)) - len(raw)))
        offset += _align(len(raw))
    header = json.dumps({"format": FORMAT, "config": header_config(model),
                         "tensors": tensors}, separators=(",", ":")).encode()
    head = MAGIC + struct.pack("<I", len(header)) + header
    head += b"\0" * (_align(len(head)) - len(head))
    data = head + b"".join(blobs)
    Path(path).write_bytes(data)
    return {"bytes": len(data), "tensors": len(tensors)}


def read_weights(path) -> tuple[dict, dict[str, np.ndarray]]:
    """-> (config, {name: float32 array}); checks the magic, the header and every tensor's extent."""
    raw = Path(path).read_bytes()
    if raw[:4] != MAGIC or len(raw) < 8:
        raise ValueError(f"{path}: not a {FORMAT} file")
    (n,) = struct.unpack("<I", raw[4:8])
    try:
        header = json.loads(raw[8:8 + n].decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: its header is not JSON") from e
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{path}: not a {FORMAT} header")
    base = _align(8 + n)
    out = {}
    for t in header.get("tensors") or []:
        try:
            name, shape, offset = t["name"], [int(d) for d in t["shape"]], int(t["offset"])
            dtype = {"float16": "<f2", "float32": "<f4"}[t["dtype"]]
        except (TypeError, KeyError, ValueError) as e:
            raise ValueError(f"{path}: bad tensor entry {t!r:.120}") from e
        count = int(np.prod(shape)) if shape else 1
        start = base + offset
        if start + np.dtype(dtype).itemsize * count > len(raw):
            raise ValueError(f"{path}: {name} runs past the end")
        out[name] = np.frombuffer(raw, dtype, count, start).astype(np.float32).reshape(shape)
    if not isinstance(header.get("config"), dict):
        raise ValueError(f"{path}: no config in the header")
    return header["config"], out


def main(argv=None) -> None:
    from .export import load_model

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    model = load_model(a.checkpoint)[0]
    info = write_weights(model, a.out)
    print(f"wrote {a.out}: {info['tensors']} tensors, {info['bytes']} bytes")


if __name__ == "__main__":
    main()
