/**
 * A stateless predictor's contexts (model.json predictor.context) through the real engine and ORT:
 * warmup() computes the prefixes of up to three letters, tierUp() fills in every other context in
 * the background, after which a swipe makes no predictor call. The fixture is a random K = 4 model
 * (training/make_tiny_stateless.py); the test compares the engine with itself.
 */
import { describe, expect, it } from 'vitest';
import type { DecodeTrace, Engine } from '../../src/engine/engine';
import { engineFor } from './model-fixture';

const dir = new URL('../fixtures/tiny-stateless/', import.meta.url).pathname;

/** A long glide over the three rows, so the beam reaches prefixes of four letters and more. */
const swipe: DecodeTrace = {
  width: 360,
  height: 215,
  points: Array.from({ length: 90 }, (_, i) => [18 + ((i * 23) % 324), 25 + ((i * 7) % 160), i * 12]),
};

/** No prior and no beam floor: a random model's beam then goes past the three warmed letters. */
const SEARCH = { beam: 16, priorWeight: 0, floorMargin: Infinity };

async function withEngine<T>(f: (e: Engine) => Promise<T>): Promise<T> {
  const e = await engineFor(dir);
  try {
    return await f(e);
  } finally {
    await e.release();
  }
}

describe('a stateless predictor (K = 4) in the engine', () => {
  it('should leave contexts after warmup() that tierUp() fills, then decode the same words without a predictor call', async () => {
    const warmOnly = await withEngine(async (e) => {
      await e.warmup();
      return e.decode(swipe, SEARCH);
    });
    expect(warmOnly.words.length).toBeGreaterThan(0);
    expect(warmOnly.stepCalls).toBeGreaterThan(0); // contexts of four letters were not computed yet

    const filled = await withEngine(async (e) => {
      await e.warmup();
      expect(await e.tierUp(0)).toBe(0); // no synthetic swipes asked, the contexts all the same
      return e.decode(swipe, SEARCH);
    });
    expect(filled.stepCalls).toBe(0);
    expect(filled.words.map((w) => w.word)).toEqual(warmOnly.words.map((w) => w.word));
    filled.words.forEach((w, i) => expect(w.score).toBeCloseTo((warmOnly.words[i] as { score: number }).score, 4));
  }, 60_000);

  it('should stop the fill when the tier-up is aborted, and still decode', async () => {
    await withEngine(async (e) => {
      await e.warmup();
      const ac = new AbortController();
      ac.abort();
      expect(await e.tierUp(4, ac.signal)).toBe(0);
      const r = await e.decode(swipe, SEARCH);
      expect(r.words.length).toBeGreaterThan(0);
      expect(r.stepCalls).toBeGreaterThan(0);
    });
  }, 60_000);
});
