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
  totalMs: number[];
  stepCalls: number[];
}

export interface BenchReport {
  where: string;
  ort: string;
  threads: number | string;
  cpu: string;
  /** create engine (load + sessions) and the first decode right after it */
  coldCreateMs: number;
  coldFirstDecodeMs: number;
  /** engine.warmup() after that, and a decode of a different trace right after the warmup */
  warmupMs: number;
  warmFirstDecodeMs: number;
  traces: number;
  timings: BenchTimings;
  errors: number;
  /** encoder ms per model.json encoder variant, measured interleaved trace by trace */
  variants?: Record<string, number[]>;
}

type Decode = (t: BenchTrace) => Promise<{ timings: { encoderMs: number } }>;

/**
 * The encoder variants side by side (issue #5's INT8 gate): one engine per variant, each trace
 * decoded by every engine in turn, so machine load hits the variants alike.
 */
export async function runVariants(traces: BenchTrace[], engines: Record<string, Decode>): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const k of Object.keys(engines)) out[k] = [];
  for (const t of traces) {
    for (const [k, decode] of Object.entries(engines)) {
      try {
        (out[k] as number[]).push((await decode(t)).timings.encoderMs);
      } catch {
        // a rejected trace is counted in the main loop's errors
      }
    }
  }
  return out;
}

/** The measured loop; `decode` is the engine's, whatever the runtime. */
export async function runTraces(
  traces: BenchTrace[],
  decode: (t: BenchTrace) => Promise<{ timings: { featuresMs: number; encoderMs: number; searchMs: number; totalMs: number }; stepCalls: number }>,
): Promise<{ timings: BenchTimings; errors: number }> {
  const timings: BenchTimings = { featuresMs: [], encoderMs: [], searchMs: [], totalMs: [], stepCalls: [] };
  let errors = 0;
  for (const t of traces) {
    try {
      const r = await decode(t);
      timings.featuresMs.push(r.timings.featuresMs);
      timings.encoderMs.push(r.timings.encoderMs);
      timings.searchMs.push(r.timings.searchMs);
      timings.totalMs.push(r.timings.totalMs);
      timings.stepCalls.push(r.stepCalls);
    } catch {
      errors++;
    }
  }
  return { timings, errors };
}
