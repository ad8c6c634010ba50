/**
 * Synthetic swipes for `Engine.tierUp()`. V8 first runs ORT's WASM and our search code in its
 * baseline tiers and optimizes the hot functions only after enough calls; until then a decode is
 * slower. Measured (src/engine/README.md, 2026-12-07): in headless Chromium the first 200 dev
 * swipes after `warmup()` had a total p95 of 29.1-29.4 ms and the same swipes on a second,
 * already optimized engine 22.6-23.9 ms; after 20 to 40 of these swipes the first pass matched
 * the second (18.5-21.1 against 18.4-20.4 ms).
 */
import type { DecodeTrace } from './engine';

/** How many synthetic swipes `tierUp()` decodes by default (20 were enough in the bench). */
export const TIER_UP_ROUNDS = 32;

/** The keyboard the synthetic swipes are drawn on (any size works: features are normalized). */
const WIDTH = 360;
const HEIGHT = 215;
const MIN_POINTS = 16;

/**
 * `count` deterministic swipes whose lengths sweep 16..maxPoints (so the encoder sees short and
 * long inputs alike), each gliding towards a new random spot on the keys every 8 points.
 */
export function tierUpTraces(count: number, maxPoints: number): DecodeTrace[] {
  let seed = 12345;
  // a 31-bit LCG: the same swipes on every run and in every runtime
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const spot = (): [number, number] => [rnd() * WIDTH, 0.1 * HEIGHT + rnd() * 0.8 * HEIGHT];
  const span = Math.max(1, maxPoints - MIN_POINTS + 1);
  const out: DecodeTrace[] = [];
  for (let r = 0; r < count; r++) {
    // 37 is coprime with most spans, so consecutive swipes jump around the length range
    const n = Math.min(maxPoints, MIN_POINTS + ((r * 37) % span));
    let [x, y] = spot();
    let [tx, ty] = spot();
    const points: number[][] = [];
    for (let i = 0; i < n; i++) {
      if (i % 8 === 0) [tx, ty] = spot();
      x += (tx - x) * 0.3;
      y += (ty - y) * 0.3;
      points.push([x, y, i * 10]);
    }
    out.push({ points, width: WIDTH, height: HEIGHT });
  }
  return out;
}
