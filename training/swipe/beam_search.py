"""Reference RNN-T decoding: prefix-constrained beam search over the lexicon trie, and greedy.

This is THE reference that the TypeScript engine (src/engine) ports; training/BEAM_SEARCH.md
states the algorithm step by step and this file follows it line by line. Any change here must
change BEAM_SEARCH.md and regenerate test/fixtures/golden/beam.json.

A decoder (``swipe-beam-v2``, the split predictor / joint) is anything with
  ``blank``: int; ``initial_state() -> (h, c)`` each float32 (L, Hd);
  ``predict(y_prev int64 (B,), h float32 (L,B,Hd), c float32 (L,B,Hd))
      -> (pred_proj float32 (B,J), h1, c1)``   (predictor.onnx: joint_pred(predictor output));
  ``joint_enc(enc float32 (T',D)) -> enc_proj float64 (T',J)``   (once per trace);
  ``joint_logits(enc_proj_t float64 (J,), pred_proj float32 (n,J)) -> logits float64 (n,V)``.
The exported models implement the last two with :func:`joint_enc64` / :func:`joint_out64` on
the float32 weights of joint.bin. ``greedy_search`` still uses ``step`` (step.onnx).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Callable, Protocol

import numpy as np

from .lexicon import LETTERS, Lexicon, Trie
from .rerank import FinalWord
from .rescore import RescoreParams


@dataclass
class BeamConfig:
    beam: int = 16
    prune: int = 6
    max_symbols_per_frame: int = 20
    prior_weight: float = 0.5
    top_k: int = 4
    # swipe-beam-v3 beam-floor pruning (BEAM_SEARCH.md); None or inf = v2's exhaustive symbol loop
    floor_margin: float | None = None
    # swipe-beam-v4 geometric rescoring of the final list (rescore.py); None = v3
    rescore: RescoreParams | None = None

    def validate(self) -> "BeamConfig":
        for k in ("beam", "prune", "max_symbols_per_frame", "top_k"):
            if int(getattr(self, k)) < 1:
                raise ValueError(f"BeamConfig.{k} must be >= 1, got {getattr(self, k)!r}")
        if not math.isfinite(self.prior_weight):
            raise ValueError(f"BeamConfig.prior_weight must be finite, got {self.prior_weight!r}")
        fm = self.floor_margin
        if fm is not None and (math.isnan(fm) or fm < 0):
            raise ValueError(f"BeamConfig.floor_margin must be >= 0 or None, got {fm!r}")
        if self.rescore is not None:
            self.rescore.validate()
        return self

    def to_manifest(self) -> dict:
        return {"beam": self.beam, "prune": self.prune,
                "maxSymbolsPerFrame": self.max_symbols_per_frame,
                "priorWeight": self.prior_weight, "topK": self.top_k,
                **({"floorMargin": self.floor_margin}
                   if self.floor_margin is not None and math.isfinite(self.floor_margin) else {}),
                **({"rescore": self.rescore.to_manifest()} if self.rescore is not None else {})}

    @property
    def spec(self) -> str:
        if self.rescore is not None:
            return "swipe-beam-v4"
        return "swipe-beam-v3" if self.floor_margin is not None else "swipe-beam-v2"


class StepDecoder(Protocol):
    blank: int

    def initial_state(self) -> tuple[np.ndarray, np.ndarray]: ...

    def step(self, y_prev: np.ndarray, h: np.ndarray, c: np.ndarray,
             enc_t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


class SplitDecoder(Protocol):
    blank: int

    def initial_state(self) -> tuple[np.ndarray, np.ndarray]: ...

    def predict(self, y_prev: np.ndarray, h: np.ndarray,
                c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...

    def joint_enc(self, enc: np.ndarray) -> np.ndarray: ...

    def joint_logits(self, enc_proj_t: np.ndarray, pred_proj: np.ndarray) -> np.ndarray: ...


def joint_enc64(w_enc: np.ndarray, b_enc: np.ndarray, enc: np.ndarray) -> np.ndarray:
    """enc_proj[t][j] = b_enc[j] + sum_d W_enc[j][d] * enc[t][d] in float64, summed in d order.

    float32 weights and frames, float64 arithmetic (BEAM_SEARCH.md "Joint"); (T', D) -> (T', J).
    """
    w = np.asarray(w_enc, np.float32).astype(np.float64)  # (J, D)
    e = np.asarray(enc, np.float32).astype(np.float64)  # (T', D)
    if e.shape[0] == 0:
        return np.zeros((0, w.shape[0]))
    prod = e[:, None, :] * w[None, :, :]  # (T', J, D)
    return np.asarray(b_enc, np.float32).astype(np.float64)[None, :] + np.cumsum(prod, axis=2)[:, :, -1]


def joint_out64(w_out: np.ndarray, b_out: np.ndarray, enc_proj_t: np.ndarray,
                pred_proj: np.ndarray) -> np.ndarray:
    """logits[n][k] = b_out[k] + sum_j W_out[k][j] * tanh(enc_proj_t[j] + pred_proj[n][j]),
    float64, summed in j order; pred_proj float32 (n, J) -> (n, V)."""
    z = np.tanh(np.asarray(enc_proj_t, np.float64)[None, :]
                + np.asarray(pred_proj, np.float32).astype(np.float64))  # (n, J)
    w = np.asarray(w_out, np.float32).astype(np.float64)  # (V, J)
    prod = z[:, None, :] * w[None, :, :]  # (n, V, J)
    return np.asarray(b_out, np.float32).astype(np.float64)[None, :] + np.cumsum(prod, axis=2)[:, :, -1]


def log_softmax64(logits: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax in float64: x - max - log(sum(exp(x - max))). float32 logits
    (step.onnx) are widened exactly; float64 logits (the v2 joint) are used as they are.

    The sum runs left to right over the token index (cumsum is sequential), as in the TS port.
    """
    x = np.asarray(logits)
    x = x.astype(np.float64) if x.dtype != np.float64 else x
    if x.ndim == 1:
        x = x[None, :]
    m = x.max(axis=1, keepdims=True)
    s = np.cumsum(np.exp(x - m), axis=1)[:, -1:]
    return x - m - np.log(s)


def log_add(a: float, b: float) -> float:
    """log(exp(a) + exp(b)) = max + log1p(exp(min - max)); -inf handled."""
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log1p(math.exp(b - a))


class Hyp:
    """One hypothesis.

    node: trie node of its prefix (a node identifies the prefix uniquely);
    acoustic: log P(prefix, alignment so far) summed over merged alignments (float64);
    last: last emitted token (blank for the empty prefix) = the y_prev of its next step;
    h, c: predictor state (L, Hd) fed with ``last`` at its next step.
    """

    __slots__ = ("node", "acoustic", "last", "h", "c")

    def __init__(self, node: int, acoustic: float, last: int, h: np.ndarray, c: np.ndarray):
        self.node = node
        self.acoustic = acoustic
        self.last = last
        self.h = h
        self.c = c


def _rank(hyps, trie: Trie, lam: float, beam: int) -> list[Hyp]:
    """Sort by (acoustic + lam * lookahead(node)) descending, then prefix ascending; keep beam."""
    best, prefix = trie.best, trie.prefix
    return sorted(hyps, key=lambda h: (-(h.acoustic + lam * best[h.node]), prefix[h.node]))[:beam]


def floor_margin_arg(v: str | float | None) -> float | None:
    """CLI value of --floor-margin: 'off' / '' / None -> None (v2), else a float >= 0."""
    if v is None or (isinstance(v, str) and v.strip().lower() in ("", "off", "inf")):
        return None
    f = float(v)
    if math.isnan(f) or f < 0:
        raise ValueError(f"--floor-margin must be 'off' or >= 0, got {v!r}")
    return None if math.isinf(f) else f


def _beam_floor(hyps, trie: Trie, lam: float, beam: int) -> float:
    """The beam-th best ranking score (acoustic + lam * lookahead) of ``hyps`` (>= beam of them)."""
    best = trie.best
    return sorted((h.acoustic + lam * best[h.node] for h in hyps), reverse=True)[beam - 1]


def beam_search(
    decoder: SplitDecoder,
    enc: np.ndarray,
    lexicon: Lexicon | Trie,
    cfg: BeamConfig | None = None,
    bonus: Callable[[str], float] | None = None,
    stats: dict | None = None,
    penalty: Callable[[str], float] | None = None,
    rerank: Callable[[list[FinalWord], float], list[float]] | None = None,
) -> list[tuple[str, float]]:
    """Decode one trace's encoder frames ``enc`` (T', D) -> [(word, score)] best first (<= top_k).

    score = acoustic + prior_weight * logprior(word) + bonus(word) - penalty(word) (bonus: the
    personal-word hook, default 0; penalty: swipe-beam-v4 rescoring, rescore.penalty_for_trace,
    default 0). rerank (swipe-beam-v5, rerank.Forest.final_scores of the trace): given the whole
    final list as FinalWords in that order and λ, returns each word's final score, which
    replaces the one above (penalty is then unused). Returns [] when no lexicon word survives
    (e.g. T' == 0).

    swipe-beam-v2: a prefix's predictor output (pred_proj, h1, c1) depends on the prefix only, so
    it is cached per trie node for the whole trace (one batched predict call per symbol round for
    the active hyps whose node is not cached yet); the joint is computed in float64 per frame.
    """
    cfg = (cfg or BeamConfig()).validate()
    trie = lexicon.trie if isinstance(lexicon, Lexicon) else lexicon
    lam = float(cfg.prior_weight)
    blank = int(decoder.blank)
    children, best = trie.children, trie.best
    enc = np.asarray(enc, dtype=np.float32)
    h0, c0 = decoder.initial_state()
    A: list[Hyp] = [Hyp(0, 0.0, blank, h0, c0)]
    n_calls = n_rows = n_joint = 0
    enc_proj = decoder.joint_enc(enc) if enc.shape[0] else None  # (T', J) float64, once
    pred: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # node -> (pred_proj, h1, c1): whole trace

    for t in range(enc.shape[0]):
        B: dict[int, Hyp] = {}  # next-frame hyps by node, in insertion order
        cache: dict[int, np.ndarray] = {}  # node -> logp at THIS frame
        active = A
        for s in range(cfg.max_symbols_per_frame + 1):
            if not active:
                break
            need = [hp for hp in active if hp.node not in pred]
            if need:
                y = np.array([hp.last for hp in need], dtype=np.int64)
                h = np.stack([hp.h for hp in need], axis=1)
                c = np.stack([hp.c for hp in need], axis=1)
                pp, h1, c1 = decoder.predict(y, h, c)
                n_calls += 1
                n_rows += len(need)
                for i, hp in enumerate(need):
                    pred[hp.node] = (np.asarray(pp[i], np.float32), h1[:, i], c1[:, i])
            jn = [hp for hp in active if hp.node not in cache]
            if jn:
                logits = decoder.joint_logits(enc_proj[t], np.stack([pred[hp.node][0] for hp in jn]))
                logp_rows = log_softmax64(logits)
                n_joint += len(jn)
                for i, hp in enumerate(jn):
                    cache[hp.node] = logp_rows[i]
            new: dict[int, Hyp] = {}
            for hp in active:
                logp = cache[hp.node]
                _, h1, c1 = pred[hp.node]
                # 1. blank: the hyp moves to the next frame unchanged but for its score.
                ac = hp.acoustic + float(logp[blank])
                old = B.get(hp.node)
                if old is None:
                    B[hp.node] = Hyp(hp.node, ac, hp.last, hp.h, hp.c)
                else:
                    old.acoustic = log_add(old.acoustic, ac)
                if s == cfg.max_symbols_per_frame:
                    continue  # symbol budget of this frame spent: blank only
                # 2. non-blank: the `prune` best trie children by logp (ties: lower token id).
                kids = children[hp.node]
                if not kids:
                    continue
                ks = sorted(kids, key=lambda k: (-logp[k], k))[: cfg.prune]
                for k in ks:
                    node = kids[k]
                    ac = hp.acoustic + float(logp[k])
                    old = new.get(node)
                    if old is None:
                        new[node] = Hyp(node, ac, k, h1, c1)
                    else:  # cannot happen (children of distinct nodes are distinct); defined anyway
                        old.acoustic = log_add(old.acoustic, ac)
            ext = list(new.values())
            fm = cfg.floor_margin
            if fm is not None and math.isfinite(fm) and len(B) >= cfg.beam:
                # v3 beam floor: scores only fall along a path, so an extension this far below
                # the beam-th best of B can come back only through log-add merges.
                floor = _beam_floor(B.values(), trie, lam, cfg.beam) - fm
                ext = [hp for hp in ext if hp.acoustic + lam * best[hp.node] >= floor]
            active = _rank(ext, trie, lam, cfg.beam)
        A = _rank(B.values(), trie, lam, cfg.beam)

    if stats is not None:
        stats["predict_calls"] = stats.get("predict_calls", 0) + n_calls
        stats["predict_rows"] = stats.get("predict_rows", 0) + n_rows
        stats["joint_rows"] = stats.get("joint_rows", 0) + n_joint
    out: list[tuple[str, float]] = []
    final: dict[str, FinalWord] = {}
    for hp in A:
        w = trie.word[hp.node]
        if w is None:
            continue
        b = float(bonus(w)) if bonus is not None else 0.0
        score = hp.acoustic + lam * trie.logprior[hp.node] + b
        if penalty is not None and rerank is None:  # v4 "Rescore": the trace's template distances to the word
            score -= float(penalty(w))
        out.append((w, score))
        final[w] = FinalWord(w, float(hp.acoustic), float(trie.logprior[hp.node]), b)
    out.sort(key=lambda e: (-e[1], e[0]))
    if rerank is not None and out:  # v5 "Rerank": the forest's score replaces the search's
        new = rerank([final[w] for w, _ in out], lam)
        out = sorted(zip((w for w, _ in out), (float(x) for x in new)), key=lambda e: (-e[1], e[0]))
    return out[: cfg.top_k]


def greedy_search(decoder: StepDecoder, enc: np.ndarray, max_symbols_per_frame: int = 20) -> str:
    """Unconstrained RNN-T greedy decoding -> token string (no lexicon; may be a non-word).

    Per frame: step; k = argmax logits (lowest id on ties); blank -> next frame (state kept);
    else emit k, feed it (y_prev = k, state = h1, c1) and step again on the same frame, at most
    ``max_symbols_per_frame`` emissions per frame.
    """
    blank = int(decoder.blank)
    h, c = decoder.initial_state()
    h, c = h[:, None], c[:, None]
    y = blank
    out: list[int] = []
    enc = np.asarray(enc, dtype=np.float32)
    for t in range(enc.shape[0]):
        for _ in range(max_symbols_per_frame):
            logits, h1, c1 = decoder.step(np.array([y], np.int64), h, c, enc[t][None])
            k = int(np.argmax(logits[0]))
            if k == blank:
                break
            out.append(k)
            y, h, c = k, h1, c1
    return "".join(LETTERS[k] if k < len(LETTERS) else "" for k in out)


__all__ = ["BeamConfig", "beam_search", "greedy_search", "log_softmax64", "log_add", "asdict",
           "joint_enc64", "joint_out64"]
