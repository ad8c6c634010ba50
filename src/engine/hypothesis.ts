/** One search hypothesis: a word prefix and its predictor state (sherpa-onnx hypothesis.h). */
export interface Hypothesis {
  /** the prefix as a string of token strings: the merge key (identical prefixes merge) */
  key: string;
  /** node of the prefix in the (merged) trie */
  node: number;
  /** log P(prefix | frames so far), summed over merged alignments (log-add) */
  acoustic: number;
  /** token to feed to the predictor next: the prefix's last token, or startToken */
  lastToken: number;
  /** (L, Hd) predictor h before `lastToken`; shared by reference, never mutated */
  h: Float32Array;
  /** (L, Hd) predictor c before `lastToken` */
  c: Float32Array;
}

export interface ScoredWord {
  /** display form (case map applied) */
  word: string;
  /** acoustic + λ·log prior, natural log */
  score: number;
}

export interface SearchResult {
  words: ScoredWord[];
  /** batched predictor calls made (at most one per symbol round; prefixes are cached per trace) */
  stepCalls: number;
  /** prefixes whose predictor output came from the engine's cross-swipe cache (beam search) */
  cachedPrefixes?: number;
}
