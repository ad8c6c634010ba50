import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { beamSearch, penaltyScorer } from '../../src/engine/beam-search';
import { EngineError } from '../../src/engine/errors';
import { layoutConstants, validateLayout } from '../../src/engine/layout';
import { buildLexicon, LexiconTrie } from '../../src/engine/lexicon-trie';
import { DEFAULT_SEARCH } from '../../src/engine/params';
import { normalizeShape, resample, TraceRescorer, tracePolyline, wordTemplate } from '../../src/engine/rescore';
import type { RescoreSpec } from '../../src/engine/rescore';
import { TOY_VOCAB, toyDecoder, toyShape } from './toy-model';

interface GoldenWord {
  word: string;
  distances: [number, number, number] | null;
  penalty: number;
}
interface GoldenCase {
  name: string;
  points: (number | string)[][];
  width: number;
  height: number;
  words: GoldenWord[];
}
const golden = JSON.parse(readFileSync(new URL('../fixtures/golden/rescore.json', import.meta.url), 'utf8')) as {
  spec: string;
  params: RescoreSpec;
  layout: unknown;
  cases: GoldenCase[];
};
const LC = layoutConstants(validateLayout(golden.layout));

describe('geometric rescoring (swipe-rescore-v2)', () => {
  it('should reproduce the Python distances and penalties bit for bit', () => {
    expect(golden.spec).toBe('swipe-rescore-v2');
    expect(golden.params.letter).toBeGreaterThan(0);
    expect(golden.cases.length).toBeGreaterThanOrEqual(15);
    let compared = 0;
    for (const c of golden.cases) {
      const points = c.points.map((p) => p.map(Number));
      const r = new TraceRescorer(tracePolyline({ points, width: c.width, height: c.height }, LC), LC, golden.params);
      for (const w of c.words) {
        const d = r.distances(w.word);
        if (w.distances === null) expect(d, `${c.name} ${w.word}`).toBeNull();
        else expect(d && [d.loc, d.shape, d.ends], `${c.name} ${w.word}`).toEqual(w.distances);
        expect(r.penalty(w.word), `${c.name} ${w.word}`).toBe(w.penalty);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('should resample by arc length with both ends kept, and repeat a point', () => {
    const r = resample({ x: [0, 3, 3, 3], y: [0, 0, 0, 4] }, 8);
    expect(r.x[0]).toBe(0);
    expect(r.x[7]).toBeCloseTo(3, 12);
    expect(r.y[7]).toBeCloseTo(4, 12);
    for (let j = 1; j < 8; j++) expect(Math.hypot((r.x[j] as number) - (r.x[j - 1] as number), (r.y[j] as number) - (r.y[j - 1] as number))).toBeCloseTo(1, 12);
    expect(resample({ x: [2], y: [1] }, 3)).toEqual({ x: [2, 2, 2], y: [1, 1, 1] });
  });

  it('should centre a shape and scale it to a unit extent, never magnifying one under a key', () => {
    const big = normalizeShape({ x: [0, 4, 4], y: [0, 0, 2] });
    expect(Math.max(...big.x) - Math.min(...big.x)).toBeCloseTo(1, 12);
    expect(normalizeShape({ x: [0, 0.5], y: [0, 0] })).toEqual({ x: [-0.25, 0.25], y: [0, 0] });
  });

  it('should penalize least the word whose keys the swipe passes', () => {
    const path = resample(wordTemplate('toe', LC), 30);
    const points = path.x.map((x, i) => [x * LC.kw * 360, (path.y[i] as number) * LC.kh * 215, i * 10]);
    const r = new TraceRescorer(tracePolyline({ points, width: 360, height: 215 }, LC), LC, { ...golden.params, letter: 0 });
    expect(r.penalty('toe')).toBeLessThan(r.penalty('tie'));
    expect(r.penalty('tie')).toBeLessThan(r.penalty('zebra'));
    expect(r.penalty("'")).toBe(0); // no keyed letter: unchanged
  });

  it('should add the letter bonus once per letter of the word key, keyed letter or not', () => {
    const path = resample(wordTemplate('there', LC), 30);
    const points = path.x.map((x, i) => [x * LC.kw * 360, (path.y[i] as number) * LC.kh * 215, i * 10]);
    const poly = tracePolyline({ points, width: 360, height: 215 }, LC);
    const v1 = new TraceRescorer(poly, LC, { ...golden.params, letter: 0 });
    const v2 = new TraceRescorer(poly, LC, { ...golden.params, letter: 0.95 });
    for (const key of ['the', 'there', "there's", "'"]) expect(v2.penalty(key)).toBe(v1.penalty(key) - 0.95 * key.length);
  });

  it('should throw the feature errors for traces without a usable point', () => {
    expect(() => tracePolyline({ points: [[Number.NaN, 1, 0]], width: 360, height: 215 }, LC)).toThrow(EngineError);
    expect(() => tracePolyline({ points: [[1, 2, 0]], width: 0, height: 215 }, LC)).toThrow(EngineError);
  });

  it('should subtract the penalty in the beam search before ranking and cutting top-K', async () => {
    const words: [string, number][] = [['hello', -3], ['help', -3.5], ['hell', -4], ['jello', -6], ['yellow', -5]];
    const lex = new LexiconTrie(buildLexicon(words.map(([word, logPrior]) => ({ word, logPrior }))).data, TOY_VOCAB);
    const shape = toyShape();
    const frames = 14;
    const p = { ...DEFAULT_SEARCH, topK: 16 };
    const plain = (await beamSearch(toyDecoder(shape, 'hello', frames, 2), shape, frames, lex, p)).words;
    expect(plain.length).toBeGreaterThanOrEqual(3);
    const last = plain[plain.length - 1]!.word;
    const pen = (key: string): number => (key === last ? 0 : 1000);
    const got = (await beamSearch(toyDecoder(shape, 'hello', frames, 2), shape, frames, lex, { ...p, topK: 2 }, undefined, undefined, penaltyScorer(pen))).words;
    expect(got.length).toBe(2);
    expect(got[0]!.word).toBe(last);
    expect(got[0]!.score).toBe(plain[plain.length - 1]!.score);
  });
});
