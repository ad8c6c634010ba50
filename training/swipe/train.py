"""Training CLI.

    python -m swipe.train --config training/configs/base.json [--resume] [--key value ...]

Overrides: `--max_steps 2000`, `--model.d_model 96`, `--data_dir /path` (values parsed as JSON
when possible). Writes runs/<name>/log.jsonl, last.pt, best.pt (atomic saves), config.json.
The data stream is a deterministic function of (seed, step), so --resume continues exactly
(model, optimizer, step, RNG, data position).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset

from .augment import augment_trace, sloppy_trace
from .data import REPO_ROOT, data_dir, load_layout, load_traces, load_word_counts
from .features import FeatureError, compute_features, layout_constants
from .greedy import greedy_decode
from .lexicon import read_bare_log_priors
from .model import ModelConfig, SwipeTransducer, count_params
from .synth import LexiconSampler, key_centres, synth_trace
from .negatives import Confusables
from .vocab import decode, encode, is_encodable

TRAINING_DIR = REPO_ROOT / "training"


@dataclass
class TrainConfig:
    name: str = "base"                 # run folder: training/runs/<name>
    seed: int = 1234
    data_dir: str = ""                 # '' -> $SWIPE_DATA_DIR or ../shared/data
    runs_dir: str = ""                 # '' -> training/runs
    drop_suspect: bool = True          # drop HWS `suspect` traces from training
    train_limit: int = 0               # >0: use only the first N train traces (debug)
    synth_ratio: float = 0.25          # fraction of each batch that is synthetic
    synth_top: int = 50000             # synthetic words: top-N of en-words.tsv
    synth_power: float = 0.3           # sampling prob ~ count ** power (flattened Zipf)
    aug_prob: float = 0.5              # probability a real trace is augmented
    aug_strength: float = 1.0
    aug_sloppy: float = 0.0            # probability a real trace is also made sloppy (augment.sloppy_trace)
    batch_size: int = 64
    pool_batches: int = 32             # bucketing: sort a pool of this many batches by length
    max_steps: int = 20000
    max_hours: float = 0.0             # >0: stop (after saving) when wall time exceeds this
    stop_at_step: int = 0              # >0: stop this invocation at this step (schedule still uses max_steps)
    lr: float = 1.5e-3
    warmup_steps: int = 1000
    min_lr_ratio: float = 0.05         # cosine decays to lr * min_lr_ratio
    weight_decay: float = 0.01
    grad_clip: float = 5.0
    threads: int = 2                   # torch threads in the trainer
    device: str = "cpu"                # "cpu", "cuda", or "auto" (cuda when one is visible)
    num_workers: int = 1               # DataLoader worker processes generating batches
    log_every: int = 50
    eval_every: int = 500
    ckpt_every: int = 250
    dev_limit: int = 1000              # dev metric on the first N dev traces
    max_symbols: int = 5               # greedy decoder cap per frame
    model: dict = field(default_factory=dict)  # ModelConfig overrides
    init_from: str = ""                # warm start: model weights of this checkpoint (fresh optimizer,
                                       # step 0); ignored when --resume finds last.pt
    init_partial: bool = False         # warm start into another architecture: load the tensors of
                                       # init_from whose name and shape match, the others keep their fresh
                                       # init; every encoder tensor must load
    freeze_encoder_steps: int = 0      # the encoder (and CTC head) get no update for the first N steps,
                                       # so a freshly initialised predictor learns against a trained
                                       # encoder before its gradients reach it
    disc_weight: float = 0.0           # >0: add the word-discrimination loss (word_discrimination_loss)
    disc_negatives: int = 3            # confusable words per trace (swipe.negatives), drawn from its 8 nearest
    disc_items: int = 16               # batch items that get it (the first N with a lexicon word)
    disc_prior_weight: float = 0.25    # λ of the search's score acoustic + λ·log prior
    disc_lexicon: str = "../public/models/swipe-v1/lexicon.tsv"  # word<TAB>log prior, relative to training/


# ------------------------------------------------------------------ data

def _cache_key(path: Path, extra: str) -> str:
    st = path.stat()
    return hashlib.sha1(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{extra}|features-v1".encode()).hexdigest()[:12]


def load_split_cached(path: Path, layout: dict, cache_dir: Path, drop_suspect: bool, limit: int = 0) -> dict:
    """Parse a trace file once and cache points, sizes, words and un-augmented features (npz)."""
    key = _cache_key(path, f"{drop_suspect}|{limit}")
    cache = cache_dir / f"{path.name.split('.')[0]}-{key}.npz"
    if cache.exists():
        z = np.load(cache, allow_pickle=False)
        return {k: z[k] for k in z.files}
    traces = load_traces(path, drop_suspect=drop_suspect, limit=limit or None)
    consts = layout_constants(layout)
    pts, poff, feats, foff, wh, words, ids = [], [0], [], [0], [], [], []
    for tr in traces:
        if not is_encodable(tr["word"]):
            continue
        try:
            f = compute_features(tr["points"], tr["width"], tr["height"], layout, _layout_consts=consts)
        except FeatureError:
            continue
        p = np.asarray(tr["points"], dtype=np.float32)
        pts.append(p)
        poff.append(poff[-1] + len(p))
        feats.append(f)
        foff.append(foff[-1] + len(f))
        wh.append((tr["width"], tr["height"]))
        words.append(tr["word"])
        ids.append(tr["id"])
    d = {"points": np.concatenate(pts), "poff": np.asarray(poff, np.int64),
         "feats": np.concatenate(feats), "foff": np.asarray(foff, np.int64),
         "wh": np.asarray(wh, np.float64), "words": np.asarray(words), "ids": np.asarray(ids)}
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, **d)
    tmp.replace(cache)
    return d


def collate(items):
    """items: list of (features (n,35) f32, token ids). -> batch tensors."""
    B = len(items)
    T = max(f.shape[0] for f, _ in items)
    U = max(len(y) for _, y in items)
    x = np.zeros((B, 35, T), np.float32)
    lens = np.zeros(B, np.int32)
    tg = np.zeros((B, max(U, 1)), np.int64)
    tl = np.zeros(B, np.int64)
    for i, (f, y) in enumerate(items):
        x[i, :, : f.shape[0]] = f.T
        lens[i] = f.shape[0]
        tg[i, : len(y)] = y
        tl[i] = len(y)
    return {"x": torch.from_numpy(x), "lengths": torch.from_numpy(lens),
            "targets": torch.from_numpy(tg), "target_lengths": torch.from_numpy(tl)}


class BatchStream(IterableDataset):
    """Infinite, deterministic stream of bucketed batches mixing real (augmented) and synthetic
    traces. Pool i is generated from np.random.default_rng([seed, i]); real traces are taken
    in order from per-epoch permutations, so the stream depends only on (seed, step)."""

    def __init__(self, cfg: TrainConfig, real: dict, layout: dict, word_counts, start_step: int = 0):
        self.cfg = cfg
        self.real = real
        self.layout = layout
        self.word_counts = word_counts
        self.start_step = start_step

    def _setup(self):
        self.consts = layout_constants(self.layout)
        self.centres = key_centres(self.layout)
        letters = set(self.centres)
        self.sampler = LexiconSampler(self.word_counts, power=self.cfg.synth_power, top=self.cfg.synth_top,
                                      allowed=lambda w: is_encodable(w) and all(ch in letters for ch in w))
        self.sizes = [tuple(x) for x in np.unique(self.real["wh"], axis=0)]
        self.N = len(self.real["words"])
        self._perm_epoch = -1

    def _perm(self, epoch):
        if epoch != self._perm_epoch:
            self._perm_cache = np.random.default_rng([self.cfg.seed, 7, epoch]).permutation(self.N)
            self._perm_epoch = epoch
        return self._perm_cache

    def _real_item(self, idx, rng):
        r = self.real
        word = str(r["words"][idx])
        augment = rng.random() < self.cfg.aug_prob
        # no draw when aug_sloppy is 0, so older configs replay the same stream
        sloppy = self.cfg.aug_sloppy > 0 and rng.random() < self.cfg.aug_sloppy
        if augment or sloppy:
            pts = r["points"][r["poff"][idx]: r["poff"][idx + 1]]
            W, H = r["wh"][idx]
            tr = {"points": pts, "width": W, "height": H}
            if augment:
                tr = augment_trace(tr, rng, self.cfg.aug_strength)
            if sloppy:
                tr = sloppy_trace(tr, rng)
            try:
                f = compute_features(tr["points"], W, H, self.layout, _layout_consts=self.consts)
            except FeatureError:
                f = r["feats"][r["foff"][idx]: r["foff"][idx + 1]]
        else:
            f = r["feats"][r["foff"][idx]: r["foff"][idx + 1]]
        return f, encode(word)

    def _synth_item(self, rng):
        for _ in range(10):
            w = self.sampler.sample(rng)
            W, H = self.sizes[int(rng.integers(len(self.sizes)))]
            tr = synth_trace(w, self.layout, rng, W, H, centres=self.centres)
            try:
                return compute_features(tr["points"], W, H, self.layout, _layout_consts=self.consts), encode(w)
            except FeatureError:
                continue
        raise RuntimeError("synthetic generation failed")

    def pool(self, i):
        cfg = self.cfg
        rng = np.random.default_rng([cfg.seed, i])
        n = cfg.batch_size * cfg.pool_batches
        n_syn = int(round(cfg.synth_ratio * n)) if cfg.synth_top > 0 else 0
        n_real = n - n_syn
        items = []
        pos = i * n_real
        for k in range(n_real):
            g = pos + k
            items.append(self._real_item(int(self._perm(g // self.N)[g % self.N]), rng))
        for _ in range(n_syn):
            items.append(self._synth_item(rng))
        order = np.argsort([f.shape[0] for f, _ in items], kind="stable")
        batches = [[items[j] for j in order[b * cfg.batch_size:(b + 1) * cfg.batch_size]]
                   for b in range(cfg.pool_batches)]
        perm = rng.permutation(cfg.pool_batches)
        return [batches[j] for j in perm]

    def __iter__(self):
        self._setup()
        # With several DataLoader workers each one builds every n-th pool (else each would yield
        # the same stream and every batch would be trained on n times); the loader takes one
        # batch from each worker in turn. The stream is then a function of (seed, step, n), and a
        # resume restarts at the pool boundary instead of mid-pool.
        info = torch.utils.data.get_worker_info()
        k, n = (info.id, info.num_workers) if info is not None else (0, 1)
        i = self.start_step // self.cfg.pool_batches
        skip = self.start_step % self.cfg.pool_batches if n == 1 else 0
        while True:
            if i % n == k:
                for b, batch in enumerate(self.pool(i)):
                    if b < skip:
                        continue
                    yield collate(batch)
                skip = 0
            i += 1


def _worker_init(_):
    torch.set_num_threads(1)


def resolve_device(name: str) -> torch.device:
    """The config's `device` -> a torch device; asking for cuda where there is none is an error
    (a silent CPU fallback would turn a 10-minute GPU job into a day)."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise SystemExit(f"device {name!r}: torch {torch.__version__} sees no CUDA device")
        return torch.device(name)
    raise SystemExit(f"device {name!r}: use cpu, cuda or auto")


def to_device(batch: dict, device: torch.device) -> dict:
    return {k: v.to(device, non_blocking=True) for k, v in batch.items()}  # same device: no copy


# ------------------------------------------------------------------ eval

@torch.no_grad()
def evaluate_dev(model, dev: dict, limit: int, max_symbols: int, batch_size: int = 100) -> dict:
    model.eval()
    device = next(model.parameters()).device
    n = min(limit, len(dev["words"]))
    idx = sorted(range(n), key=lambda i: int(dev["foff"][i + 1] - dev["foff"][i]))
    correct = 0
    nll_sum = 0.0
    tok = 0
    for s in range(0, n, batch_size):
        chunk = idx[s:s + batch_size]
        items = [(dev["feats"][dev["foff"][i]: dev["foff"][i + 1]], encode(str(dev["words"][i]))) for i in chunk]
        b = to_device(collate(items), device)
        out = model(b["x"], b["lengths"], b["targets"], b["target_lengths"])
        nll_sum += float(out["nll"].sum())
        tok += int(b["target_lengths"].sum())
        hyp = greedy_decode(model, b["x"], b["lengths"], max_symbols=max_symbols)
        correct += sum(h == str(dev["words"][i]) for h, i in zip(hyp, chunk))
    model.train()
    return {"dev_greedy_acc": correct / max(n, 1), "dev_loss_per_token": nll_sum / max(tok, 1), "dev_n": n}


# ------------------------------------------------------------------ word discrimination

def word_discrimination_loss(model, enc, enc_len, targets, target_lengths, confusables, prior: dict[str, float],
                             negatives: int, items: int, lam: float, rng: np.random.Generator):
    """Cross-entropy of the target word against `negatives` confusable lexicon words, each scored
    as the search scores it (log P(word | trace) + λ·log prior), for the first `items` batch items
    whose word is in the lexicon and has enough confusables. None when no item qualifies."""
    rows, words = [], []
    for i in range(targets.shape[0]):
        w = decode(targets[i, : int(target_lengths[i])].tolist())
        near = confusables(w) if w in prior else []
        if len(near) < negatives:
            continue
        pick = rng.choice(len(near), size=negatives, replace=False)
        rows.append(i)
        words.append([w] + [near[int(j)] for j in sorted(pick)])
        if len(rows) == items:
            break
    if not rows:
        return None
    toks = [[encode(w) for w in ws] for ws in words]
    U = max(len(t) for ts in toks for t in ts)
    cand = torch.zeros(len(rows), negatives + 1, U, dtype=torch.long)
    lens = torch.zeros(len(rows), negatives + 1, dtype=torch.long)
    for r, ts in enumerate(toks):
        for k, t in enumerate(ts):
            cand[r, k, : len(t)] = torch.tensor(t)
            lens[r, k] = len(t)
    idx = torch.tensor(rows, device=enc.device)
    ll = model.word_loglik(enc[idx], enc_len[idx], cand.to(enc.device), lens.to(enc.device))
    p = torch.tensor([[prior[w] for w in ws] for ws in words], dtype=ll.dtype, device=ll.device)
    score = ll + lam * p
    return torch.nn.functional.cross_entropy(score.float(), torch.zeros(len(rows), dtype=torch.long, device=ll.device))


# ------------------------------------------------------------------ checkpoints

def atomic_save(obj, path: Path):
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def lr_at(step, cfg: TrainConfig):
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    p = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps))
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * p)))


def parse_overrides(items: list[str]) -> dict:
    out = {}
    i = 0
    while i < len(items):
        k = items[i]
        if not k.startswith("--") or i + 1 >= len(items):
            raise SystemExit(f"bad override near {k!r}: use --key value")
        v = items[i + 1]
        try:
            v = json.loads(v)
        except json.JSONDecodeError:
            pass
        out[k[2:]] = v
        i += 2
    return out


def build_config(config_path: str | None, overrides: dict) -> TrainConfig:
    d = {}
    if config_path:
        with open(config_path, encoding="utf-8") as f:
            d = json.load(f)
    d.setdefault("model", {})
    for k, v in overrides.items():
        if k.startswith("model."):
            d["model"][k[6:]] = v
        else:
            d[k] = v
    known = {f.name for f in fields(TrainConfig)}
    unknown = set(d) - known
    if unknown:
        raise SystemExit(f"unknown config keys: {sorted(unknown)}")
    mk = {f.name for f in fields(ModelConfig)}
    if set(d["model"]) - mk:
        raise SystemExit(f"unknown model keys: {sorted(set(d['model']) - mk)}")
    return TrainConfig(**d)


def _shape_cfg(model_cfg: dict) -> dict:
    """The model config fields that a warm start must share with its source checkpoint."""
    return {k: v for k, v in model_cfg.items() if k != "dropout"}


ENCODER_PREFIXES = ("sub1.", "sub2.", "in_proj.", "blocks.")


def load_matching(model: torch.nn.Module, state: dict) -> tuple[list[str], list[str]]:
    """Copy the tensors of `state` whose name and shape match into `model` -> (loaded, kept fresh).
    Every encoder tensor must be among the loaded: a partial warm start reuses a trained encoder."""
    own = model.state_dict()
    loaded = [k for k, v in state.items() if k in own and own[k].shape == v.shape]
    missing_enc = [k for k in own if k.startswith(ENCODER_PREFIXES) and k not in loaded]
    if missing_enc:
        raise SystemExit(f"init_partial: the source lacks encoder tensors of this model: {missing_enc[:4]}")
    model.load_state_dict({**own, **{k: state[k] for k in loaded}})
    return loaded, sorted(k for k in own if k not in loaded)


def _set_encoder_trainable(model: torch.nn.Module, on: bool) -> None:
    for n, p in model.named_parameters():
        if n.startswith(ENCODER_PREFIXES + ("ctc_head.",)):
            p.requires_grad_(on)


def train(cfg: TrainConfig, resume: bool = False, quiet: bool = False, real=None, dev=None) -> dict:
    torch.set_num_threads(cfg.threads)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    ddir = data_dir(cfg.data_dir or None)
    runs = Path(cfg.runs_dir) if cfg.runs_dir else TRAINING_DIR / "runs"
    out = runs / cfg.name
    out.mkdir(parents=True, exist_ok=True)
    layout = load_layout(ddir / "layouts" / "qwerty.json")
    t0 = time.time()
    if real is None:
        real = load_split_cached(ddir / "hws" / "train.jsonl.gz", layout, runs / "cache", cfg.drop_suspect,
                                 cfg.train_limit)
    if dev is None:
        dev = load_split_cached(ddir / "hws" / "dev.jsonl.gz", layout, runs / "cache", False, cfg.dev_limit)
    word_counts = load_word_counts(ddir / "lexicon" / "en-words.tsv", limit=cfg.synth_top) if cfg.synth_ratio > 0 else []
    if not quiet:
        print(f"data: {len(real['words'])} train traces, {len(dev['words'])} dev traces "
              f"({time.time() - t0:.1f}s)", flush=True)

    mcfg = ModelConfig(**cfg.model)
    device = resolve_device(cfg.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True  # fp32 master weights; TF32 matmuls only
        torch.backends.cudnn.allow_tf32 = True
    model = SwipeTransducer(mcfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.98))
    step = 0
    best = -1.0
    metrics = {}
    rng_state = None
    if resume and (out / "last.pt").exists():
        ck = torch.load(out / "last.pt", map_location="cpu", weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step = ck["step"]
        best = ck.get("best_metric", -1.0)
        metrics = ck.get("metrics", {})
        rng_state = ck.get("rng")
        if not quiet:
            print(f"resumed from step {step} (best {best})", flush=True)
    elif cfg.init_from:
        src = Path(cfg.init_from)
        if not src.is_absolute() and not src.exists():
            src = TRAINING_DIR / src
        ck = torch.load(src, map_location="cpu", weights_only=False)
        # dropout changes training only, not the weights' shapes or meaning, so a warm start may change it
        if cfg.init_partial:
            loaded, skipped = load_matching(model, ck["model"])
            if not quiet:
                print(f"warm start from {src} (its step {ck.get('step')}): {len(loaded)} tensors loaded, "
                      f"fresh: {', '.join(skipped) or 'none'}", flush=True)
        else:
            if _shape_cfg(ck.get("model_cfg") or {}) != _shape_cfg(asdict(mcfg)):
                raise SystemExit(f"init_from {src}: its model config {ck.get('model_cfg')} differs from this run's "
                                 f"{asdict(mcfg)}")
            model.load_state_dict(ck["model"])
            if not quiet:
                print(f"warm start from {src} (its step {ck.get('step')})", flush=True)
    with open(out / "config.json", "w") as f:
        json.dump({"train_cfg": asdict(cfg), "model_cfg": asdict(mcfg), "params": count_params(model)}, f, indent=1)
    if not quiet:
        print("params:", count_params(model), "device:", device, flush=True)

    stream = BatchStream(cfg, real, layout, word_counts, start_step=step)
    loader = DataLoader(stream, batch_size=None, num_workers=cfg.num_workers, worker_init_fn=_worker_init,
                        prefetch_factor=4 if cfg.num_workers > 0 else None, persistent_workers=False,
                        pin_memory=device.type == "cuda")
    n_real_per_step = cfg.batch_size - int(round(cfg.synth_ratio * cfg.batch_size * cfg.pool_batches)) / cfg.pool_batches

    def ckpt(kind_paths):
        obj = {"model_cfg": asdict(mcfg), "model": model.state_dict(), "step": step,
               "epoch": step * n_real_per_step / len(real["words"]), "optimizer": opt.state_dict(),
               "metrics": metrics, "train_cfg": asdict(cfg), "best_metric": best,
               "rng": {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}}
        for p in kind_paths:
            atomic_save(obj, p)

    confusables = prior = None
    if cfg.disc_weight > 0:
        lex_path = Path(cfg.disc_lexicon)
        if not lex_path.is_absolute():
            lex_path = TRAINING_DIR / lex_path
        prior = read_bare_log_priors(lex_path)
        confusables = Confusables(prior, layout)
    disc_rng = np.random.default_rng([cfg.seed, step])
    acc_disc, acc_disc_n = 0.0, 0
    log = open(out / "log.jsonl", "a")
    model.train()
    start_time = time.time()
    acc_loss, acc_rnnt, acc_ctc, acc_n, win_t = 0.0, 0.0, 0.0, 0, time.time()
    bar = None
    if not quiet:
        from tqdm import tqdm
        bar = tqdm(total=cfg.max_steps, initial=step, mininterval=20, file=sys.stdout, dynamic_ncols=False, ncols=100)
    it = iter(loader)
    # (iter(loader) draws from the torch RNG: restore the saved state only after it)
    if rng_state:
        torch.set_rng_state(rng_state["torch"])
        np.random.set_state(rng_state["numpy"])
        random.setstate(rng_state["python"])
    frozen = None
    while step < cfg.max_steps:
        if (step < cfg.freeze_encoder_steps) != frozen:
            frozen = step < cfg.freeze_encoder_steps
            _set_encoder_trainable(model, not frozen)
        b = to_device(next(it), device)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, cfg)
        o = model(b["x"], b["lengths"], b["targets"], b["target_lengths"], keep_enc=confusables is not None)
        loss = o["loss"]
        if confusables is not None:
            d = word_discrimination_loss(model, o["enc"], o["enc_len"], b["targets"], b["target_lengths"], confusables,
                                         prior, cfg.disc_negatives, cfg.disc_items, cfg.disc_prior_weight, disc_rng)
            if d is not None:
                loss = loss + cfg.disc_weight * d
                acc_disc += float(d.detach())
                acc_disc_n += 1
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        if torch.isfinite(gn):
            opt.step()
        step += 1
        acc_loss += float(o["loss"].detach())
        acc_rnnt += float(o["rnnt_loss"].detach())
        acc_ctc += float(o["ctc_loss"].detach()) if "ctc_loss" in o else 0.0
        acc_n += 1
        if bar is not None:
            bar.update(1)
        if step % cfg.log_every == 0 or step == cfg.max_steps:
            dt = time.time() - win_t
            rec = {"step": step, "loss": acc_loss / acc_n, "rnnt_loss": acc_rnnt / acc_n, "ctc_loss": acc_ctc / acc_n,
                   "lr": lr_at(step - 1, cfg), "grad_norm": float(gn), "sec_per_step": dt / acc_n,
                   "samples_per_sec": acc_n * cfg.batch_size / dt, "elapsed_s": time.time() - start_time,
                   "epoch": step * n_real_per_step / len(real["words"])}
            if acc_disc_n:
                rec["disc_loss"] = acc_disc / acc_disc_n
                acc_disc, acc_disc_n = 0.0, 0
            log.write(json.dumps(rec) + "\n")
            log.flush()
            if bar is not None:
                bar.set_postfix(loss=f"{rec['loss']:.3f}", s_step=f"{rec['sec_per_step']:.2f}")
            acc_loss, acc_rnnt, acc_ctc, acc_n, win_t = 0.0, 0.0, 0.0, 0, time.time()
        do_eval = cfg.eval_every > 0 and (step % cfg.eval_every == 0 or step == cfg.max_steps)
        out_of_time = (cfg.max_hours > 0 and (time.time() - start_time) > cfg.max_hours * 3600) or \
            (cfg.stop_at_step > 0 and step >= cfg.stop_at_step)
        if do_eval or (out_of_time and cfg.eval_every > 0):
            te = time.time()
            metrics = evaluate_dev(model, dev, cfg.dev_limit, cfg.max_symbols)
            metrics["step"] = step
            metrics["eval_s"] = time.time() - te
            log.write(json.dumps({"step": step, "eval": metrics}) + "\n")
            log.flush()
            if not quiet:
                print(f"\n[eval step {step}] {metrics}", flush=True)
            if metrics["dev_greedy_acc"] > best:
                best = metrics["dev_greedy_acc"]
                ckpt([out / "best.pt"])
            ckpt([out / "last.pt"])
            win_t = time.time()
        elif step % cfg.ckpt_every == 0 or step == cfg.max_steps:
            ckpt([out / "last.pt"])
        if out_of_time:
            ckpt([out / "last.pt"])
            break
    if bar is not None:
        bar.close()
    log.close()
    return {"step": step, "metrics": metrics, "best": best, "model": model}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--resume", action="store_true")
    a, rest = ap.parse_known_args(argv)
    cfg = build_config(a.config, parse_overrides(rest))
    r = train(cfg, resume=a.resume)
    print(json.dumps({"step": r["step"], "best_dev_greedy_acc": r["best"], "metrics": r["metrics"]}))


if __name__ == "__main__":
    main()
