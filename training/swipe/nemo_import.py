"""Import a NeMo conformer-RNNT archive (.nemo) as a swipe.train checkpoint.

    python -m swipe.nemo_import --nemo model.nemo --out ckpt.pt
    (python -m swipe.export --checkpoint model.nemo ... converts in memory)

A .nemo is a tar (plain or gzipped) holding model_config.yaml (the model's config) and
model_weights.ckpt (a torch state_dict). The importer reads both without extracting anything,
checks that the config describes OUR architecture (swipe/model.py), maps the weights by the
explicit table WEIGHTS below and loads them strictly into a SwipeTransducer.

What corresponds (NeMo ConformerEncoder / RNNTDecoder / RNNTJoint -> swipe/model.py):
  encoder.pre_encode   conv.0, conv.2, out -> sub1, sub2, in_proj. Ours is Conv1d(k3,s2,p1)+SiLU
                       twice then a Linear; NeMo's own ConvSubsampling values never are (2-D
                       convs, or kernel 5, and ConformerEncoder hard-codes ReLU for them), so
                       encoder.subsampling must be SUBSAMPLING ("swipe_conv1d": a NeMo model
                       built with a pre-encoder of our layout); any NeMo value is refused.
  encoder.xscaling     x * sqrt(d_model) before the positions: folded into in_proj (exact).
  self_attention_model must be abs_pos (sinusoidal positions added once, plain MHSA: linear_q,
                       linear_k, linear_v -> our fused qkv, linear_out -> out); rel_pos / rope
                       have parameters we do not (linear_pos, pos_bias_u/v).
  encoder.layers.N     macaron FFN (0.5 residual), MHSA, conv module (pointwise_conv1, GLU,
                       depthwise_conv, batch_norm which must be a LayerNorm:
                       conv_norm_type = layer_norm, Swish, pointwise_conv2), norm_out.
  decoder.prediction   embed (rows = labels + blank; pred_embed = pred_hidden as in NeMo),
                       dec_rnn.lstm (pred_rnn_layers layers).
  joint                enc, pred, joint_net.{1|2} (the Linear after the activation, which must
                       be tanh); outputs = labels + blank.
Vocabulary: NeMo's blank is the last index, like ours (27); its labels may come in any order:
embedding rows and output rows are permuted by label. Labels that are not exactly a-z and the
apostrophe are a "vocabulary mismatch". NeMo's preprocessor is not used (our features are
swipe-features-v1: encoder.feat_in must be 35); a CTC head (hybrid models) is ignored.
Errors are NemoImportError (a ValueError) naming the archive member / config key / weight.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import math
import os
import sys
import tarfile
from dataclasses import asdict
from pathlib import Path

from .vocab import BLANK, TOKENS

SUBSAMPLING = "swipe_conv1d"
NEMO_SUBSAMPLINGS = ("striding", "dw_striding", "vggnet", "stacking", "stacking_norm",
                     "striding_conv1d", "dw_striding_conv1d")
CONFIG_MEMBER, WEIGHTS_MEMBER = "model_config.yaml", "model_weights.ckpt"
IGNORED_PREFIXES = ("preprocessor.", "spec_augmentation.", "spec_augment.", "ctc_decoder.",
                    "encoder.pos_enc.pe")
LABELS = TOKENS[:BLANK]  # a-z, apostrophe

# One table: (our parameter, NeMo parameter(s), how). {i}: encoder layer, {k}: LSTM layer,
# {J}: index of the joint's output Linear in joint.joint_net (2 after activation + dropout,
# 1 when NeMo built it without dropout).
#   copy       same tensor
#   xscale     times sqrt(d_model) when encoder.xscaling (NeMo scales the pre-encoder output)
#   cat        concatenated along dim 0 (q, k, v -> qkv)
#   labels     rows permuted from NeMo's label order to ours (blank last in both)
#   bias       a bias NeMo omits when encoder.use_bias is false: zeros then (also the q/k/v
#              biases of "cat")
WEIGHTS: list[tuple[str, tuple[str, ...], str]] = [
    ("sub1.weight", ("encoder.pre_encode.conv.0.weight",), "copy"),
    ("sub1.bias", ("encoder.pre_encode.conv.0.bias",), "copy"),
    ("sub2.weight", ("encoder.pre_encode.conv.2.weight",), "copy"),
    ("sub2.bias", ("encoder.pre_encode.conv.2.bias",), "copy"),
    ("in_proj.weight", ("encoder.pre_encode.out.weight",), "xscale"),
    ("in_proj.bias", ("encoder.pre_encode.out.bias",), "xscale"),
    ("blocks.{i}.ff1.norm.weight", ("encoder.layers.{i}.norm_feed_forward1.weight",), "copy"),
    ("blocks.{i}.ff1.norm.bias", ("encoder.layers.{i}.norm_feed_forward1.bias",), "copy"),
    ("blocks.{i}.ff1.l1.weight", ("encoder.layers.{i}.feed_forward1.linear1.weight",), "copy"),
    ("blocks.{i}.ff1.l1.bias", ("encoder.layers.{i}.feed_forward1.linear1.bias",), "bias"),
    ("blocks.{i}.ff1.l2.weight", ("encoder.layers.{i}.feed_forward1.linear2.weight",), "copy"),
    ("blocks.{i}.ff1.l2.bias", ("encoder.layers.{i}.feed_forward1.linear2.bias",), "bias"),
    ("blocks.{i}.att.norm.weight", ("encoder.layers.{i}.norm_self_att.weight",), "copy"),
    ("blocks.{i}.att.norm.bias", ("encoder.layers.{i}.norm_self_att.bias",), "copy"),
    ("blocks.{i}.att.qkv.weight", ("encoder.layers.{i}.self_attn.linear_q.weight",
                                   "encoder.layers.{i}.self_attn.linear_k.weight",
                                   "encoder.layers.{i}.self_attn.linear_v.weight"), "cat"),
    ("blocks.{i}.att.qkv.bias", ("encoder.layers.{i}.self_attn.linear_q.bias",
                                 "encoder.layers.{i}.self_attn.linear_k.bias",
                                 "encoder.layers.{i}.self_attn.linear_v.bias"), "cat"),
    ("blocks.{i}.att.out.weight", ("encoder.layers.{i}.self_attn.linear_out.weight",), "copy"),
    ("blocks.{i}.att.out.bias", ("encoder.layers.{i}.self_attn.linear_out.bias",), "bias"),
    ("blocks.{i}.conv.norm.weight", ("encoder.layers.{i}.norm_conv.weight",), "copy"),
    ("blocks.{i}.conv.norm.bias", ("encoder.layers.{i}.norm_conv.bias",), "copy"),
    ("blocks.{i}.conv.pw1.weight", ("encoder.layers.{i}.conv.pointwise_conv1.weight",), "copy"),
    ("blocks.{i}.conv.pw1.bias", ("encoder.layers.{i}.conv.pointwise_conv1.bias",), "bias"),
    ("blocks.{i}.conv.dw.weight", ("encoder.layers.{i}.conv.depthwise_conv.weight",), "copy"),
    ("blocks.{i}.conv.dw.bias", ("encoder.layers.{i}.conv.depthwise_conv.bias",), "bias"),
    ("blocks.{i}.conv.norm2.weight", ("encoder.layers.{i}.conv.batch_norm.weight",), "copy"),
    ("blocks.{i}.conv.norm2.bias", ("encoder.layers.{i}.conv.batch_norm.bias",), "copy"),
    ("blocks.{i}.conv.pw2.weight", ("encoder.layers.{i}.conv.pointwise_conv2.weight",), "copy"),
    ("blocks.{i}.conv.pw2.bias", ("encoder.layers.{i}.conv.pointwise_conv2.bias",), "bias"),
    ("blocks.{i}.ff2.norm.weight", ("encoder.layers.{i}.norm_feed_forward2.weight",), "copy"),
    ("blocks.{i}.ff2.norm.bias", ("encoder.layers.{i}.norm_feed_forward2.bias",), "copy"),
    ("blocks.{i}.ff2.l1.weight", ("encoder.layers.{i}.feed_forward2.linear1.weight",), "copy"),
    ("blocks.{i}.ff2.l1.bias", ("encoder.layers.{i}.feed_forward2.linear1.bias",), "bias"),
    ("blocks.{i}.ff2.l2.weight", ("encoder.layers.{i}.feed_forward2.linear2.weight",), "copy"),
    ("blocks.{i}.ff2.l2.bias", ("encoder.layers.{i}.feed_forward2.linear2.bias",), "bias"),
    ("blocks.{i}.norm.weight", ("encoder.layers.{i}.norm_out.weight",), "copy"),
    ("blocks.{i}.norm.bias", ("encoder.layers.{i}.norm_out.bias",), "copy"),
    ("embed.weight", ("decoder.prediction.embed.weight",), "labels"),
    ("lstm.weight_ih_l{k}", ("decoder.prediction.dec_rnn.lstm.weight_ih_l{k}",), "copy"),
    ("lstm.weight_hh_l{k}", ("decoder.prediction.dec_rnn.lstm.weight_hh_l{k}",), "copy"),
    ("lstm.bias_ih_l{k}", ("decoder.prediction.dec_rnn.lstm.bias_ih_l{k}",), "copy"),
    ("lstm.bias_hh_l{k}", ("decoder.prediction.dec_rnn.lstm.bias_hh_l{k}",), "copy"),
    ("joint_enc.weight", ("joint.enc.weight",), "copy"),
    ("joint_enc.bias", ("joint.enc.bias",), "copy"),
    ("joint_pred.weight", ("joint.pred.weight",), "copy"),
    ("joint_pred.bias", ("joint.pred.bias",), "copy"),
    ("joint_out.weight", ("joint.joint_net.{J}.weight",), "labels"),
    ("joint_out.bias", ("joint.joint_net.{J}.bias",), "labels"),
]


class NemoImportError(ValueError):
    pass


# --------------------------------------------------------------------------- archive
def read_archive(path) -> tuple[dict, dict, str]:
    """-> (config dict, state_dict, sha256 of the archive)."""
    import torch

    try:
        import yaml
    except ImportError as e:
        raise NemoImportError("reading model_config.yaml needs pyyaml (pip install pyyaml, or "
                              "-e 'training[dev]')") from e
    p = Path(path)
    if not p.is_file():
        raise NemoImportError(f"{p}: not found")
    try:
        tf = tarfile.open(p, "r:*")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise NemoImportError(f"{p}: not a .nemo archive (a tar or tar.gz): {e}") from e
    with tf:
        try:
            members = {Path(m.name).name: m for m in tf.getmembers() if m.isfile()}
        except (tarfile.TarError, OSError, EOFError) as e:
            raise NemoImportError(f"{p}: malformed archive: {e}") from e
        for need in (CONFIG_MEMBER, WEIGHTS_MEMBER):
            if need not in members:
                raise NemoImportError(f"{p}: no {need} in the archive (it holds {sorted(members)})")
        try:
            raw_cfg = tf.extractfile(members[CONFIG_MEMBER]).read()
            raw_w = tf.extractfile(members[WEIGHTS_MEMBER]).read()
        except (tarfile.TarError, OSError, EOFError) as e:
            raise NemoImportError(f"{p}: malformed archive: {e}") from e
    try:
        cfg = yaml.safe_load(raw_cfg.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise NemoImportError(f"{p}: {CONFIG_MEMBER} is not valid YAML: {e}") from e
    if not isinstance(cfg, dict):
        raise NemoImportError(f"{p}: {CONFIG_MEMBER} is not a mapping")
    if "encoder" not in cfg and isinstance(cfg.get("model"), dict):
        cfg = cfg["model"]
    try:
        sd = torch.load(io.BytesIO(raw_w), map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - any unpickling failure is a bad weights file
        raise NemoImportError(f"{p}: {WEIGHTS_MEMBER} cannot be loaded as a state_dict: "
                              f"{type(e).__name__}: {e}") from e
    if isinstance(sd, dict) and isinstance(sd.get("state_dict"), dict):
        sd = sd["state_dict"]
    if not isinstance(sd, dict) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise NemoImportError(f"{p}: {WEIGHTS_MEMBER} is not a state_dict of tensors")
    return cfg, sd, hashlib.sha256(p.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- config
_MISSING = object()


def _get(cfg: dict, dotted: str, default=_MISSING):
    cur = cfg
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            if default is _MISSING:
                raise NemoImportError(f"{CONFIG_MEMBER}: missing key {dotted}")
            return default
        cur = cur[part]
    return _resolve(cfg, cur, dotted)


def _resolve(cfg, value, key):
    """OmegaConf-style ${a.b} interpolation (a whole-value reference only)."""
    for _ in range(8):
        if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
            ref = value[2:-1]
            if ref.startswith("model.") and "model" not in cfg:
                ref = ref[len("model."):]
            value = _get(cfg, ref, None)
            if value is None:
                raise NemoImportError(f"{CONFIG_MEMBER}: {key} refers to {ref}, which is missing")
        else:
            return value
    raise NemoImportError(f"{CONFIG_MEMBER}: {key}: interpolation too deep")


def _need(cond: bool, key: str, value, why: str):
    if not cond:
        raise NemoImportError(f"{CONFIG_MEMBER}: {key} = {value!r} cannot be mapped: {why}")


def nemo_labels(cfg: dict) -> list[str]:
    for key in ("joint.vocabulary", "decoder.vocabulary", "labels", "joint.labels"):
        v = _get(cfg, key, None)
        if v is not None:
            if not isinstance(v, (list, tuple)):
                raise NemoImportError(f"{CONFIG_MEMBER}: {key} is not a list of labels")
            return [str(x) for x in v]
    raise NemoImportError(f"{CONFIG_MEMBER}: no labels (joint.vocabulary, decoder.vocabulary or labels)")


def label_permutation(labels: list[str]) -> list[int]:
    """perm[j] = NeMo index of our token j (blank: NeMo's last index, len(labels))."""
    ours = list(LABELS)
    if len(labels) != len(set(labels)) or sorted(labels) != sorted(ours):
        missing = sorted(set(ours) - set(labels))
        extra = sorted(set(labels) - set(ours))
        dup = sorted({x for x in labels if labels.count(x) > 1})
        raise NemoImportError(
            f"vocabulary mismatch: the NeMo labels ({len(labels)}: {labels!r}) are not ours "
            f"(a-z and apostrophe, blank last): missing {missing}, extra {extra}"
            + (f", duplicated {dup}" if dup else ""))
    return [labels.index(t) for t in ours] + [len(labels)]


def model_config(cfg: dict):
    """NeMo config -> (ModelConfig, facts dict). Refuses whatever our model cannot express."""
    from .model import ModelConfig

    enc = "encoder."
    feat_in = int(_get(cfg, enc + "feat_in"))
    d = int(_get(cfg, enc + "d_model"))
    n_layers = int(_get(cfg, enc + "n_layers"))
    heads = int(_get(cfg, enc + "n_heads", 4))
    kernel = int(_get(cfg, enc + "conv_kernel_size", 31))
    factor = _get(cfg, enc + "subsampling_factor", 4)
    sub = _get(cfg, enc + "subsampling", "striding")
    _need(feat_in == 35, enc + "feat_in", feat_in, "our features (swipe-features-v1) have 35 per frame")
    _need(sub == SUBSAMPLING, enc + "subsampling", sub,
          f"ours is Conv1d(k=3, s=2, p=1) + SiLU twice, then a Linear ('{SUBSAMPLING}'); NeMo's own "
          f"values {list(NEMO_SUBSAMPLINGS)} use 2-D convs (striding, dw_striding, vggnet), kernel 5 "
          "(striding_conv1d, dw_striding_conv1d) or frame stacking, with ReLU")
    _need(int(factor) == 4, enc + "subsampling_factor", factor, "ours subsamples 4x")
    ch = _get(cfg, enc + "subsampling_conv_channels", -1)
    _need(ch in (-1, d, None), enc + "subsampling_conv_channels", ch, f"ours has d_model ({d}) channels")
    sam = _get(cfg, enc + "self_attention_model", "rel_pos")
    _need(sam == "abs_pos", enc + "self_attention_model", sam,
          "ours adds sinusoidal absolute positions once and uses plain MHSA (abs_pos)")
    norm = _get(cfg, enc + "conv_norm_type", "batch_norm")
    _need(norm == "layer_norm", enc + "conv_norm_type", norm, "ours normalises the conv module with LayerNorm")
    ctx = _get(cfg, enc + "att_context_size", None)
    _need(ctx is None or list(ctx) == [-1, -1], enc + "att_context_size", ctx, "ours attends to the whole trace")
    for key, ok in (("causal_downsampling", (False, None)), ("reduction", (None,))):
        v = _get(cfg, enc + key, None)
        _need(v in ok, enc + key, v, "not in our architecture")
    cctx = _get(cfg, enc + "conv_context_size", None)
    _need(cctx in (None, "regular") or (isinstance(cctx, (list, tuple)) and list(cctx) == [(kernel - 1) // 2] * 2),
          enc + "conv_context_size", cctx, "ours pads the depthwise conv symmetrically")
    _need(kernel % 2 == 1, enc + "conv_kernel_size", kernel, "ours needs an odd kernel (symmetric padding)")
    _need(d % heads == 0, enc + "n_heads", heads, f"d_model {d} is not a multiple of it")
    ffx = float(_get(cfg, enc + "ff_expansion_factor", 4))
    ffn = d * ffx
    _need(abs(ffn - round(ffn)) < 1e-9, enc + "ff_expansion_factor", ffx, "d_model * it is not an integer")
    xscaling = bool(_get(cfg, enc + "xscaling", True))
    use_bias = bool(_get(cfg, enc + "use_bias", True))
    hidden = int(_get(cfg, "decoder.prednet.pred_hidden"))
    layers = int(_get(cfg, "decoder.prednet.pred_rnn_layers", 1))
    nm = _get(cfg, "decoder.normalization_mode", None)
    _need(nm is None, "decoder.normalization_mode", nm, "ours is a plain LSTM")
    joint_hidden = int(_get(cfg, "joint.jointnet.joint_hidden"))
    act = str(_get(cfg, "joint.jointnet.activation", "relu")).lower()
    _need(act == "tanh", "joint.jointnet.activation", act, "our joint uses tanh")
    mc = ModelConfig(num_features=feat_in, d_model=d, num_layers=n_layers, num_heads=heads,
                     ffn_dim=int(round(ffn)), conv_kernel=kernel, pred_embed=hidden, pred_hidden=hidden,
                     pred_layers=layers, joint_dim=joint_hidden, ctc_weight=0.0,
                     dropout=float(_get(cfg, enc + "dropout", 0.1) or 0.0))
    return mc, {"xscale": math.sqrt(d) if xscaling else 1.0, "useBias": use_bias}


# --------------------------------------------------------------------------- weights
def _expand(mc) -> list[tuple[str, tuple[str, ...], str]]:
    out = []
    for ours, theirs, how in WEIGHTS:
        if "{i}" in ours:
            reps = [{"i": i} for i in range(mc.num_layers)]
        elif "{k}" in ours:
            reps = [{"k": k} for k in range(mc.pred_layers)]
        else:
            reps = [{}]
        for r in reps:
            out.append((ours.format(**r), tuple(t.replace("{i}", str(r.get("i", ""))).replace(
                "{k}", str(r.get("k", ""))) for t in theirs), how))
    return out


def convert_state_dict(sd: dict, mc, facts: dict, perm: list[int]) -> tuple[dict, list[str]]:
    """NeMo state_dict -> our state_dict (shapes checked) and the ignored NeMo keys."""
    import torch

    from .model import SwipeTransducer

    want = SwipeTransducer(mc).state_dict()
    js = sorted({k.split(".")[2] for k in sd if k.startswith("joint.joint_net.") and k.endswith(".weight")})
    if len(js) != 1:
        raise NemoImportError(f"{WEIGHTS_MEMBER}: expected one Linear in joint.joint_net, found "
                              f"{['joint.joint_net.' + j for j in js] or 'none'}")
    used = set()
    out = {}
    for ours, theirs, how in _expand(mc):
        theirs = tuple(t.replace("{J}", js[0]) for t in theirs)
        missing = [t for t in theirs if t not in sd]
        if missing:
            if (how == "bias" or (how == "cat" and ours.endswith(".bias"))) and not facts["useBias"] \
                    and len(missing) == len(theirs):
                out[ours] = torch.zeros_like(want[ours])
                continue
            raise NemoImportError(f"{WEIGHTS_MEMBER}: missing weight {missing[0]} (for our {ours})")
        ts = [sd[t].detach().to(torch.float32) for t in theirs]
        used.update(theirs)
        if how == "cat":
            v = torch.cat(ts, 0)
        elif how == "xscale":
            v = ts[0] * facts["xscale"]
        elif how == "labels":
            v = ts[0]
            n_out = want[ours].shape[0]
            if v.shape[0] == n_out - 1 and ours == "embed.weight":
                # blank_as_pad = false: no blank row; NeMo starts from a zero input -> zero row
                v = torch.cat([v, torch.zeros_like(v[:1])], 0)
            if v.shape[0] != n_out:
                raise NemoImportError(f"vocabulary mismatch: {theirs[0]} has {v.shape[0]} rows, labels + blank "
                                      f"= {n_out}")
            v = v[perm]
        else:
            v = ts[0]
        if tuple(v.shape) != tuple(want[ours].shape):
            raise NemoImportError(f"{WEIGHTS_MEMBER}: {' + '.join(theirs)} has shape {tuple(v.shape)}, our "
                                  f"{ours} is {tuple(want[ours].shape)}: cannot be mapped")
        out[ours] = v.contiguous()
    ignored, unmapped = [], []
    for k in sd:
        if k in used:
            continue
        (ignored if k.startswith(IGNORED_PREFIXES) or not k.startswith(("encoder.", "decoder.", "joint."))
         else unmapped).append(k)
    if unmapped:
        raise NemoImportError(f"{WEIGHTS_MEMBER}: NeMo weight(s) with no place in our architecture: "
                              f"{unmapped[:8]}{' ...' if len(unmapped) > 8 else ''}")
    return out, ignored


def convert_nemo(path):
    """-> (model in eval mode, ModelConfig, meta) like swipe.model.load_checkpoint."""
    from .model import SwipeTransducer

    cfg, sd, digest = read_archive(path)
    labels = nemo_labels(cfg)
    perm = label_permutation(labels)
    mc, facts = model_config(cfg)
    state, ignored = convert_state_dict(sd, mc, facts, perm)
    model = SwipeTransducer(mc)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise NemoImportError(f"converted weights do not fit our model: {e}") from e
    model.eval()
    meta = {"model_cfg": asdict(mc), "vocab": list(TOKENS),
            "source": {"nemo": Path(path).name, "sha256": digest, "labels": labels,
                       "xscaleFolded": facts["xscale"], "ignoredKeys": ignored,
                       "converter": "swipe/nemo_import.py"}}
    return model, mc, meta


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m swipe.nemo_import", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nemo", required=True, help="the .nemo archive")
    ap.add_argument("--out", required=True, help="checkpoint to write (swipe.model.load_checkpoint reads it)")
    a = ap.parse_args(argv)
    import torch

    out = Path(a.out)
    try:
        model, mc, meta = convert_nemo(a.nemo)
    except NemoImportError as e:
        print(f"nemo import failed: {e}\nnothing was written to {out}", file=sys.stderr)
        raise SystemExit(2)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + f".tmp-{os.getpid()}")
    try:
        torch.save({**meta, "model": model.state_dict()}, tmp)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    src = meta["source"]
    print(f"wrote {out}: {mc.num_layers} layers, d_model {mc.d_model}, labels in NeMo order "
          f"{''.join(src['labels'])!r} permuted to ours, xscale {src['xscaleFolded']:.4g} folded, "
          f"{len(src['ignoredKeys'])} NeMo keys ignored", file=sys.stderr)


if __name__ == "__main__":
    main()
