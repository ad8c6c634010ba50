/**
 * Model input features, spec `swipe-features-v1` (training/FEATURES.md). Must equal the Python
 * reference bit for bit: float64 `+ - * /`, floor, min, max only, in the spec's order, and one
 * rounding to float32 at the end (the Float32Array store).
 */
import { EngineError } from './errors';
import type { LayoutConstants } from './layout';

export const NUM_FEATURES = 35;

export interface FeatureParams {
  maxFrames: number; // M
  proxScale: number; // S
  dtCapMs: number;
}

export const FEATURES_V1: Readonly<FeatureParams> = Object.freeze({ maxFrames: 200, proxScale: 4, dtCapMs: 200 });

/** Trace in keyboard pixels, the shared format; points may hold anything (validated here). */
export interface TraceInput {
  points: ReadonlyArray<ReadonlyArray<number>>;
  width: number;
  height: number;
}

export interface Features {
  /** (n, 35) row-major, float32 */
  data: Float32Array;
  /** frames, 1..maxFrames */
  n: number;
}

function clamp(a: number): number {
  return Math.min(Math.max(a, -0.5), 1.5);
}

/** bad-size check, first in the spec's error precedence (bad-size, bad-layout, empty-trace). */
export function checkSize(trace: { width: unknown; height: unknown }): void {
  const W = trace.width;
  const H = trace.height;
  if (typeof W !== 'number' || typeof H !== 'number' || !Number.isFinite(W) || !Number.isFinite(H) || W <= 0 || H <= 0) {
    throw new EngineError('bad-size', `keyboard size ${String(W)}x${String(H)} is not finite and positive`);
  }
}

/** Steps 1-2 (clean, normalize, clamp): u, v in keyboard fractions, t non-decreasing. */
export function normalizedPoints(trace: TraceInput): { u: number[]; v: number[]; t: number[] } {
  checkSize(trace);
  const W = trace.width;
  const H = trace.height;
  // 1. Clean: keep points whose x, y, t are all finite numbers; make t non-decreasing.
  const pts = Array.isArray(trace.points) ? trace.points : [];
  const u: number[] = [];
  const v: number[] = [];
  const t: number[] = [];
  for (const pt of pts) {
    if (!Array.isArray(pt)) continue;
    const x = pt[0];
    const y = pt[1];
    const tt = pt[2];
    if (typeof x !== 'number' || typeof y !== 'number' || typeof tt !== 'number') continue;
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(tt)) continue;
    // 2. Normalize and clamp.
    u.push(clamp(x / W));
    v.push(clamp(y / H));
    const prev = t.length > 0 ? (t[t.length - 1] as number) : tt;
    t.push(Math.max(tt, prev));
  }
  if (u.length === 0) throw new EngineError('empty-trace', 'no point with finite x, y and t');
  return { u, v, t };
}

export function computeFeatures(trace: TraceInput, lc: LayoutConstants, p: FeatureParams = FEATURES_V1): Features {
  let { u, v, t } = normalizedPoints(trace);
  const N = u.length;
  // 3. Resample to M points when longer.
  const M = p.maxFrames;
  if (N > M) {
    const ru: number[] = new Array<number>(M);
    const rv: number[] = new Array<number>(M);
    const rt: number[] = new Array<number>(M);
    for (let j = 0; j < M; j++) {
      const s = (j * (N - 1)) / (M - 1);
      const i0 = Math.floor(s);
      const f = s - i0;
      const i1 = Math.min(i0 + 1, N - 1);
      ru[j] = lerp(u, i0, i1, f);
      rv[j] = lerp(v, i0, i1, f);
      rt[j] = lerp(t, i0, i1, f);
    }
    u = ru;
    v = rv;
    t = rt;
  }
  const n = u.length;
  const F = NUM_FEATURES;
  const out = new Float32Array(n * F);
  const { kw, kh, prox } = lc;
  const S = p.proxScale;
  let duPrev = 0;
  let dvPrev = 0;
  for (let i = 0; i < n; i++) {
    const ui = u[i] as number;
    const vi = v[i] as number;
    let du = 0;
    let dv = 0;
    let ddu = 0;
    let ddv = 0;
    let dt = 0;
    if (i > 0) {
      du = (ui - (u[i - 1] as number)) / kw;
      dv = (vi - (v[i - 1] as number)) / kh;
      ddu = du - duPrev;
      ddv = dv - dvPrev;
      dt = Math.min((t[i] as number) - (t[i - 1] as number), p.dtCapMs) / 100;
    }
    duPrev = du;
    dvPrev = dv;
    const o = i * F;
    out[o] = ui;
    out[o + 1] = vi;
    out[o + 2] = du;
    out[o + 3] = dv;
    out[o + 4] = ddu;
    out[o + 5] = ddv;
    out[o + 6] = dt;
    out[o + 7] = n === 1 ? 0 : i / (n - 1);
    for (let k = 0; k < prox.length; k++) {
      const key = prox[k];
      if (!key) continue; // stays 0
      const a = (ui - key.x) / key.width;
      const b = (vi - key.y) / key.height;
      out[o + 8 + k] = 1 / (1 + S * (a * a + b * b));
    }
  }
  return { data: out, n };
}

function lerp(a: number[], i0: number, i1: number, f: number): number {
  const a0 = a[i0] as number;
  return a0 + ((a[i1] as number) - a0) * f;
}

/** (n, F) row-major → (1, F, T) feature-major as the encoder wants (`features_bft`). */
export function toBFT(f: Features, numFeatures = NUM_FEATURES): Float32Array {
  const out = new Float32Array(numFeatures * f.n);
  for (let i = 0; i < f.n; i++) {
    for (let k = 0; k < numFeatures; k++) out[k * f.n + i] = f.data[i * numFeatures + k] as number;
  }
  return out;
}
