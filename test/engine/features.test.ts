import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { computeFeatures, toBFT, NUM_FEATURES } from '../../src/engine/features';
import { layoutConstants, validateLayout } from '../../src/engine/layout';
import { errorCode as code } from './error-code';

const QWERTY = validateLayout(JSON.parse(readFileSync(new URL('../../../shared/data/layouts/qwerty.json', import.meta.url), 'utf8')));
const LC = layoutConstants(QWERTY);
const GOLDEN = new URL('../fixtures/golden/features.json', import.meta.url);

describe('features (swipe-features-v1)', () => {
  it('should compute a two-point trace exactly as the spec says', () => {
    // q centre (0.05, 0.135135) then w centre, W=400, H=200, 50 ms apart.
    const tr = { points: [[20, 0.135135 * 200, 1000], [60, 0.135135 * 200, 1050]], width: 400, height: 200 };
    const { data, n } = computeFeatures(tr, LC);
    expect(n).toBe(2);
    expect(data.length).toBe(2 * NUM_FEATURES);
    const u1 = 60 / 400;
    expect(data[0]).toBe(Math.fround(20 / 400));
    expect(data[NUM_FEATURES + 0]).toBe(Math.fround(u1));
    expect(data[NUM_FEATURES + 2]).toBe(Math.fround((u1 - 20 / 400) / 0.1)); // du
    expect(data[NUM_FEATURES + 4]).toBe(Math.fround((u1 - 20 / 400) / 0.1)); // ddu = du - 0
    expect(data[NUM_FEATURES + 6]).toBe(Math.fround(50 / 100)); // dt
    expect(data[NUM_FEATURES + 7]).toBe(1); // progress
    expect(data[8 + 16]).toBe(1); // prox[q] at q's centre
    expect(data[NUM_FEATURES + 8 + 22]).toBe(1); // prox[w] at w's centre
    expect(data[8 + 26]).toBe(0); // no apostrophe key
    const a = (20 / 400 - 0.15) / 0.1;
    expect(data[8 + 22]).toBe(Math.fround(1 / (1 + 4 * (a * a + 0 * 0)))); // prox[w] one key away = 0.2
  });

  it('should cap dt, clamp off-keyboard points and keep time non-decreasing', () => {
    const tr = { points: [[0, 0, 0], [-1000, 5000, 1000], [10, 10, 500]], width: 100, height: 100 };
    const { data } = computeFeatures(tr, LC);
    expect(data[NUM_FEATURES * 1 + 0]).toBe(-0.5);
    expect(data[NUM_FEATURES * 1 + 1]).toBe(1.5);
    expect(data[NUM_FEATURES * 1 + 6]).toBe(2); // min(1000, 200) / 100
    expect(data[NUM_FEATURES * 2 + 6]).toBe(0); // t went back: made equal
  });

  it('should give one frame for one point and drop non-finite points', () => {
    const { n, data } = computeFeatures({ points: [[NaN, 1, 0], [5, 5, 0], [1, Infinity, 3]], width: 10, height: 10 }, LC);
    expect(n).toBe(1);
    expect(data[7]).toBe(0);
  });

  it('should resample 10,000 points to maxFrames', () => {
    const points = Array.from({ length: 10000 }, (_, i) => [i % 300, (i * 7) % 200, i]);
    const { n, data } = computeFeatures({ points, width: 300, height: 200 }, LC);
    expect(n).toBe(200);
    expect(data[199 * NUM_FEATURES + 7]).toBe(1);
    // Last resampled point is exactly the last input point: s = N-1.
    expect(data[199 * NUM_FEATURES]).toBe(Math.fround((9999 % 300) / 300));
  });

  it('should reject empty traces, bad sizes and letterless layouts with typed errors', () => {
    expect(code(() => computeFeatures({ points: [], width: 10, height: 10 }, LC))).toBe('empty-trace');
    expect(code(() => computeFeatures({ points: [[NaN, NaN, NaN]], width: 10, height: 10 }, LC))).toBe('empty-trace');
    expect(code(() => computeFeatures({ points: [[1, 1, 1]], width: 0, height: 10 }, LC))).toBe('bad-size');
    expect(code(() => computeFeatures({ points: [[1, 1, 1]], width: 10, height: NaN }, LC))).toBe('bad-size');
    expect(code(() => layoutConstants({ keys: [{ key: '1', x: 0, y: 0, width: 1, height: 1 }] }))).toBe('bad-layout');
    expect(code(() => validateLayout({ keys: [{ key: 'a', x: 'no' }] }))).toBe('bad-layout');
  });

  it('should transpose to (1, F, T)', () => {
    const f = computeFeatures({ points: [[1, 1, 0], [50, 40, 30], [90, 60, 80]], width: 100, height: 100 }, LC);
    const bft = toBFT(f);
    expect(bft[5 * 3 + 2]).toBe(f.data[2 * NUM_FEATURES + 5]);
  });

  interface GoldenCase {
    name: string;
    points: unknown[][];
    width: unknown;
    height: unknown;
    features?: number[][];
    n?: number;
    error?: string;
  }
  // Non-finite inputs are written as strings 'NaN'/'Infinity' (features.json note).
  const num = (v: unknown): unknown => (typeof v === 'string' ? Number(v) : v);

  it.skipIf(!existsSync(GOLDEN))('should reproduce every Python golden vector bit for bit', () => {
    const raw = JSON.parse(readFileSync(GOLDEN, 'utf8')) as { layout: unknown; cases: GoldenCase[] };
    const lc = layoutConstants(validateLayout(raw.layout));
    expect(raw.cases.length).toBeGreaterThan(0);
    let frames = 0;
    for (const c of raw.cases) {
      const trace = { points: c.points.map((p) => p.map(num)) as number[][], width: num(c.width) as number, height: num(c.height) as number };
      if (c.error) {
        expect(code(() => computeFeatures(trace, lc)), c.name).toBe(c.error);
        continue;
      }
      const got = computeFeatures(trace, lc);
      expect(got.n, c.name).toBe(c.n);
      const want = (c.features ?? []).flat();
      expect(got.data.length, c.name).toBe(want.length);
      for (let k = 0; k < want.length; k++) {
        if (got.data[k] !== Math.fround(want[k] as number)) {
          throw new Error(`${c.name}: feature ${k % NUM_FEATURES} of frame ${Math.floor(k / NUM_FEATURES)}: ${got.data[k]} != ${want[k]}`);
        }
      }
      frames += got.n;
    }
    expect(frames).toBeGreaterThan(0);
  });
});
