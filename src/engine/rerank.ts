/**
 * Learnt reranking of the beam's final word list (training/BEAM_SEARCH.md, swipe-beam-v5
 * "Rerank"; reference training/swipe/rerank.py). A forest of regression trees, fitted on dev
 * traces 2000-3999, scores each candidate from 21 features (its search score and prior, the
 * rescoring's template distances, an in-order alignment of its letters to the trace, path
 * lengths, its rank); that score replaces the word's final score. The features are float64
 * `+ - * /`, sqrt, min, max in the reference's order, so every tree takes Python's branch.
 */
import { EngineError } from './errors';
import { dist, TraceRescorer, wordTemplate } from './rescore';
import type { Poly, RescoreSpec } from './rescore';
import type { LayoutConstants } from './layout';

export const RERANK_SPEC = 'swipe-rerank-v1';
export const RERANK_FEATURES = [
  'score', 'score_gap', 'logprior', 'logprior_gap', 'acoustic', 'letters',
  'loc', 'shape', 'ends', 'start', 'end', 'linear', 'linear_gap',
  'align_mean', 'align_max', 'cover_max', 'word_path', 'trace_path', 'path_ratio',
  'rank', 'count',
] as const;

/** model.json `decoding.rerank` */
export interface RerankRef {
  file: string;
  spec: typeof RERANK_SPEC;
}

/** One tree as arrays by node: feature (−1 at a leaf), threshold, left and right child, leaf value. */
export interface RerankTree {
  f: number[];
  t: number[];
  l: number[];
  r: number[];
  v: number[];
}

/** rerank.json */
export interface RerankForest {
  spec: typeof RERANK_SPEC;
  features: string[];
  /** λ of the lists it was fitted on: acoustic = score − λ·logprior */
  prior_weight: number;
  /** the geometric rescoring whose score is the `linear` feature */
  linear: RescoreSpec;
  baseline: number;
  trees: RerankTree[];
}

/**
 * A word of the search's final list: its score acoustic + λ·log prior, the prior as the search
 * used it (a personal word's with its bonus), and the acoustic score itself where the search
 * gives it (the reranker then reads it as is, as the reference does).
 */
export interface RerankCandidate {
  key: string;
  score: number;
  logPrior: number;
  acoustic?: number;
}

function bad(msg: string): never {
  throw new EngineError('model-corrupt', `rerank: ${msg}`);
}

function finiteArray(a: unknown, what: string): number[] {
  if (!Array.isArray(a) || !a.every((x) => typeof x === 'number' && Number.isFinite(x))) bad(`${what} is not an array of numbers`);
  return a as number[];
}

/** Checks rerank.json's shape, and that every tree is a proper binary tree over known features. */
export function parseRerank(raw: unknown): RerankForest {
  if (typeof raw !== 'object' || raw === null) bad('not an object');
  const r = raw as Record<string, unknown>;
  if (r.spec !== RERANK_SPEC) bad(`spec ${String(r.spec)}, expected ${RERANK_SPEC}`);
  const features = r.features;
  if (!Array.isArray(features) || features.length !== RERANK_FEATURES.length || features.some((f, i) => f !== RERANK_FEATURES[i])) bad('features differ from this reranker\'s');
  const lin = r.linear as Record<string, unknown> | undefined;
  if (typeof lin !== 'object' || lin === null) bad('no linear rescoring');
  const [points, loc, shape, ends] = finiteArray([lin.points, lin.loc, lin.shape, lin.ends], 'linear');
  const letter = lin.letter === undefined ? 0 : (finiteArray([lin.letter], 'linear.letter')[0] as number);
  if (!Number.isInteger(points) || (points as number) < 2 || (points as number) > 1024) bad(`linear.points ${String(points)}`);
  const [priorWeight, baseline] = finiteArray([r.prior_weight, r.baseline], 'prior_weight, baseline');
  if (!Array.isArray(r.trees) || r.trees.length === 0) bad('no trees');
  const trees = r.trees.map((t: unknown, k: number): RerankTree => {
    const o = t as Record<string, unknown>;
    const tree = { f: finiteArray(o?.f, `tree ${k} f`), t: finiteArray(o?.t, `tree ${k} t`), l: finiteArray(o?.l, `tree ${k} l`), r: finiteArray(o?.r, `tree ${k} r`), v: finiteArray(o?.v, `tree ${k} v`) };
    const n = tree.f.length;
    if (n === 0 || tree.t.length !== n || tree.l.length !== n || tree.r.length !== n || tree.v.length !== n) bad(`tree ${k}: arrays of unequal length`);
    for (let i = 0; i < n; i++) {
      const f = tree.f[i] as number;
      if (f === -1) continue;
      // children after their parent: every walk ends at a leaf
      if (!Number.isInteger(f) || f < 0 || f >= RERANK_FEATURES.length) bad(`tree ${k} node ${i}: feature ${f}`);
      for (const c of [tree.l[i] as number, tree.r[i] as number]) if (!Number.isInteger(c) || c <= i || c >= n) bad(`tree ${k} node ${i}: child ${c}`);
    }
    return tree;
  });
  return { spec: RERANK_SPEC, features: [...RERANK_FEATURES], prior_weight: priorWeight as number, linear: { points: points as number, loc: loc as number, shape: shape as number, ends: ends as number, letter }, baseline: baseline as number, trees };
}

/** baseline + one leaf value per tree, summed in tree order */
export function forestScore(forest: RerankForest, x: readonly number[]): number {
  let s = forest.baseline;
  for (const t of forest.trees) {
    let i = 0;
    let f = t.f[0] as number;
    while (f >= 0) {
      i = (x[f] as number) <= (t.t[i] as number) ? (t.l[i] as number) : (t.r[i] as number);
      f = t.f[i] as number;
    }
    s += t.v[i] as number;
  }
  return s;
}

export function pathLength(p: Poly): number {
  let s = 0;
  for (let i = 1; i < p.x.length; i++) s += dist(p.x[i] as number, p.y[i] as number, p.x[i - 1] as number, p.y[i - 1] as number);
  return s;
}

/**
 * The word's letters matched in order to points of the resampled trace, least summed distance:
 * [that sum / letters, the largest distance on that matching, the largest distance of a letter
 * to its nearest point in any order]. Ties go to the earliest point (rerank.py `align`).
 */
export function align(path: Poly, tpl: Poly): [number, number, number] {
  const n = path.x.length;
  // two rows of (cost, worst) swapped per letter: no allocation per letter (this runs for every
  // letter of up to `beam` words a swipe)
  let costs = new Float64Array(n);
  let worst = new Float64Array(n);
  let next = new Float64Array(n);
  let nextWorst = new Float64Array(n);
  let cover = Infinity;
  for (let i = 0; i < n; i++) {
    const d = dist(tpl.x[0] as number, tpl.y[0] as number, path.x[i] as number, path.y[i] as number);
    costs[i] = d;
    worst[i] = d;
    cover = Math.min(cover, d);
  }
  for (let j = 1; j < tpl.x.length; j++) {
    const tx = tpl.x[j] as number;
    const ty = tpl.y[j] as number;
    let m = Infinity;
    let mWorst = 0;
    let nearest = Infinity;
    for (let i = 0; i < n; i++) {
      const d = dist(tx, ty, path.x[i] as number, path.y[i] as number);
      if ((costs[i] as number) < m) {
        m = costs[i] as number;
        mWorst = worst[i] as number;
      }
      next[i] = m + d;
      nextWorst[i] = Math.max(mWorst, d);
      nearest = Math.min(nearest, d);
    }
    [costs, next] = [next, costs];
    [worst, nextWorst] = [nextWorst, worst];
    cover = Math.max(cover, nearest);
  }
  let k = 0;
  for (let i = 1; i < n; i++) if ((costs[i] as number) < (costs[k] as number)) k = i;
  return [(costs[k] as number) / tpl.x.length, worst[k] as number, cover];
}

/** The trace's parts computed once per swipe; `features` and `scores` for a final list. */
export class TraceReranker {
  /** the rescoring's view of the trace: its distances, resampled path and ends */
  private readonly rescorer: TraceRescorer;
  private readonly tracePath: number;

  constructor(
    trace: Poly,
    private readonly lc: LayoutConstants,
    private readonly forest: RerankForest,
  ) {
    this.rescorer = new TraceRescorer(trace, lc, forest.linear);
    this.tracePath = pathLength(trace);
  }

  /** RERANK_FEATURES of each candidate, in list order (rerank.py `features`) */
  features(cands: readonly RerankCandidate[]): number[][] {
    const lam = this.forest.prior_weight;
    let bestScore = -Infinity;
    let bestPrior = -Infinity;
    for (const c of cands) {
      bestScore = Math.max(bestScore, c.score);
      bestPrior = Math.max(bestPrior, c.logPrior);
    }
    const rows = cands.map((c): number[] => {
      const tpl = wordTemplate(c.key, this.lc);
      const d = this.rescorer.templateDistances(tpl);
      const a = d ? align(this.rescorer.path, tpl) : [0, 0, 0];
      const wordPath = d ? pathLength(tpl) : 0;
      const linear = c.score - this.rescorer.penaltyOf(d, c.key.length);
      return [c.score, c.score - bestScore, c.logPrior, c.logPrior - bestPrior, c.score - lam * c.logPrior, c.key.length,
        d?.loc ?? 0, d?.shape ?? 0, d?.ends ?? 0, d?.start ?? 0, d?.end ?? 0, linear, 0, a[0] as number, a[1] as number, a[2] as number,
        wordPath, this.tracePath, this.tracePath / (wordPath + 1), 0, cands.length];
    });
    let bestLinear = -Infinity;
    for (const r of rows) bestLinear = Math.max(bestLinear, r[11] as number);
    rows.forEach((r, i) => {
      r[12] = (r[11] as number) - bestLinear;
      r[19] = i;
    });
    return rows;
  }

  /** forest scores of a list already in the forest's terms: λ its own, no personal bonus, in its order */
  scores(cands: readonly RerankCandidate[]): number[] {
    return this.features(cands).map((x) => forestScore(this.forest, x));
  }

  /**
   * BEAM_SEARCH.md "Rerank": the final scores of the search's list, searched with prior weight
   * `lambda` and priors that include `bonus(key)` (a personal word's bonus, in prior units). The
   * forest reads each word at its own λ_f without the bonus (the list re-sorted so), and the
   * user's settings act on top of it as they act on the search's score: final = forest +
   * (λ − λ_f)·prior + λ·bonus. So a personal word gains exactly λ·bonus nats, as before the
   * reranker, and a larger word-frequency weight still favours frequent words.
   */
  finalScores(cands: readonly RerankCandidate[], lambda: number, bonus: (key: string) => number): number[] {
    const lf = this.forest.prior_weight;
    const base = cands.map((c, i) => {
      const b = bonus(c.key);
      const prior = c.logPrior - b;
      const acoustic = c.acoustic ?? c.score - lambda * c.logPrior;
      return { i, b, prior, cand: { key: c.key, score: acoustic + lf * prior, logPrior: prior } };
    });
    base.sort((x, y) => (x.cand.score > y.cand.score ? -1 : x.cand.score < y.cand.score ? 1 : x.cand.key < y.cand.key ? -1 : x.cand.key > y.cand.key ? 1 : 0));
    const forest = this.scores(base.map((x) => x.cand));
    const out = new Array<number>(cands.length);
    base.forEach((x, j) => {
      out[x.i] = (forest[j] as number) + (lambda - lf) * x.prior + lambda * x.b;
    });
    return out;
  }
}
