import { describe, expect, it } from 'vitest';
import { tierUpTraces, TIER_UP_ROUNDS } from '../../src/engine/tier-up';
import { engineFor, goldenModelDir } from './model-fixture';

describe('tierUpTraces', () => {
  it('should give the same swipes on every call, on the keyboard, with lengths across 16..maxPoints', () => {
    const a = tierUpTraces(TIER_UP_ROUNDS, 128);
    expect(a).toEqual(tierUpTraces(TIER_UP_ROUNDS, 128));
    expect(a).toHaveLength(TIER_UP_ROUNDS);
    const lengths = a.map((t) => t.points.length);
    expect(Math.min(...lengths)).toBe(16);
    expect(Math.max(...lengths)).toBeGreaterThan(110);
    expect(new Set(lengths).size).toBe(TIER_UP_ROUNDS); // no length twice: many encoder shapes
    for (const t of a) {
      for (const [x, y, ms] of t.points as [number, number, number][]) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(t.width);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(t.height);
        expect(Number.isFinite(ms)).toBe(true);
      }
    }
  });

  it('should never exceed maxPoints, even below the usual minimum', () => {
    expect(tierUpTraces(5, 4).map((t) => t.points.length)).toEqual([4, 4, 4, 4, 4]);
    expect(tierUpTraces(0, 128)).toEqual([]);
  });
});

const dir = goldenModelDir();

describe.skipIf(!dir)('Engine.tierUp on the exported model', () => {
  it('should decode the rounds asked, stop when aborted, and let a real swipe in between its decodes', async () => {
    const engine = await engineFor(dir as string);
    try {
      expect(await engine.tierUp(3)).toBe(3);
      const stopped = new AbortController();
      stopped.abort();
      expect(await engine.tierUp(3, stopped.signal)).toBe(0);

      const ac = new AbortController();
      const order: string[] = [];
      const background = engine.tierUp(TIER_UP_ROUNDS, ac.signal).then((n) => {
        order.push('tier-up');
        return n;
      });
      await new Promise((r) => setTimeout(r, 0));
      const swipe = tierUpTraces(1, 40)[0]!;
      const real = await engine.decode(swipe);
      order.push('swipe');
      ac.abort();
      const done = await background;
      expect(real.words.length).toBeGreaterThan(0);
      expect(order).toEqual(['swipe', 'tier-up']); // the swipe did not wait for every round
      expect(done).toBeLessThan(TIER_UP_ROUNDS);
    } finally {
      await engine.release();
    }
  }, 60_000);
});
