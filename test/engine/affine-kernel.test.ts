import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleKernel, kernelModuleSource, KERNELS } from '../../scripts/lib/assemble-kernel';
import { createWasmJoint } from '@/src/engine/affine-kernel';
import { encProjAll, jointHidden, jointOutput, parseJoint, tanhOf } from '@/src/engine/joint';
import type { WasmJoint } from '@/src/engine/affine-kernel';
import type { JointWeights } from '@/src/engine/joint';

/** Deterministic values of both signs and many magnitudes (rounding differences would show). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * 10 ** ((s % 7) - 3);
  };
}

function randomJoint(J: number, D: number, V: number, seed: number): JointWeights {
  const r = lcg(seed);
  const f = (n: number) => Float64Array.from({ length: n }, () => Math.fround(r()));
  return { J, D, V, wEnc: f(J * D), bEnc: f(J), wOut: f(V * J), bOut: f(V) };
}

/** `rows` joint rows at frames spread over the trace, each against jointHidden + jointOutput. */
function expectRowsEqual(k: WasmJoint, w: JointWeights, ep: Float64Array, r: () => number, rows: number): void {
  const frames = ep.length / w.J;
  const epTanh = tanhOf(ep, 0, ep.length);
  for (let row = 0; row < rows && frames > 0; row++) {
    const pred = Float32Array.from({ length: w.J }, r);
    const tb = tanhOf(pred, 0, w.J);
    const t = (row * 7) % frames;
    const want = jointOutput(w, jointHidden(w.J, ep, epTanh, t, pred, 0, tb, new Float64Array(w.J)), new Float64Array(w.V));
    expect(k.row(t, ep, epTanh, pred, 0, tb, new Float64Array(w.V))).toEqual(want);
  }
}

describe('WebAssembly joint kernel (affine-kernel.wat)', () => {
  it('should be assembled from its source (npm run build-kernel)', async () => {
    const k = KERNELS.find((x) => x.wat.endsWith('affine-kernel.wat'))!;
    expect(readFileSync(k.ts, 'utf8')).toBe(kernelModuleSource(k, await assembleKernel(k)));
  });

  it('should give bit-identical enc_proj and logits to the JavaScript loops, odd sizes included', () => {
    for (const [J, D, V, frames] of [[256, 144, 28, 33], [7, 5, 3, 4], [9, 2, 1, 1], [2, 1, 2, 0], [16, 8, 8, 200]] as const) {
      const w = randomJoint(J, D, V, J * 31 + D + V);
      const k = createWasmJoint(w);
      expect(k, 'WebAssembly SIMD in Node').not.toBeNull();
      const r = lcg(frames + 5);
      const enc = Float32Array.from({ length: frames * D }, r);
      const ep = k!.encProjAll(enc, frames);
      expect(ep).toEqual(encProjAll(w, enc, frames));
      expectRowsEqual(k!, w, ep, r, 5);
    }
  });

  it('should give bit-identical joint rows to jointHidden + jointOutput, the Math.tanh branch included', () => {
    for (const [J, D, V, frames] of [[256, 144, 28, 9], [7, 5, 3, 4], [9, 2, 1, 2], [1, 1, 2, 1]] as const) {
      const w = randomJoint(J, D, V, J * 17 + V);
      const k = createWasmJoint(w)!;
      const r = lcg(J + frames);
      // large activations of both signs: some 1 + tanh(a)·tanh(b) fall under the formula's minimum
      const enc = Float32Array.from({ length: frames * D }, () => r() * 1e4);
      const ep = k.encProjAll(enc, frames);
      const epTanh = tanhOf(ep, 0, ep.length);
      let fallbacks = 0;
      for (let row = 0; row < 6; row++) {
        const pred = Float32Array.from({ length: 2 * J }, () => r() * 1e3);
        const offset = (row % 2) * J;
        const tb = tanhOf(pred, offset, J);
        for (let t = 0; t < frames; t++) {
          for (let j = 0; j < J; j++) if (!(1 + (epTanh[t * J + j] as number) * (tb[j] as number) > 1e-4)) fallbacks++;
          const want = jointOutput(w, jointHidden(J, ep, epTanh, t, pred, offset, tb, new Float64Array(J)), new Float64Array(V));
          expect(k.row(t, ep, epTanh, pred, offset, tb, new Float64Array(V))).toEqual(want);
        }
      }
      if (J === 256) expect(fallbacks, 'the Math.tanh branch ran').toBeGreaterThan(0);
    }
  });

  it("should give each trace's rows its own frames when two traces' rows interleave", () => {
    const J = 256, D = 144, V = 28;
    const w = randomJoint(J, D, V, 7);
    const k = createWasmJoint(w)!;
    const r = lcg(11);
    const traces = [5, 40].map((frames) => {
      const ep = k.encProjAll(Float32Array.from({ length: frames * D }, r), frames);
      return { frames, ep, epTanh: tanhOf(ep, 0, ep.length) };
    });
    const pred = Float32Array.from({ length: J }, r);
    const tb = tanhOf(pred, 0, J);
    for (let i = 0; i < 12; i++) {
      const x = traces[i % 2]!;
      const t = (i * 7) % x.frames;
      const want = jointOutput(w, jointHidden(J, x.ep, x.epTanh, t, pred, 0, tb, new Float64Array(J)), new Float64Array(V));
      expect(k.row(t, x.ep, x.epTanh, pred, 0, tb, new Float64Array(V))).toEqual(want);
    }
  });

  it('should keep its memory views valid when a long trace grows the memory', () => {
    const w = randomJoint(256, 144, 28, 1);
    const k = createWasmJoint(w)!;
    const r = lcg(2);
    expectRowsEqual(k, w, k.encProjAll(Float32Array.from({ length: 3 * 144 }, r), 3), r, 2);
    const enc = new Float32Array(2000 * 144).fill(0.5);
    const ep = k.encProjAll(enc, 2000);
    expect(ep).toEqual(encProjAll(w, enc, 2000));
    expectRowsEqual(k, w, ep, r, 3);
  }, 30_000); // 1.5 s alone; comparing 512,000 floats took over vitest's 5 s beside a training run

  it("should reproduce the shipped joint.bin's logits exactly", () => {
    const w = parseJoint(new Uint8Array(readFileSync(resolve('public/models/swipe-v1/joint.bin'))));
    const k = createWasmJoint(w)!;
    const r = lcg(3);
    const enc = Float32Array.from({ length: 12 * w.D }, r);
    const ep = k.encProjAll(enc, 12);
    expect(ep).toEqual(encProjAll(w, enc, 12));
    expectRowsEqual(k, w, ep, r, 4);
  });
});
