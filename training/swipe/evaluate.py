"""Word-level evaluation: decode traces with the reference beam search and score them.

Decode + score (PyTorch checkpoint, or an exported model folder through onnxruntime):

    python -m swipe.evaluate --checkpoint runs/base/best.pt [--split dev] [--limit 2000]
    python -m swipe.evaluate --onnx ../public/models/swipe-v1 [--variant int8] [--predictor-variant int8] [--limit 2000]
        [--beam 16] [--prune 6] [--prior-weight 0.5] [--out preds.jsonl] [--sweep-prior 0,0.25,0.5,1]

Score predictions written by anyone (e.g. the TypeScript `npm run decode`):

    python -m swipe.evaluate score --preds preds.jsonl --traces ../shared/data/hws/dev.jsonl.gz

Metrics: top-1, top-4 (target in the first four), swipe MRR (rank weights 1, .10, .09, .08 for
ranks 1-4, 0 below), overall and per stratum: word length <= 3 vs >= 4; word seen in the train
traces vs not; word in the lexicon vs not (the out-of-lexicon ones can never be right).
A trace whose features fail (empty trace...) counts as a miss with no words.
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .beam_search import BeamConfig, beam_search, floor_margin_arg, joint_enc64, joint_out64
from .rerank import Forest
from .rescore import Geometry, parse_rescore_arg, trace_penalty
from .data import data_dir, load_layout, load_traces
from .lexicon import Lexicon, train_words
from .vocab import BLANK, TOKENS

MRR_WEIGHTS = (1.0, 0.10, 0.09, 0.08)
NUM_FEATURES = 35


# --------------------------------------------------------------------------- runners
class TorchRunner:
    """Encoder + step of a PyTorch SwipeTransducer, numpy in and out."""

    def __init__(self, model):
        import torch

        self.torch = torch
        self.model = model.eval()
        self.blank = BLANK
        h, c = model.initial_state(1)
        self._h0 = h[:, 0].detach().cpu().numpy().astype(np.float32)
        self._c0 = c[:, 0].detach().cpu().numpy().astype(np.float32)

    def initial_state(self):
        return self._h0.copy(), self._c0.copy()

    def encode(self, feats_bft: np.ndarray, lengths: np.ndarray):
        t = self.torch
        with t.no_grad():
            enc, el = self.model.encode(t.from_numpy(feats_bft), t.from_numpy(lengths.astype(np.int64)))
        return enc.cpu().numpy().astype(np.float32), el.cpu().numpy().astype(np.int64)

    def predict(self, y, h, c):
        t = self.torch
        with t.no_grad():
            p, h1, c1 = self.model.predict_step(t.from_numpy(np.asarray(y, np.int64)), t.from_numpy(h),
                                                t.from_numpy(c))
            p = self.model.joint_pred(p)
        return p.numpy(), h1.numpy(), c1.numpy()

    def _joint(self):
        if not hasattr(self, "_jw"):
            m = self.model
            self._jw = tuple(x.detach().cpu().numpy().astype(np.float32) for x in
                             (m.joint_enc.weight, m.joint_enc.bias, m.joint_out.weight, m.joint_out.bias))
        return self._jw

    def joint_enc(self, enc):
        w, b, _, _ = self._joint()
        return joint_enc64(w, b, enc)

    def joint_logits(self, enc_proj_t, pred_proj):
        _, _, w, b = self._joint()
        return joint_out64(w, b, enc_proj_t, pred_proj)

    def step(self, y, h, c, enc_t):
        t = self.torch
        with t.no_grad():
            lo, h1, c1 = self.model.step(t.from_numpy(np.asarray(y, np.int64)), t.from_numpy(h),
                                         t.from_numpy(c), t.from_numpy(enc_t))
        return lo.numpy(), h1.numpy(), c1.numpy()


def ort_session(path, threads: int = 1):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


JOINT_MAGIC = b"SWJ1"


def write_joint_bin(path, w_enc, b_enc, w_out, b_out) -> dict:
    """joint.bin (swipe-joint-v1, little-endian): 16-byte header = magic "SWJ1", uint32 J, D, V;
    then float32 W_enc (J, D) row-major, b_enc (J), W_out (V, J) row-major, b_out (V)."""
    w_enc, b_enc = np.asarray(w_enc, "<f4"), np.asarray(b_enc, "<f4")
    w_out, b_out = np.asarray(w_out, "<f4"), np.asarray(b_out, "<f4")
    J, D = w_enc.shape
    V = w_out.shape[0]
    if b_enc.shape != (J,) or w_out.shape != (V, J) or b_out.shape != (V,):
        raise ValueError(f"joint weights: bad shapes {w_enc.shape} {b_enc.shape} {w_out.shape} {b_out.shape}")
    data = (JOINT_MAGIC + np.array([J, D, V], "<u4").tobytes() + w_enc.tobytes() + b_enc.tobytes()
            + w_out.tobytes() + b_out.tobytes())
    Path(path).write_bytes(data)
    return {"dim": int(J), "encDim": int(D), "vocabSize": int(V), "bytes": len(data)}


def read_joint_bin(path):
    """-> (W_enc (J,D), b_enc (J), W_out (V,J), b_out (V)) float32; checks header and size."""
    raw = Path(path).read_bytes()
    if raw[:4] != JOINT_MAGIC or len(raw) < 16:
        raise ValueError(f"{path}: not a swipe-joint-v1 file")
    J, D, V = (int(x) for x in np.frombuffer(raw[4:16], "<u4"))
    n = J * D + J + V * J + V
    if len(raw) != 16 + 4 * n:
        raise ValueError(f"{path}: {len(raw)} bytes, header says {16 + 4 * n}")
    f = np.frombuffer(raw[16:], "<f4").astype(np.float32)
    o = 0
    w_enc = f[o:o + J * D].reshape(J, D); o += J * D
    b_enc = f[o:o + J]; o += J
    w_out = f[o:o + V * J].reshape(V, J); o += V * J
    b_out = f[o:o + V]
    return w_enc, b_enc, w_out, b_out


class OnnxRunner:
    """Encoder + step sessions of an exported model folder (model.json), via onnxruntime CPU."""

    def __init__(self, model_dir, variant: str | None = None, threads: int = 1,
                 encoder_file: str | None = None, predictor_variant: str | None = None):
        self.dir = Path(model_dir)
        m = json.loads((self.dir / "model.json").read_text())
        self.manifest = m
        self.feature_kwargs = feature_kwargs(m.get("features"))
        if m.get("formatVersion") != 1:
            raise ValueError(f"{self.dir}/model.json: unsupported formatVersion {m.get('formatVersion')!r}")
        e = m["encoder"]
        fname = encoder_file or (e["variants"][variant] if variant else e["file"])
        self.encoder_file = fname
        self.enc = ort_session(self.dir / fname, threads)
        self.ein, self.eout = e["inputs"], e["outputs"]
        s = m["step"]
        self.stp = ort_session(self.dir / s["file"], threads)
        self.sin, self.sout = s["inputs"], s["outputs"]
        self.blank = int(m["blankId"])
        self.layers, self.hidden = int(s["layers"]), int(s["hidden"])
        p = m.get("predictor")
        pv = dict(p.get("variants", {})) if p else {}
        if p and not pv:  # a model.json from before predictor variants: its one file is fp32
            pv = {"fp32": p["file"]}
        if p and predictor_variant and predictor_variant not in pv:
            raise ValueError(f"{self.dir}/model.json: no predictor variant {predictor_variant!r}")
        self.predictor_file = (pv[predictor_variant] if predictor_variant else p["file"]) if p else None
        self.prd = ort_session(self.dir / self.predictor_file, threads) if p else None
        self.pin, self.pout = (p["inputs"], p["outputs"]) if p else ({}, {})
        j = m.get("joint")
        self._jw = read_joint_bin(self.dir / j["file"]) if j else None

    def predict(self, y, h, c):
        if self.prd is None:
            raise ValueError(f"{self.dir}/model.json has no predictor (export it again)")
        s = self.pin
        return tuple(self.prd.run([self.pout["pred"], self.pout["h"], self.pout["c"]],
                                  {s["token"]: np.asarray(y, np.int64), s["h"]: h, s["c"]: c}))

    def joint_enc(self, enc):
        if self._jw is None:
            raise ValueError(f"{self.dir}/model.json has no joint (export it again)")
        w, b, _, _ = self._jw
        return joint_enc64(w, b, enc)

    def joint_logits(self, enc_proj_t, pred_proj):
        _, _, w, b = self._jw
        return joint_out64(w, b, enc_proj_t, pred_proj)

    def initial_state(self):
        z = np.zeros((self.layers, self.hidden), np.float32)
        return z, z.copy()

    def encode(self, feats_bft, lengths):
        enc, el = self.enc.run([self.eout["encoded"], self.eout["lengths"]],
                               {self.ein["features"]: feats_bft.astype(np.float32),
                                self.ein["lengths"]: lengths.astype(np.int32)})
        return enc, el.astype(np.int64)

    def step(self, y, h, c, enc_t):
        s = self.sin
        lo, h1, c1 = self.stp.run([self.sout["logits"], self.sout["h"], self.sout["c"]],
                                  {s["token"]: np.asarray(y, np.int64), s["h"]: h, s["c"]: c,
                                   s["enc"]: enc_t})
        return lo, h1, c1


# --------------------------------------------------------------------------- features
_FEATURE_KWARGS = {"maxFrames": ("max_frames", int), "proxScale": ("prox_scale", float),
                   "dtCapMs": ("dt_cap_ms", float)}


def feature_kwargs(features: dict | None) -> dict:
    """model.json `features` -> compute_features keyword arguments (an absent field keeps
    compute_features' default, which is FEATURES.md's)."""
    return {kw: cast(features[k]) for k, (kw, cast) in _FEATURE_KWARGS.items() if k in (features or {})}


def max_frames_arg(v: str) -> int:
    """argparse type of --max-frames (FEATURES.md M): an integer >= 2."""
    n = int(v)
    if n < 2:
        raise argparse.ArgumentTypeError(f"{v}: at least 2")
    return n


def trace_features(trace: dict, layout: dict, fk: dict | None = None) -> np.ndarray:
    """Features of one trace; fk: feature_kwargs of the model's model.json (the engine reads the
    same `features` block, so a model folder is decoded alike in Python and TypeScript)."""
    from .features import compute_features  # raises FeatureError (a ValueError) on a bad trace

    f = np.asarray(compute_features(trace["points"], trace["width"], trace["height"], layout,
                                    **(fk or {})), dtype=np.float32)
    if f.ndim != 2 or f.shape[1] != NUM_FEATURES or f.shape[0] < 1:
        raise ValueError(f"features of shape {f.shape}")
    return f


def pad_batch(feats: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """[(n_i, F)] -> features_bft (B, F, T_max) zero-padded at the end, lengths int32 (B)."""
    T = max(f.shape[0] for f in feats)
    x = np.zeros((len(feats), NUM_FEATURES, T), np.float32)
    for i, f in enumerate(feats):
        x[i, :, : f.shape[0]] = f.T
    return x, np.array([f.shape[0] for f in feats], np.int32)


def encode_traces(runner, traces, layout, batch_size: int = 16):
    """-> list (per trace) of enc (T'_i, D) float32 or None when the features failed."""
    feats: list[np.ndarray | None] = []
    fk = getattr(runner, "feature_kwargs", None)
    for t in traces:
        try:
            feats.append(trace_features(t, layout, fk))
        except ValueError:  # FeatureError: empty trace, bad size... -> a miss, not a crash
            feats.append(None)
    out: list[np.ndarray | None] = [None] * len(traces)
    ok = [i for i, f in enumerate(feats) if f is not None]
    ok.sort(key=lambda i: feats[i].shape[0])  # similar lengths together: less padding
    for b in range(0, len(ok), batch_size):
        idx = ok[b: b + batch_size]
        x, ln = pad_batch([feats[i] for i in idx])
        enc, el = runner.encode(x, ln)
        for j, i in enumerate(idx):
            out[i] = np.ascontiguousarray(enc[j, : int(el[j])])
    return out


def decode_traces(runner, traces, lexicon: Lexicon, cfg: BeamConfig, layout: dict,
                  batch_size: int = 16, encs=None, progress: bool = False, forest: Forest | None = None):
    """Decode traces -> list of {"id", "words", "scores", "ms"}; plus timing dict. forest:
    swipe-beam-v5's reranker of the final list (it supersedes cfg.rescore's penalty)."""
    t0 = time.perf_counter()
    if encs is None:
        encs = encode_traces(runner, traces, layout, batch_size)
    t1 = time.perf_counter()
    preds = []
    it = zip(traces, encs)
    if progress:
        from tqdm import tqdm
        it = tqdm(it, total=len(traces), desc="beam", file=sys.stderr, mininterval=5)
    geometry = Geometry(layout) if cfg.rescore is not None or forest is not None else None
    for tr, enc in it:
        s = time.perf_counter()
        rerank = None
        if forest is not None and enc is not None:
            pts = geometry.trace(tr["points"], tr["width"], tr["height"])
            rerank = lambda words, lam, pts=pts: forest.final_scores(pts, geometry, words, lam)  # noqa: E731
        res = [] if enc is None else beam_search(runner, enc, lexicon, cfg,
                                                 penalty=trace_penalty(tr, geometry, cfg.rescore),
                                                 rerank=rerank)
        preds.append({"id": tr.get("id"), "words": [w for w, _ in res],
                      "scores": [round(x, 6) for _, x in res],
                      "ms": round((time.perf_counter() - s) * 1000, 3)})
    t2 = time.perf_counter()
    return preds, {"encoder_s": t1 - t0, "beam_s": t2 - t1, "total_s": t2 - t0}, encs


def load_forest(arg: str | None, manifest_value: dict | None, model_dir: Path | None) -> Forest | None:
    """--rerank: 'off', a rerank.json path, or None = the model's decoding.rerank (if any)."""
    if arg == "off":
        return None
    if arg is not None:
        return Forest.load(arg)
    if manifest_value is None or model_dir is None:
        return None
    return Forest.load(model_dir / manifest_value["file"])


# --------------------------------------------------------------------------- metrics
def rank_weight(words: list[str], target: str) -> float:
    for r, w in enumerate(words[: len(MRR_WEIGHTS)]):
        if w == target:
            return MRR_WEIGHTS[r]
    return 0.0


@dataclass
class Acc:
    n: int = 0
    top1: int = 0
    top4: int = 0
    mrr: float = 0.0

    def add(self, words, target):
        self.n += 1
        self.top1 += int(bool(words) and words[0] == target)
        self.top4 += int(target in words[:4])
        self.mrr += rank_weight(words, target)

    def as_dict(self):
        n = max(self.n, 1)
        return {"n": self.n, "top1": self.top1 / n, "top4": self.top4 / n, "mrr": self.mrr / n}


def score(preds: dict[str, list[str]], traces: list[dict], seen_words: set[str] | None = None,
          lexicon_words: set[str] | None = None) -> dict:
    """Metrics of predictions {id: [word, ...]} against traces (with "word"). Missing id = miss."""
    strata: dict[str, Acc] = {"all": Acc()}
    for tr in traces:
        target = tr["word"]
        words = list(preds.get(tr["id"], []))
        keys = ["all", "len<=3" if len(target) <= 3 else "len>=4"]
        if seen_words is not None:
            keys.append("seen" if target in seen_words else "unseen")
        if lexicon_words is not None:
            keys.append("in-lexicon" if target in lexicon_words else "out-of-lexicon")
        for k in keys:
            strata.setdefault(k, Acc()).add(words, target)
    order = ["all", "len<=3", "len>=4", "seen", "unseen", "in-lexicon", "out-of-lexicon"]
    return {k: strata[k].as_dict() for k in order if k in strata}


def format_metrics(m: dict) -> str:
    lines = [f"{'stratum':<16}{'n':>7}{'top-1':>9}{'top-4':>9}{'MRR':>9}"]
    for k, v in m.items():
        lines.append(f"{k:<16}{v['n']:>7}{100 * v['top1']:>8.2f}%{100 * v['top4']:>8.2f}%"
                     f"{100 * v['mrr']:>8.2f}%")
    return "\n".join(lines)


def read_preds(path) -> dict[str, list[str]]:
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    out = {}
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            if "id" not in d or not isinstance(d.get("words"), list):
                raise ValueError(f"{path}:{n}: a prediction line needs 'id' and a 'words' list")
            out[str(d["id"])] = [str(w) for w in d["words"]]
    return out


# --------------------------------------------------------------------------- CLI
def split_path(split: str) -> Path:
    return data_dir() / "hws" / f"{split}.jsonl.gz"


def _score_main(argv):
    ap = argparse.ArgumentParser(prog="python -m swipe.evaluate score",
                                 description="Score {id, words} prediction lines against traces.")
    ap.add_argument("--preds", required=True)
    ap.add_argument("--traces", default=str(split_path("dev")))
    ap.add_argument("--train-traces", default=str(split_path("train")),
                    help="for the seen/unseen strata ('' = skip)")
    ap.add_argument("--lexicon", default="", help="lexicon.tsv for the in/out-of-lexicon strata")
    ap.add_argument("--limit", type=int, default=None,
                    help="score only the first N traces (as decoded with --limit N)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    preds = read_preds(a.preds)
    traces = load_traces(a.traces, limit=a.limit)
    seen = train_words(a.train_traces) if a.train_traces else None
    lexw = Lexicon.load(a.lexicon).words if a.lexicon else None
    missing = sum(1 for t in traces if t["id"] not in preds)
    m = score(preds, traces, seen, lexw)
    print(f"{len(traces)} traces from {a.traces}; {len(preds)} predictions; {missing} traces without one (counted as misses)")
    print(format_metrics(m))
    if a.json:
        print(json.dumps(m))
    return m


def load_runner(a):
    if bool(a.checkpoint) == bool(a.onnx):
        raise SystemExit("give exactly one of --checkpoint PATH or --onnx DIR")
    if a.checkpoint:
        import torch

        from .model import load_checkpoint

        torch.set_num_threads(a.threads)
        model, _cfg, _meta = load_checkpoint(a.checkpoint)
        return TorchRunner(model), None
    r = OnnxRunner(a.onnx, a.variant, threads=a.threads, predictor_variant=a.predictor_variant)
    return r, Path(a.onnx)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "score":
        return _score_main(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m swipe.evaluate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint")
    ap.add_argument("--onnx", help="exported model folder (model.json)")
    ap.add_argument("--variant", choices=["fp32", "int8"], default=None,
                    help="encoder variant of --onnx (default: model.json encoder.file)")
    ap.add_argument("--predictor-variant", choices=["fp32", "int8"], default=None,
                    help="predictor variant of --onnx (default: model.json predictor.file)")
    ap.add_argument("--split", default="dev")
    ap.add_argument("--traces", default=None, help="trace file (overrides --split)")
    ap.add_argument("--limit", type=int, default=None, help="first N traces of the split")
    ap.add_argument("--lexicon", default=None,
                    help="lexicon.tsv (default: the --onnx folder's, else the default build: "
                         "en-words top 50000 + HWS train words)")
    ap.add_argument("--layout", default=None)
    ap.add_argument("--beam", type=int, default=16)
    ap.add_argument("--prune", type=int, default=6)
    ap.add_argument("--max-symbols", type=int, default=20)
    ap.add_argument("--prior-weight", type=float, default=None,
                    help="λ (default: --onnx model.json decoding.priorWeight, else 0.5)")
    ap.add_argument("--top-k", type=int, default=4)
    ap.add_argument("--floor-margin", default="off",
                    help="beam-floor margin in nats (BEAM_SEARCH.md v3); 'off' = v2's exhaustive loop")
    ap.add_argument("--rescore", default=None,
                    help="swipe-beam-v4 geometric rescoring: 'off', LOC,SHAPE,ENDS[,POINTS], or "
                         "loc=..,shape=..,ends=..,letter=..[,points=..] "
                         "(default: --onnx model.json decoding.rescore, else off)")
    ap.add_argument("--rerank", default=None,
                    help="swipe-beam-v5 learnt reranking: 'off' or a rerank.json (default: --onnx "
                         "model.json decoding.rerank, else off)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-frames", type=max_frames_arg, default=None,
                    help="resample longer traces to this many frames (FEATURES.md M; default: --onnx "
                         "model.json features.maxFrames, else 200)")
    ap.add_argument("--sweep-prior", default=None,
                    help="comma-separated λ values: encode once, decode with each, print a table")
    ap.add_argument("--out", default=None, help="write {id, words, scores, ms} lines here")
    ap.add_argument("--json", action="store_true", help="also print the summary as one JSON line")
    ap.add_argument("--progress", action="store_true")
    a = ap.parse_args(argv)

    runner, mdir = load_runner(a)
    if a.lexicon:
        lex = Lexicon.load(a.lexicon)
    elif mdir is not None:
        lex = Lexicon.load(mdir / runner.manifest["lexicon"]["file"])
    else:
        lex = Lexicon.build_default()
    lam = a.prior_weight
    if lam is None:
        lam = float(runner.manifest["decoding"]["priorWeight"]) if mdir is not None else 0.5
    layout = load_layout(a.layout or (mdir / runner.manifest["layout"] if mdir is not None else None))
    if a.max_frames is not None:
        runner.feature_kwargs = {**getattr(runner, "feature_kwargs", {}), "max_frames": a.max_frames}
    tpath = a.traces or split_path(a.split)
    traces = load_traces(tpath, limit=a.limit)
    seen = train_words(split_path("train"))
    print(f"model: {a.checkpoint or (str(mdir) + ' [' + runner.encoder_file + ']')}; "
          f"{len(traces)} traces from {tpath}; lexicon {len(lex)} words ({lex.source})", flush=True)

    rescore = parse_rescore_arg(a.rescore, runner.manifest["decoding"].get("rescore")
                                if mdir is not None else None)
    forest = load_forest(a.rerank, runner.manifest["decoding"].get("rerank") if mdir is not None else None, mdir)
    lams = [float(x) for x in a.sweep_prior.split(",")] if a.sweep_prior else [lam]
    encs = None
    results = []
    for lw in lams:
        cfg = BeamConfig(beam=a.beam, prune=a.prune, max_symbols_per_frame=a.max_symbols,
                         prior_weight=lw, top_k=a.top_k,
                         floor_margin=floor_margin_arg(a.floor_margin), rescore=rescore).validate()
        preds, tm, encs = decode_traces(runner, traces, lex, cfg, layout, a.batch_size, encs,
                                        progress=a.progress, forest=forest)
        m = score({p["id"]: p["words"] for p in preds}, traces, seen, lex.words)
        n = len(traces)
        tot = tm["total_s"] if len(results) == 0 else tm["beam_s"]  # encoder reused after the first
        summary = {"traces": n, "lexiconSize": len(lex), "lexicon": lex.source,
                   "decoding": cfg.to_manifest(), "metrics": m,
                   "traces_per_s": n / tot if tot > 0 else None, "timing_s": tm}
        results.append(summary)
        print(f"\nλ = {lw}  beam {cfg.beam}  prune {cfg.prune}  maxSymbols {cfg.max_symbols_per_frame}"
              f"  rescore {'off' if rescore is None else rescore.to_manifest()}"
              f"  rerank {'off' if forest is None else str(len(forest.trees)) + ' trees'}"
              f"  |  {n / max(tot, 1e-9):.1f} traces/s (encoder {tm['encoder_s']:.1f}s, "
              f"beam {tm['beam_s']:.1f}s)")
        print(format_metrics(m), flush=True)
        if a.out and len(lams) == 1:
            with open(a.out, "w", encoding="utf-8") as f:
                for p in preds:
                    f.write(json.dumps(p) + "\n")
    if len(lams) > 1:
        print("\nλ sweep:  λ  top-1  top-4  MRR")
        for lw, r in zip(lams, results):
            m = r["metrics"]["all"]
            print(f"  {lw:>6}  {100 * m['top1']:.2f}  {100 * m['top4']:.2f}  {100 * m['mrr']:.2f}")
        best = max(zip(lams, results), key=lambda e: (e[1]["metrics"]["all"]["top1"],
                                                       e[1]["metrics"]["all"]["mrr"]))
        print(f"best λ by top-1 (then MRR): {best[0]}")
    if a.json:
        print(json.dumps(results if len(results) > 1 else results[0]))
    return results


if __name__ == "__main__":
    main()
