/**
 * Prefix-constrained RNN-T beam search: an exact port of training/BEAM_SEARCH.md
 * (`swipe-beam-v2`, reference training/swipe/beam_search.py). Same words in the same order as
 * the reference for the fp32 models; scores within 1e-3 (test/fixtures/golden/beam.json).
 *
 * Per frame t, up to maxSymbolsPerFrame + 1 symbol rounds; each round makes at most ONE batched
 * predictor call, for the active hypotheses whose trie node has no predictor output yet (cached
 * per node for the whole trace: it depends on the prefix only), then computes the joint in
 * float64 for the predictor outputs without logits at this frame (a per-frame cache). Blank sends a
 * hypothesis to the next-frame set B, where identical prefixes log-add; letters extend it to
 * its `prune` best trie children. Ranking = acoustic + λ·best(node) (lookahead), ties by prefix.
 *
 * swipe-beam-v3 adds beam-floor pruning (`floorMargin`): a letter extension far below the
 * beam-th best hypothesis already in B is dropped, which ends the symbol loop of a frame after
 * a few rounds instead of `maxSymbolsPerFrame + 1`.
 *
 * Two additions to the spec: personal words (personal-words.ts) enter through the trie itself
 * (MergedTrie, their bonus folded into their prior), so with no personal words the search is
 * exactly the reference; and an optional `prefixCache` (prefix-cache.ts) supplies predictor
 * outputs from earlier swipes, the same values a call would compute (up to onnxruntime's float
 * rounding for another batch), so it changes the calls made, not the search.
 */
import { throwIfAborted, yieldToEventLoop, YIELD_EVERY_FRAMES } from './errors';
import type { Hypothesis, ScoredWord, SearchResult } from './hypothesis';
import type { SearchParams } from './params';
import { logAddExp, logSoftmaxInPlace } from './step';
import type { Decoder, StepShape } from './step';
import { predictEntries, prefixKey } from './prefix-cache';
import type { PrefixCache, PrefixEntry } from './prefix-cache';
import type { RerankCandidate } from './rerank';
import type { TokenTrie } from './token-trie';

export function rankScore(h: Hypothesis, trie: TokenTrie, lambda: number): number {
  return h.acoustic + lambda * trie.best(h.node);
}

/** The beam-th best ranking score of `hyps` (there are at least `beam` of them). */
export function beamFloor(hyps: Iterable<Hypothesis>, beam: number, trie: TokenTrie, lambda: number): number {
  const s: number[] = [];
  for (const h of hyps) s.push(rankScore(h, trie, lambda));
  s.sort((a, b) => b - a);
  return s[beam - 1] as number;
}

/** keep(list, beam): stable sort by (−score, prefix) and take the first `beam`. */
export function keep(list: Hypothesis[], beam: number, trie: TokenTrie, lambda: number): Hypothesis[] {
  const scored = list.map((h) => ({ h, s: -rankScore(h, trie, lambda) }));
  scored.sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : a.h.key < b.h.key ? -1 : a.h.key > b.h.key ? 1 : 0));
  return scored.slice(0, beam).map((x) => x.h);
}

export function initialHypothesis(shape: StepShape, trie: TokenTrie): Hypothesis {
  const zeros = new Float32Array(shape.layers * shape.hidden); // (L, Hd)
  return { key: '', node: trie.root, acoustic: 0, lastToken: shape.startToken, h: zeros, c: zeros };
}

/**
 * Rescores the search's final list (swipe-beam-v4's penalty, v5's forest): the candidates in the
 * search's order -> their final scores.
 */
export type FinalScorer = (cands: readonly RerankCandidate[]) => number[];

/** v4 "Rescore" as a FinalScorer: the penalty subtracted from each word's score. */
export function penaltyScorer(penalty: (key: string) => number): FinalScorer {
  return (cands) => cands.map((c) => c.score - penalty(c.key));
}

function byScoreThenKey(a: { key: string; score: number }, b: { key: string; score: number }): number {
  return a.score > b.score ? -1 : a.score < b.score ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * BEAM_SEARCH.md "Final": the hyps that end a word, score = acoustic + λ·log prior, by score desc
 * then key; `rescore` (v4 "Rescore", v5 "Rerank") gives the final scores, sorted the same way.
 * The display map can send two keys to one word ("dont", "don't"): the first (best) one is
 * kept, so the words stay distinct.
 */
export function rankWords(hyps: Iterable<Hypothesis>, trie: TokenTrie, lambda: number, topK: number, rescore?: FinalScorer): ScoredWord[] {
  let all: RerankCandidate[] = [];
  for (const h of hyps) {
    const p = trie.wordPrior(h.node);
    if (Number.isNaN(p) || h.key === '') continue;
    all.push({ key: h.key, score: h.acoustic + lambda * p, logPrior: p, acoustic: h.acoustic });
  }
  all.sort(byScoreThenKey);
  if (rescore && all.length > 0) {
    const final = rescore(all);
    all = all.map((c, i) => ({ ...c, score: final[i] as number }));
    all.sort(byScoreThenKey);
  }
  const out: ScoredWord[] = [];
  const seen = new Set<string>();
  for (const { key, score } of all) {
    const word = trie.display(key);
    if (seen.has(word)) continue;
    seen.add(word);
    out.push({ word, score });
    if (out.length >= topK) break;
  }
  return out;
}

interface Kid {
  token: number;
  child: number;
  lp: number;
}

export async function beamSearch(
  dec: Decoder,
  shape: StepShape,
  frames: number,
  trie: TokenTrie,
  p: SearchParams,
  signal?: AbortSignal,
  /** predictor outputs from earlier swipes (the engine's); read and filled, never required */
  prefixCache?: PrefixCache,
  /** rescoring of the final list: v4 (penaltyScorer of rescore.ts) or v5 (rerank.ts) */
  rescore?: FinalScorer,
): Promise<SearchResult> {
  const { layers: L, hidden: Hd, vocabSize: V, blankId, vocab } = shape;
  const J = dec.jointDim;
  const lambda = p.priorWeight;
  let stepCalls = 0;
  let cachedPrefixes = 0;
  let A: Hypothesis[] = [initialHypothesis(shape, trie)];
  const preds = new Map<number, PrefixEntry>(); // node -> predictor output, whole trace
  // logp rows, reused frame after frame (a frame needs at most beam·(maxSymbolsPerFrame+1)+beam)
  const pool: Float64Array[] = [];
  const kids: Kid[] = [];
  const kidPool: Kid[] = [];

  for (let t = 0; t < frames; t++) {
    if (signal && t % YIELD_EVERY_FRAMES === YIELD_EVERY_FRAMES - 1) await yieldToEventLoop();
    throwIfAborted(signal);
    const B = new Map<number, Hypothesis>(); // node -> hyp, insertion order kept
    // logp at this frame, per predictor output: prefixes that share one (a stateless predictor's
    // prefixes with the same last K letters, from the prefix cache) share the joint row
    const cache = new Map<PrefixEntry, Float64Array>();
    let used = 0;
    let active = A;
    for (let s = 0; s <= p.maxSymbolsPerFrame; s++) {
      if (active.length === 0) break;
      const need: Hypothesis[] = [];
      for (const h of active) {
        if (preds.has(h.node)) continue;
        const hit = prefixCache?.get(prefixKey(h.key, shape.context));
        if (hit === undefined) need.push(h);
        else {
          preds.set(h.node, hit);
          cachedPrefixes++;
        }
      }
      if (need.length > 0) {
        const entries = await predictEntries((x) => dec.predict(x), need, L, Hd, J, prefixCache !== undefined);
        stepCalls++;
        need.forEach((h, i) => {
          const e = entries[i] as PrefixEntry;
          preds.set(h.node, e);
          prefixCache?.set(prefixKey(h.key, shape.context), e);
        });
      }
      // Pass 1, blanks: every active hyp goes to the next-frame set B. Letters never touch B
      // within a round, so B (and the pruning floors that come from it) is final after this pass.
      const logps: Float64Array[] = [];
      for (const hyp of active) {
        const pe = preds.get(hyp.node) as PrefixEntry;
        let logp = cache.get(pe);
        if (logp === undefined) {
          logp = pool[used] ?? (pool[used] = new Float64Array(V));
          used++;
          logSoftmaxInPlace(dec.joint(t, pe.pred, 0, logp), V);
          cache.set(pe, logp);
        }
        logps.push(logp);
        const a = hyp.acoustic + (logp[blankId] as number);
        const prev = B.get(hyp.node);
        // Same prefix, same state: the entry keeps its first-inserted last/h/c.
        if (prev) prev.acoustic = logAddExp(prev.acoustic, a);
        else B.set(hyp.node, { key: hyp.key, node: hyp.node, acoustic: a, lastToken: hyp.lastToken, h: hyp.h, c: hyp.c });
      }
      if (s === p.maxSymbolsPerFrame) break; // no more letters in this frame
      // The spec filters the round's letter extensions by these floors after building them; a
      // filter on each extension's own score gives the same list, so extensions below the floor
      // are never built. (No extension merges with another: a trie node has one parent and the
      // active nodes are distinct.)
      let floor = -Infinity;
      if (p.scoreMargin !== undefined && Number.isFinite(p.scoreMargin)) {
        let top = -Infinity;
        for (const b of B.values()) top = Math.max(top, rankScore(b, trie, lambda));
        floor = top - p.scoreMargin;
      }
      if (p.floorMargin !== undefined && Number.isFinite(p.floorMargin) && B.size >= p.beam) {
        floor = Math.max(floor, beamFloor(B.values(), p.beam, trie, lambda) - p.floorMargin);
      }
      // Pass 2, letters: only trie children, only the `prune` best of them by logp.
      const ext: Hypothesis[] = [];
      for (let i = 0; i < active.length; i++) {
        const hyp = active[i] as Hypothesis;
        const lp = logps[i] as Float64Array;
        const pe = preds.get(hyp.node) as PrefixEntry;
        kids.length = 0;
        trie.forEachChild(hyp.node, (token, child) => {
          if (token !== blankId && token < V) {
            const k = kidPool[kids.length] ?? (kidPool[kids.length] = { token: 0, child: 0, lp: 0 });
            k.token = token;
            k.child = child;
            k.lp = lp[token] as number;
            kids.push(k);
          }
        });
        kids.sort((x, y) => (x.lp > y.lp ? -1 : x.lp < y.lp ? 1 : x.token - y.token));
        const n = Math.min(kids.length, p.prune);
        for (let j = 0; j < n; j++) {
          const k = kids[j] as Kid;
          const na = hyp.acoustic + k.lp;
          if (!(na + lambda * trie.best(k.child) >= floor)) continue; // rankScore of the extension
          ext.push({ key: hyp.key + (vocab[k.token] as string), node: k.child, acoustic: na, lastToken: k.token, h: pe.h1, c: pe.c1 });
        }
      }
      active = keep(ext, p.beam, trie, lambda);
    }
    A = keep([...B.values()], p.beam, trie, lambda);
  }
  return { words: frames > 0 ? rankWords(A, trie, lambda, p.topK, rescore) : [], stepCalls, cachedPrefixes };
}
