import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { rankWords } from '../../src/engine/beam-search';
import { EngineError } from '../../src/engine/errors';
import { layoutConstants, validateLayout } from '../../src/engine/layout';
import { buildLexicon, LexiconTrie } from '../../src/engine/lexicon-trie';
import { align, forestScore, parseRerank, RERANK_FEATURES, RERANK_SPEC, TraceReranker } from '../../src/engine/rerank';
import type { RerankCandidate, RerankForest } from '../../src/engine/rerank';
import { tracePolyline } from '../../src/engine/rescore';
import { TOY_VOCAB } from './toy-model';

interface GoldenCase {
  name: string;
  points: (number | string)[][];
  width: number;
  height: number;
  cands: RerankCandidate[];
  features: number[][];
  scores: number[];
}
const golden = JSON.parse(readFileSync(new URL('../fixtures/golden/rerank.json', import.meta.url), 'utf8')) as {
  spec: string;
  forest: string;
  layout: unknown;
  cases: GoldenCase[];
};
const forestJson = (): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../public/models/${golden.forest}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const LC = layoutConstants(validateLayout(golden.layout));

/** a forest of one stump on `letters` (<= 3.5: −1, else +2) and one on `score_gap` */
function toyForest(): RerankForest {
  const letters = RERANK_FEATURES.indexOf('letters');
  const gap = RERANK_FEATURES.indexOf('score_gap');
  return parseRerank({
    spec: RERANK_SPEC,
    features: [...RERANK_FEATURES],
    prior_weight: 0.25,
    linear: { points: 16, loc: 0, shape: 0, ends: 0, letter: 0 },
    baseline: 0.5,
    trees: [
      { f: [letters, -1, -1], t: [3.5, 0, 0], l: [1, 0, 0], r: [2, 0, 0], v: [0, -1, 2] },
      { f: [gap, -1, -1], t: [-2, 0, 0], l: [1, 0, 0], r: [2, 0, 0], v: [0, -0.25, 0.125] },
    ],
  });
}

describe('learnt reranking (swipe-rerank-v1)', () => {
  it('should reproduce the Python features and forest scores bit for bit', () => {
    expect(golden.spec).toBe(RERANK_SPEC);
    expect(golden.cases.length).toBeGreaterThanOrEqual(15);
    const forest = parseRerank(forestJson());
    let rows = 0;
    for (const c of golden.cases) {
      const points = c.points.map((p) => p.map(Number));
      const r = new TraceReranker(tracePolyline({ points, width: c.width, height: c.height }, LC), LC, forest);
      expect(r.features(c.cands), c.name).toEqual(c.features);
      expect(r.scores(c.cands), c.name).toEqual(c.scores);
      rows += c.cands.length;
    }
    // the golden lists include a word with no keyed letter ("'"), whose distances are 0
    expect(golden.cases.some((c) => c.cands.some((k) => k.key === "'"))).toBe(true);
    expect(rows).toBeGreaterThan(200);
  });

  it('should match letters to the path in order at the least summed distance (brute force)', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 4;
    for (let trial = 0; trial < 40; trial++) {
      const path = { x: Array.from({ length: 6 }, rnd), y: Array.from({ length: 6 }, rnd) };
      const tpl = { x: Array.from({ length: 3 }, rnd), y: Array.from({ length: 3 }, rnd) };
      const d = (j: number, i: number): number => Math.hypot((tpl.x[j] as number) - (path.x[i] as number), (tpl.y[j] as number) - (path.y[i] as number));
      let best = Infinity;
      let bestMax = 0;
      for (let a = 0; a < 6; a++) {
        for (let b = a; b < 6; b++) {
          for (let c = b; c < 6; c++) {
            const s = d(0, a) + d(1, b) + d(2, c);
            if (s < best - 1e-12) {
              best = s;
              bestMax = Math.max(d(0, a), d(1, b), d(2, c));
            }
          }
        }
      }
      const cover = Math.max(...[0, 1, 2].map((j) => Math.min(...[0, 1, 2, 3, 4, 5].map((i) => d(j, i)))));
      const [mean, max, cov] = align(path, tpl);
      expect(mean).toBeCloseTo(best / 3, 12);
      expect(max).toBeCloseTo(bestMax, 12);
      expect(cov).toBeCloseTo(cover, 12);
    }
  });

  it('should sum the baseline and one leaf per tree, going left when x <= threshold', () => {
    const f = toyForest();
    const x = new Array<number>(RERANK_FEATURES.length).fill(0);
    const letters = RERANK_FEATURES.indexOf('letters');
    const gap = RERANK_FEATURES.indexOf('score_gap');
    x[letters] = 3.5;
    x[gap] = -2;
    expect(forestScore(f, x)).toBe(0.5 - 1 - 0.25);
    x[letters] = 4;
    x[gap] = -1.5;
    expect(forestScore(f, x)).toBe(0.5 + 2 + 0.125);
  });

  it('should reorder the final list by the forest, keeping one entry per display form', () => {
    const words: [string, number][] = [['dont', -3], ['done', -3.2], ['do', -2], ['dine', -6]];
    const lex = new LexiconTrie(buildLexicon(words.map(([word, logPrior]) => ({ word, logPrior }))).data, TOY_VOCAB);
    const hyp = (key: string, acoustic: number) => {
      let node = lex.root;
      for (const ch of key) node = lex.child(node, TOY_VOCAB.indexOf(ch)) as number;
      return { key, node, acoustic, lastToken: 0, h: new Float32Array(0), c: new Float32Array(0) };
    };
    const hyps = [hyp('do', -1), hyp('dont', -4), hyp('done', -2), hyp('dine', -3)];
    const seen: RerankCandidate[][] = [];
    // the forest's order: longer words first (toyForest's first tree)
    const r = new TraceReranker({ x: [0, 1, 2], y: [0, 0, 1] }, LC, toyForest());
    const got = rankWords(hyps, lex, 0.25, 3, (cands) => {
      seen.push([...cands]);
      return r.scores(cands);
    });
    // the scorer sees the search's order: score = acoustic + λ·prior, descending
    expect(seen[0]?.map((c) => c.key)).toEqual(['do', 'done', 'dine', 'dont']);
    expect(seen[0]?.[0]).toEqual({ key: 'do', score: -1 + 0.25 * -2, logPrior: -2, acoustic: -1 });
    expect(got.map((w) => w.word)).toEqual(['done', 'dine', "don't"]);
  });

  it('should keep the word-frequency weight and the personal bonus outside the forest', () => {
    const forest = parseRerank(forestJson());
    const lf = forest.prior_weight;
    const c = golden.cases[0] as GoldenCase;
    const r = new TraceReranker(tracePolyline({ points: c.points.map((p) => p.map(Number)), width: c.width, height: c.height }, LC), LC, forest);
    // the search's list at the forest's λ, no personal words: the forest's own scores
    const words = [['delayed', -3, -9], ['the', -6, -2.6], ['dealt', -4, -11], ['delay', -5.5, -8]] as const;
    const searched = (lambda: number, bonusOf: (k: string) => number): RerankCandidate[] =>
      words.map(([key, acoustic, prior]) => ({ key, score: acoustic + lambda * (prior + bonusOf(key)), logPrior: prior + bonusOf(key) }));
    const none = (): number => 0;
    const plain = r.finalScores(searched(lf, none), lf, none);
    const sorted = searched(lf, none).sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
    const own = new Map(sorted.map((k, i) => [k.key, r.scores(sorted)[i] as number]));
    expect(plain).toEqual(words.map(([key]) => own.get(key)));
    // a personal word (2 in prior units) gains exactly λ·2 nats, the others nothing
    const dealt = (k: string): number => (k === 'dealt' ? 2 : 0);
    for (const lambda of [lf, 1, 4]) {
      const base = r.finalScores(searched(lambda, none), lambda, none);
      const boosted = r.finalScores(searched(lambda, dealt), lambda, dealt);
      expect(boosted[2]).toBeCloseTo((base[2] as number) + lambda * 2, 12);
      expect([boosted[0], boosted[1], boosted[3]]).toEqual([base[0], base[1], base[3]]);
      // a larger word-frequency weight acts on top of the forest, as on the search's score
      base.forEach((s, i) => expect(s).toBeCloseTo((plain[i] as number) + (lambda - lf) * (words[i]?.[2] as number), 12));
    }
  });

  it('should reject a rerank.json that is not a well-formed forest of this spec', () => {
    const good = forestJson();
    expect(() => parseRerank(good)).not.toThrow();
    const tree0 = (good.trees as Record<string, number[]>[])[0] as Record<string, number[]>;
    const bad: unknown[] = [
      null,
      { ...good, spec: 'swipe-rerank-v0' },
      { ...good, features: [...RERANK_FEATURES].reverse() },
      { ...good, baseline: 'x' },
      { ...good, trees: [] },
      { ...good, linear: { ...(good.linear as object), points: 1 } },
      { ...good, trees: [{ ...tree0, v: (tree0.v as number[]).slice(1) }] },
      { ...good, trees: [{ ...tree0, l: (tree0.l as number[]).map(() => 0) }] },
      { ...good, trees: [{ ...tree0, f: (tree0.f as number[]).map((f) => (f >= 0 ? 99 : f)) }] },
      { ...good, trees: [{ ...tree0, t: (tree0.t as number[]).map(() => Number.NaN) }] },
    ];
    for (const b of bad) {
      expect(() => parseRerank(b)).toThrow(EngineError);
      try {
        parseRerank(b);
      } catch (e) {
        expect((e as EngineError).code).toBe('model-corrupt');
      }
    }
  });
});
