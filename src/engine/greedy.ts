/**
 * Prefix-constrained greedy RNN-T decoding: the fast path (live preview). Per frame, at most
 * `maxSymbolsPerFrame` steps of batch 1 (onnx-asr's bounded loop): take the arg-max over blank
 * and the trie children of the prefix; blank moves to the next frame. If the final prefix is
 * not a word, it is completed along the best-prior path below it (the lookahead), so the
 * preview always shows a lexicon word when the prefix has one below it.
 */
import { throwIfAborted, yieldToEventLoop, YIELD_EVERY_FRAMES } from './errors';
import type { Hypothesis, SearchResult } from './hypothesis';
import { initialHypothesis, rankWords } from './beam-search';
import type { SearchParams } from './params';
import { logSoftmaxInPlace } from './step';
import type { Decoder, PredictOutput, StepShape } from './step';
import type { TokenTrie } from './token-trie';

export async function greedySearch(
  dec: Decoder,
  shape: StepShape,
  frames: number,
  trie: TokenTrie,
  p: SearchParams,
  signal?: AbortSignal,
): Promise<SearchResult> {
  const { vocabSize: V, blankId, vocab } = shape;
  const logp = new Float64Array(V);
  let hyp: Hypothesis = initialHypothesis(shape, trie);
  let stepCalls = 0;
  // The predictor output of the current prefix (it changes only when a letter is emitted).
  let cur: PredictOutput | null = null;
  for (let t = 0; t < frames; t++) {
    if (signal && t % YIELD_EVERY_FRAMES === YIELD_EVERY_FRAMES - 1) await yieldToEventLoop();
    throwIfAborted(signal);
    for (let s = 0; s < p.maxSymbolsPerFrame; s++) {
      if (cur === null) {
        cur = await dec.predict({ tokens: Int32Array.of(hyp.lastToken), h: hyp.h, c: hyp.c }); // batch 1
        stepCalls++;
      }
      const out: PredictOutput = cur;
      logSoftmaxInPlace(dec.joint(t, out.pred, 0, logp), V);
      let bestTok = blankId;
      let bestLp = logp[blankId] as number;
      let bestChild = -1;
      trie.forEachChild(hyp.node, (token, child) => {
        const lp = logp[token] as number;
        if (token !== blankId && token < V && lp > bestLp) {
          bestTok = token;
          bestLp = lp;
          bestChild = child;
        }
      });
      if (bestTok === blankId) {
        hyp = { ...hyp, acoustic: hyp.acoustic + bestLp };
        break;
      }
      hyp = { key: hyp.key + (vocab[bestTok] as string), node: bestChild, acoustic: hyp.acoustic + bestLp, lastToken: bestTok, h: out.h, c: out.c };
      cur = null;
    }
  }
  if (hyp.key !== '' && Number.isNaN(trie.wordPrior(hyp.node))) hyp = completeBest(hyp, trie, vocab);
  return { words: rankWords([hyp], trie, p.priorWeight, p.topK), stepCalls };
}

/** Follows the child holding the subtree's best prior until a word with that prior ends. */
function completeBest(hyp: Hypothesis, trie: TokenTrie, vocab: readonly string[]): Hypothesis {
  let { node, key } = hyp;
  const target = trie.best(node);
  if (target === -Infinity) return hyp;
  // Bounded by the trie depth: each iteration goes one level down.
  for (let depth = 0; depth < 256; depth++) {
    if (trie.wordPrior(node) === target) return { ...hyp, node, key };
    let next = -1;
    let tok = -1;
    trie.forEachChild(node, (token, child) => {
      if (next < 0 && trie.best(child) === target) {
        next = child;
        tok = token;
      }
    });
    if (next < 0) break;
    node = next;
    key += vocab[tok] as string;
  }
  return hyp;
}
