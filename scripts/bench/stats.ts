import type { RuntimeKind } from '../../src/engine/network';
import type { StartupTimings } from '../../src/engine/engine';

/** Latency summary shared by the Node and browser halves of the benchmark. */
export interface Summary {
  p50: number;
  p95: number;
  max: number;
}

export function summarize(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
  return { p50: q(0.5), p95: q(0.95), max: s[s.length - 1] ?? NaN };
}

export interface BenchTrace {
  id: string;
  points: number[][];
  width: number;
  height: number;
}

export interface BenchTimings {
  featuresMs: number[];
  encoderMs: number[];
  searchMs: number[];
  /** of searchMs: the predictor's onnxruntime calls; the rest (searchMs − predictorMs) is JS */
  predictorMs: number[];
  totalMs: number[];
  stepCalls: number[];
  predictorRows: number[];
  jointRows: number[];
  /** prefixes served by the engine's cross-swipe prefix cache */
  cachedPrefixes: number[];
}

export interface BenchReport {
  where: string;
  /** which runtime computed the encoder and predictor in the main and steady passes */
  runtime?: RuntimeKind;
  ort: string;
  threads: number | string;
  cpu: string;
  /** create engine (load + sessions) and the first decode right after it */
  coldCreateMs: number;
  /** the engine's own split of coldCreateMs */
  coldStartup?: StartupTimings;
  coldFirstDecodeMs: number;
  /**
   * engine.warmup() after that, then engine.tierUp() (as the host runs it after its warm-up), and
   * a decode of a different trace right after them
   */
  warmupMs: number;
  tierUpMs: number;
  tierUpRounds: number;
  warmFirstDecodeMs: number;
  traces: number;
  timings: BenchTimings;
  errors: number;
  /**
   * A second pass over the same traces by a fresh engine (default settings, warmed up, so its
   * prefix cache holds only what warmup() puts there), right after the first pass: by then V8 has
   * tiered ORT's and the kernel's WASM up, as in a host that has been running for a while. The
   * first pass (`timings`) is what the first few hundred swipes after start-up see.
   */
  steady?: BenchTimings;
  /** encoder ms per model.json encoder variant, measured interleaved trace by trace */
  variants?: Record<string, number[]>;
  /** search ms (predictor calls + joint) per model.json predictor variant, default encoder, interleaved */
  predictorVariants?: Record<string, number[]>;
  /** search ms with the prefix cache off and on (default size), interleaved */
  prefixCache?: Record<string, number[]>;
  /** search ms with the joint's products in JavaScript and in WebAssembly SIMD, interleaved */
  jointKernel?: Record<string, number[]>;
  /** total ms with the network in the engine's own WebAssembly and in onnxruntime-web (its default files), interleaved */
  runtimes?: Record<string, number[]>;
}

/** The part of model.json the side-by-side comparisons read. */
export interface VariantManifest {
  encoder?: { variants?: Record<string, string> };
  predictor?: { variants?: Record<string, string> };
  native?: unknown;
}

/** The runtimes side by side: both where model.json has native weights, else none. */
export function runtimeKeys(m: VariantManifest): RuntimeKind[] {
  return m.native ? ['native', 'ort'] : [];
}

export function variantKeys(m: VariantManifest, part: 'encoder' | 'predictor'): string[] {
  return Object.keys(m[part]?.variants ?? {});
}

type Timed = { timings: { encoderMs: number; searchMs: number; totalMs: number } };
type Decode = (t: BenchTrace) => Promise<Timed>;
interface Releasable {
  decode: Decode;
  warmup(): Promise<unknown>;
  release(): Promise<unknown>;
}

/**
 * Variants side by side (issue #5's INT8 gates): one engine per variant, each trace decoded by
 * every engine in turn, so machine load hits the variants alike; `metric` is the part the
 * variant changes (encoderMs for encoder variants, searchMs for predictor variants).
 */
export async function runVariants(traces: BenchTrace[], engines: Record<string, Decode>, metric: 'encoderMs' | 'searchMs' | 'totalMs' = 'encoderMs'): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const k of Object.keys(engines)) out[k] = [];
  for (const t of traces) {
    for (const [k, decode] of Object.entries(engines)) {
      try {
        (out[k] as number[]).push((await decode(t)).timings[metric]);
      } catch {
        // a rejected trace is counted in the main loop's errors
      }
    }
  }
  return out;
}

/** Creates one engine per variant key, warms them up, runs them side by side, releases them. */
export async function compareVariants<E extends Releasable>(
  keys: string[],
  make: (key: string) => Promise<E>,
  traces: BenchTrace[],
  metric: 'encoderMs' | 'searchMs' | 'totalMs',
): Promise<Record<string, number[]> | undefined> {
  if (keys.length < 2) return undefined;
  const engines: E[] = [];
  for (const k of keys) engines.push(await make(k));
  for (const e of engines) await e.warmup();
  const res = await runVariants(traces, Object.fromEntries(keys.map((k, i) => [k, (t: BenchTrace) => (engines[i] as E).decode(t)])), metric);
  for (const e of engines) await e.release();
  return res;
}

/** BenchReport.steady: a fresh engine, warmed up, times the traces once more after the first pass. */
export async function steadyPass(
  make: () => Promise<{ decode: Parameters<typeof runTraces>[1]; warmup(): Promise<unknown>; release(): Promise<unknown> }>,
  traces: BenchTrace[],
): Promise<BenchTimings> {
  const e = await make();
  await e.warmup();
  const { timings } = await runTraces(traces, (t) => e.decode(t));
  await e.release();
  return timings;
}

/** The measured loop; `decode` is the engine's, whatever the runtime. */
export async function runTraces(
  traces: BenchTrace[],
  decode: (t: BenchTrace) => Promise<{
    timings: { featuresMs: number; encoderMs: number; searchMs: number; predictorMs: number; totalMs: number };
    stepCalls: number;
    predictorRows: number;
    jointRows: number;
    cachedPrefixes?: number;
  }>,
): Promise<{ timings: BenchTimings; errors: number }> {
  const timings: BenchTimings = { featuresMs: [], encoderMs: [], searchMs: [], predictorMs: [], totalMs: [], stepCalls: [], predictorRows: [], jointRows: [], cachedPrefixes: [] };
  let errors = 0;
  for (const t of traces) {
    try {
      const r = await decode(t);
      timings.featuresMs.push(r.timings.featuresMs);
      timings.encoderMs.push(r.timings.encoderMs);
      timings.searchMs.push(r.timings.searchMs);
      timings.predictorMs.push(r.timings.predictorMs);
      timings.totalMs.push(r.timings.totalMs);
      timings.stepCalls.push(r.stepCalls);
      timings.predictorRows.push(r.predictorRows);
      timings.jointRows.push(r.jointRows);
      timings.cachedPrefixes.push(r.cachedPrefixes ?? 0);
    } catch {
      errors++;
    }
  }
  return { timings, errors };
}

const round2 = (s: Summary): Summary => ({ p50: +s.p50.toFixed(2), p95: +s.p95.toFixed(2), max: +s.max.toFixed(2) });

/** One runtime's figures as model.json `benchmark.runs[]` keeps them (ms, rounded to 0.01). */
export interface BenchRecord {
  where: string;
  /** the runtime of the main pass (absent in older records: onnxruntime-web) */
  runtime?: RuntimeKind;
  ort: string;
  threads: number | string;
  cpu: string;
  /** files, lexicon, sessions: the engine's split of createEngine (absent in older records) */
  coldStartMs: { createEngine: number; files?: number; lexicon?: number; sessions?: number; firstDecode: number };
  ms: Record<'features' | 'encoder' | 'search' | 'predictorOrt' | 'total', Summary>;
  /** the steady pass (BenchReport.steady; absent in older records) */
  steadyMs?: Record<'encoder' | 'search' | 'total', Summary>;
  perSwipe: Record<'stepCalls' | 'predictorRows' | 'jointRows', Summary> & { cachedPrefixes?: Summary };
  prefixCacheSearchMs?: Record<string, Summary>;
  jointKernelSearchMs?: Record<string, Summary>;
  encoderVariantsMs?: Record<string, Summary>;
  predictorVariantsSearchMs?: Record<string, Summary>;
  runtimesTotalMs?: Record<string, Summary>;
}

export function benchRecord(r: BenchReport): BenchRecord {
  const t = r.timings;
  const each = (m: Record<string, number[]> | undefined): Record<string, Summary> | undefined =>
    m ? Object.fromEntries(Object.entries(m).map(([k, xs]) => [k, round2(summarize(xs))])) : undefined;
  const enc = each(r.variants);
  const pc = each(r.prefixCache);
  const jk = each(r.jointKernel);
  const pred = each(r.predictorVariants);
  const rt = each(r.runtimes);
  return {
    where: r.where,
    ...(r.runtime ? { runtime: r.runtime } : {}),
    ort: r.ort,
    threads: r.threads,
    cpu: r.cpu,
    coldStartMs: {
      createEngine: +r.coldCreateMs.toFixed(1),
      ...(r.coldStartup ? { files: +r.coldStartup.filesMs.toFixed(1), lexicon: +r.coldStartup.lexiconMs.toFixed(1), sessions: +r.coldStartup.sessionsMs.toFixed(1) } : {}),
      firstDecode: +r.coldFirstDecodeMs.toFixed(1),
    },
    ms: {
      features: round2(summarize(t.featuresMs)),
      encoder: round2(summarize(t.encoderMs)),
      search: round2(summarize(t.searchMs)),
      predictorOrt: round2(summarize(t.predictorMs)),
      total: round2(summarize(t.totalMs)),
    },
    ...(r.steady ? { steadyMs: { encoder: round2(summarize(r.steady.encoderMs)), search: round2(summarize(r.steady.searchMs)), total: round2(summarize(r.steady.totalMs)) } } : {}),
    perSwipe: {
      stepCalls: summarize(t.stepCalls),
      predictorRows: summarize(t.predictorRows),
      jointRows: summarize(t.jointRows),
      ...(t.cachedPrefixes.length ? { cachedPrefixes: summarize(t.cachedPrefixes) } : {}),
    },
    ...(enc ? { encoderVariantsMs: enc } : {}),
    ...(pred ? { predictorVariantsSearchMs: pred } : {}),
    ...(pc ? { prefixCacheSearchMs: pc } : {}),
    ...(jk ? { jointKernelSearchMs: jk } : {}),
    ...(rt ? { runtimesTotalMs: rt } : {}),
  };
}

/** The joint kernel's side-by-side comparison (engine option jointKernel). */
export const JOINT_KERNEL_KEYS = ['js', 'wasm'] as const;

/** The prefix cache's side-by-side comparison: off, and the engine's default size. */
export const PREFIX_CACHE_KEYS = ['off', 'on'];

export function prefixCacheEntriesFor(key: string): number | undefined {
  return key === 'off' ? 0 : undefined;
}

/** The side-by-side comparisons the bench can run (`--compare`, default all). */
export const COMPARISONS = ['encoder', 'predictor', 'runtime', 'prefix-cache', 'joint'] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** `--compare` ("all", "none" or a comma list of COMPARISONS) -> the set; null when it names something else. */
export function parseComparisons(arg: string): Set<Comparison> | null {
  if (arg === 'all' || arg === '') return new Set(COMPARISONS);
  if (arg === 'none') return new Set();
  const names = arg.split(',').map((x) => x.trim());
  return names.every((n): n is Comparison => (COMPARISONS as readonly string[]).includes(n)) ? new Set(names as Comparison[]) : null;
}
