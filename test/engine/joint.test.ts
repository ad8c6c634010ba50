import { describe, expect, it } from 'vitest';
import { encProjAll, jointHidden, jointLogits, jointOutput, tanhOf } from '../../src/engine/joint';
import type { JointWeights } from '../../src/engine/joint';

/** Deterministic pseudo-random numbers in [-1, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** Float32-representable values held as float64, like parseJoint's weights. */
function weights(J: number, D: number, V: number, r: () => number, scale = 1): JointWeights {
  const f = (n: number) => Float64Array.from(new Float32Array(n).map(() => r() * scale));
  return { J, D, V, wEnc: f(J * D), bEnc: f(J), wOut: f(V * J), bOut: f(V) };
}

/** BEAM_SEARCH.md "Joint" written as plainly as possible: one running sum per output, in order. */
function specEncProj(w: JointWeights, enc: Float32Array, frames: number): Float64Array {
  const out = new Float64Array(frames * w.J);
  for (let t = 0; t < frames; t++)
    for (let j = 0; j < w.J; j++) {
      let s = w.bEnc[j] as number;
      for (let d = 0; d < w.D; d++) s += (w.wEnc[j * w.D + d] as number) * (enc[t * w.D + d] as number);
      out[t * w.J + j] = s;
    }
  return out;
}

function specLogits(w: JointWeights, encProj: Float64Array, t: number, pred: Float32Array, off: number): Float64Array {
  const out = new Float64Array(w.V);
  for (let k = 0; k < w.V; k++) {
    let s = w.bOut[k] as number;
    for (let j = 0; j < w.J; j++) s += (w.wOut[k * w.J + j] as number) * Math.tanh((encProj[t * w.J + j] as number) + (pred[off + j] as number));
    out[k] = s;
  }
  return out;
}

describe('joint (float64, BEAM_SEARCH.md "Joint")', () => {
  // V = 29 and J = 13 leave remainders after the four-at-a-time loops.
  for (const [J, D, V] of [
    [256, 144, 28],
    [13, 7, 29],
  ] as const) {
    it(`should give the spec's enc_proj and logits bit for bit (J ${J}, D ${D}, V ${V})`, () => {
      const r = rng(J * 1000 + V);
      const w = weights(J, D, V, r, 0.3);
      const frames = 9;
      const enc = new Float32Array(frames * D).map(() => r() * 3);
      const ep = encProjAll(w, enc, frames);
      expect(ep).toEqual(specEncProj(w, enc, frames));
      const pred = new Float32Array(3 * J).map(() => r() * 4);
      const z = new Float64Array(J);
      for (let t = 0; t < frames; t++)
        for (let b = 0; b < 3; b++) expect(jointLogits(w, ep, t, pred, b * J, z, new Float64Array(V))).toEqual(specLogits(w, ep, t, pred, b * J));
    });
  }

  it('should match the spec within 1e-11 with the tanh addition formula, also where it would cancel', () => {
    const J = 64;
    const V = 28;
    const r = rng(7);
    const w = weights(J, 4, V, r);
    // enc_proj and pred of up to ±25: tanh saturates to ±1 in float64 past ~19, where
    // 1 + tanh a · tanh b is 0 and the formula alone would give NaN; rows 0-1 are exactly that.
    const frames = 40;
    const ep = new Float64Array(frames * J).map(() => r() * 25);
    const pred = new Float32Array(frames * J).map(() => r() * 25);
    for (let j = 0; j < J; j++) {
      ep[j] = 25;
      pred[j] = -25;
      ep[J + j] = -20 - (j % 3);
      pred[J + j] = 20 + (j % 5);
    }
    const epTanh = tanhOf(ep, 0, ep.length);
    const z = new Float64Array(J);
    const zRef = new Float64Array(J);
    let maxDiff = 0;
    for (let t = 0; t < frames; t++) {
      const off = t * J; // row t of pred with frame t: every pattern of signs and sizes
      const got = jointOutput(w, jointHidden(J, ep, epTanh, t, pred, off, tanhOf(pred, off, J), z), new Float64Array(V));
      const want = jointLogits(w, ep, t, pred, off, zRef, new Float64Array(V));
      for (let k = 0; k < V; k++) {
        expect(Number.isFinite(got[k])).toBe(true);
        maxDiff = Math.max(maxDiff, Math.abs((got[k] as number) - (want[k] as number)));
      }
    }
    expect(maxDiff).toBeLessThan(1e-11);
  });
});
