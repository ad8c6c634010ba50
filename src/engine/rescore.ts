/**
 * Geometric rescoring of the beam's final word list (training/BEAM_SEARCH.md, swipe-beam-v4
 * "Rescore"; reference training/swipe/rescore.py). The network scores a word by its letters;
 * template distances (SHARK2-style: where the trace is, what shape it has, where it starts and
 * ends) reorder close candidates it confuses; a per-letter bonus (v2) offsets the cost the
 * network pays per emitted token, which favours short words. Float64 `+ - * /`, sqrt, min, max in the
 * reference's order, so the distances equal Python's bit for bit.
 */
import { normalizedPoints } from './features';
import type { TraceInput } from './features';
import type { LayoutConstants } from './layout';
import { PROX_TOKENS } from './layout';

/** model.json `decoding.rescore`: weights in nats per key of each distance, and the bonus per letter. */
export interface RescoreSpec {
  /** points both polylines are resampled to */
  points: number;
  loc: number;
  shape: number;
  ends: number;
  /** swipe-rescore-v2: nats added per letter of the word (0 = v1), offsetting the network's per-token cost */
  letter: number;
}

/** key units: x / kw, y / kh (a letter key is 1 x 1) */
export interface Poly {
  x: number[];
  y: number[];
}

export function dist(ax: number, ay: number, bx: number, by: number): number {
  const dx = ax - bx;
  const dy = ay - by;
  return Math.sqrt(dx * dx + dy * dy);
}

/** n points equally spaced by arc length, first and last included. */
export function resample(p: Poly, n: number): Poly {
  const m = p.x.length;
  const cum: number[] = [0];
  for (let i = 1; i < m; i++) cum.push((cum[i - 1] as number) + dist(p.x[i] as number, p.y[i] as number, p.x[i - 1] as number, p.y[i - 1] as number));
  const total = cum[m - 1] as number;
  const x = new Array<number>(n);
  const y = new Array<number>(n);
  if (m === 1 || !(total > 0)) {
    x.fill(p.x[0] as number);
    y.fill(p.y[0] as number);
    return { x, y };
  }
  let i = 0;
  for (let j = 0; j < n; j++) {
    const s = (total * j) / (n - 1);
    while (i < m - 2 && (cum[i + 1] as number) < s) i++;
    const c0 = cum[i] as number;
    const seg = (cum[i + 1] as number) - c0;
    const f = Math.min(Math.max(seg > 0 ? (s - c0) / seg : 0, 0), 1);
    const x0 = p.x[i] as number;
    const y0 = p.y[i] as number;
    x[j] = x0 + ((p.x[i + 1] as number) - x0) * f;
    y[j] = y0 + ((p.y[i + 1] as number) - y0) * f;
  }
  return { x, y };
}

/** Centred, larger bounding-box side scaled to 1 — never magnified below one key. */
export function normalizeShape(q: Poly): Poly {
  const n = q.x.length;
  let sx = 0;
  let sy = 0;
  for (let j = 0; j < n; j++) {
    sx += q.x[j] as number;
    sy += q.y[j] as number;
  }
  const cx = sx / n;
  const cy = sy / n;
  const ext = Math.max(Math.max(...q.x) - Math.min(...q.x), Math.max(...q.y) - Math.min(...q.y), 1);
  return { x: q.x.map((v) => (v - cx) / ext), y: q.y.map((v) => (v - cy) / ext) };
}

function meanDistance(a: Poly, b: Poly): number {
  let s = 0;
  for (let j = 0; j < a.x.length; j++) s += dist(a.x[j] as number, a.y[j] as number, b.x[j] as number, b.y[j] as number);
  return s / a.x.length;
}

/** The trace in key units after FEATURES.md steps 1-2 (throws EngineError like the features). */
export function tracePolyline(trace: TraceInput, lc: LayoutConstants): Poly {
  const { u, v } = normalizedPoints(trace);
  return { x: u.map((a) => a / lc.kw), y: v.map((a) => a / lc.kh) };
}

/** Key centres of a word key's letters, in key units; letters without a key are skipped. */
export function wordTemplate(key: string, lc: LayoutConstants): Poly {
  const x: number[] = [];
  const y: number[] = [];
  for (const ch of key) {
    const idx = PROX_TOKENS.indexOf(ch);
    const k = idx >= 0 ? lc.prox[idx] : null;
    if (!k) continue;
    x.push(k.x / lc.kw);
    y.push(k.y / lc.kh);
  }
  return { x, y };
}

export interface Distances {
  loc: number;
  shape: number;
  /** start + end */
  ends: number;
  /** from the trace's first point to the word's first key, and from its last point to the last key */
  start: number;
  end: number;
}

/**
 * The trace's resampled path and shape, computed once per swipe; `distances(key)` and
 * `penalty(key)` for each candidate word key (the trie's letter string, before the case map).
 */
export class TraceRescorer {
  /** the trace resampled to `spec.points` (the reranker's alignment reads it too) */
  readonly path: Poly;
  private readonly shape: Poly;
  private readonly x0: number;
  private readonly y0: number;
  private readonly x1: number;
  private readonly y1: number;

  constructor(
    trace: Poly,
    private readonly lc: LayoutConstants,
    private readonly spec: RescoreSpec,
  ) {
    const m = trace.x.length;
    this.x0 = trace.x[0] as number;
    this.y0 = trace.y[0] as number;
    this.x1 = trace.x[m - 1] as number;
    this.y1 = trace.y[m - 1] as number;
    this.path = resample(trace, spec.points);
    this.shape = normalizeShape(this.path);
  }

  /** null when no letter of the word has a key */
  distances(key: string): Distances | null {
    return this.templateDistances(wordTemplate(key, this.lc));
  }

  /** `distances` of a word's template (wordTemplate), for a caller that needs the template too */
  templateDistances(t: Poly): Distances | null {
    const m = t.x.length;
    if (m === 0) return null;
    const r = resample(t, this.spec.points);
    const start = dist(this.x0, this.y0, t.x[0] as number, t.y[0] as number);
    const end = dist(this.x1, this.y1, t.x[m - 1] as number, t.y[m - 1] as number);
    return { loc: meanDistance(this.path, r), shape: meanDistance(this.shape, normalizeShape(r)), ends: start + end, start, end };
  }

  /** nats subtracted from the word's final score (negative when the letter bonus outweighs the distances) */
  penalty(key: string): number {
    return this.penaltyOf(this.distances(key), key.length);
  }

  /** `penalty` of a word of `letters` tokens whose distances are `d` */
  penaltyOf(d: Distances | null, letters: number): number {
    const geo = d ? this.spec.loc * d.loc + this.spec.shape * d.shape + this.spec.ends * d.ends : 0;
    return geo - this.spec.letter * letters;
  }
}
