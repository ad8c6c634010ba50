/**
 * Decoding knobs in one place (STYLE.md §7). Seed defaults from issue #6; model.json `decoding`
 * overrides them per model, and decode options override both per call.
 */

export interface SearchParams {
  /** hypotheses kept per frame */
  beam: number;
  /** non-blank tokens expanded per hypothesis and symbol step (top-`prune` by acoustic score) */
  prune: number;
  /** bound on emitted symbols per encoder frame: the symbol loop cannot hang */
  maxSymbolsPerFrame: number;
  /** λ in score = acoustic + λ·log P(word) */
  priorWeight: number;
  /** distinct words returned */
  topK: number;
  /**
   * Optional speed-up, NOT in BEAM_SEARCH.md (absent/Infinity = the exact reference): a letter
   * extension whose ranking score is more than this many nats below the best hypothesis already
   * sent to the next frame is dropped, so the symbol loop stops once no letter is plausible.
   */
  scoreMargin?: number;
  /**
   * Beam-floor pruning (BEAM_SEARCH.md swipe-beam-v3; absent/Infinity = v2, the exhaustive
   * symbol loop): once the next-frame set holds `beam` hypotheses, a letter extension whose
   * ranking score is more than this many nats below the beam-th best of that set is dropped.
   * Scores only fall along a path, so such an extension can re-enter the beam only through
   * log-add merges of alignments; the margin covers those.
   */
  floorMargin?: number;
}

/**
 * The `floor` option of the CLIs and the bench page: '' = model.json's floorMargin (undefined),
 * 'off' = no beam-floor pruning (Infinity), else nats >= 0; null when it is none of these.
 */
export function parseFloorMargin(v: string): number | undefined | null {
  if (v === '') return undefined;
  if (v === 'off') return Infinity;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

export const DEFAULT_SEARCH: Readonly<SearchParams> = Object.freeze({
  beam: 16,
  prune: 6,
  maxSymbolsPerFrame: 20,
  priorWeight: 0.5,
  topK: 4,
});

/** Small beam for the live preview while the finger moves (FUTO's shortBeam idea). */
export const PREVIEW_BEAM = 4;

export interface PersonalParams {
  /** natural-log bonus added to the prior of every personal word */
  bonus: number;
  /** prior (natural log) given to a personal word that is not in the lexicon */
  floorPrior: number;
  /** most recent accepted words kept in the personal trie */
  maxWords: number;
}

export const DEFAULT_PERSONAL: Readonly<PersonalParams> = Object.freeze({
  bonus: 2,
  floorPrior: -14,
  maxWords: 5000,
});

/** Hard caps on caller-supplied options so a bad settings value cannot make a decode unbounded. */
export const LIMITS = Object.freeze({ beam: 256, prune: 64, maxSymbolsPerFrame: 64, topK: 64 });
