import { describe, expect, it } from 'vitest';
import { benchRecord, steadyPass } from '../../scripts/bench/stats';
import type { BenchReport, BenchTrace } from '../../scripts/bench/stats';

const ramp = (n: number, k = 1): number[] => Array.from({ length: n }, (_, i) => (i + 1) * k);

describe('benchRecord (what npm run bench -- --record keeps in model.json)', () => {
  const r: BenchReport = {
    where: 'Node v20', ort: '1.30.0', threads: 1, cpu: 'X x2', coldCreateMs: 990.123, coldFirstDecodeMs: 579.87,
    warmupMs: 1, tierUpMs: 0, tierUpRounds: 0, warmFirstDecodeMs: 1, traces: 100, errors: 0,
    timings: {
      featuresMs: ramp(100, 0.001), encoderMs: ramp(100), searchMs: ramp(100, 2), predictorMs: ramp(100, 0.5),
      totalMs: ramp(100, 3), stepCalls: ramp(100), predictorRows: ramp(100, 4), jointRows: ramp(100, 10), cachedPrefixes: ramp(100, 2),
    },
    predictorVariants: { fp32: ramp(100, 2), int8: ramp(100, 2.5) },
    prefixCache: { off: ramp(100, 2), on: ramp(100, 1) },
    jointKernel: { js: ramp(100, 2), wasm: ramp(100, 1.5) },
  };

  it('should keep p50 / p95 / max of each part, the counts and the cold start', () => {
    const b = benchRecord(r);
    expect(b.ms.encoder).toEqual({ p50: 50, p95: 95, max: 100 });
    expect(b.ms.total).toEqual({ p50: 150, p95: 285, max: 300 });
    expect(b.ms.predictorOrt.p95).toBe(47.5);
    expect(b.ms.features.p50).toBe(0.05);
    expect(b.perSwipe.jointRows).toEqual({ p50: 500, p95: 950, max: 1000 });
    expect(b.perSwipe.cachedPrefixes).toEqual({ p50: 100, p95: 190, max: 200 });
    expect(b.prefixCacheSearchMs).toEqual({ off: { p50: 100, p95: 190, max: 200 }, on: { p50: 50, p95: 95, max: 100 } });
    expect(b.coldStartMs).toEqual({ createEngine: 990.1, firstDecode: 579.9 });
    expect(b.predictorVariantsSearchMs?.int8).toEqual({ p50: 125, p95: 237.5, max: 250 });
    expect(b.jointKernelSearchMs).toEqual({ js: { p50: 100, p95: 190, max: 200 }, wasm: { p50: 75, p95: 142.5, max: 150 } });
    expect(b.encoderVariantsMs).toBeUndefined();
    expect(b.steadyMs).toBeUndefined();
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });

  it("should keep the engine's split of the cold start when the report has it", () => {
    const b = benchRecord({ ...r, coldStartup: { filesMs: 12.34, lexiconMs: 3.21, sessionsMs: 901.06 } });
    expect(b.coldStartMs).toEqual({ createEngine: 990.1, files: 12.3, lexicon: 3.2, sessions: 901.1, firstDecode: 579.9 });
  });

  it('should keep which runtime ran the pass, and the runtimes side by side', () => {
    const b = benchRecord({ ...r, runtime: 'native', runtimes: { native: ramp(100, 2), ort: ramp(100, 3) } });
    expect(b.runtime).toBe('native');
    expect(b.runtimesTotalMs).toEqual({ native: { p50: 100, p95: 190, max: 200 }, ort: { p50: 150, p95: 285, max: 300 } });
    expect(benchRecord(r).runtime).toBeUndefined();
    expect(benchRecord(r).runtimesTotalMs).toBeUndefined();
  });

  it('should keep the steady pass (encoder, search, total) apart from the first pass', () => {
    const b = benchRecord({ ...r, steady: { ...r.timings, encoderMs: ramp(100, 0.5), searchMs: ramp(100, 1), totalMs: ramp(100, 1.5) } });
    expect(b.steadyMs).toEqual({ encoder: { p50: 25, p95: 47.5, max: 50 }, search: { p50: 50, p95: 95, max: 100 }, total: { p50: 75, p95: 142.5, max: 150 } });
    expect(b.ms.total).toEqual({ p50: 150, p95: 285, max: 300 });
  });

  it('should time a fresh, warmed-up engine in the steady pass and release it', async () => {
    const calls: string[] = [];
    const decode = async (t: BenchTrace) => {
      calls.push(`decode ${t.id}`);
      return { timings: { featuresMs: 0, encoderMs: 1, searchMs: 2, predictorMs: 0, totalMs: 3 }, stepCalls: 0, predictorRows: 0, jointRows: 0 };
    };
    const traces: BenchTrace[] = [{ id: 'a', points: [], width: 1, height: 1 }, { id: 'b', points: [], width: 1, height: 1 }];
    const t = await steadyPass(async () => { calls.push('make'); return { decode, warmup: async () => calls.push('warmup'), release: async () => calls.push('release') }; }, traces);
    expect(calls).toEqual(['make', 'warmup', 'decode a', 'decode b', 'release']);
    expect(t.totalMs).toEqual([3, 3]);
  });
});
