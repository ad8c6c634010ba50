/**
 * Browser half of `npm run bench`: bundled by esbuild, served from 127.0.0.1 by scripts/bench.ts,
 * run in headless Chromium. Same engine code as the extension; ORT's WASM files from /ort/.
 */
// The extension's build (src/host/ort-runtime.ts): WASM only, 14 MB. The package's default entry
// also carries WebGPU and fetches the 28 MB JSEP binary, whose start-up made the measured cold
// start about 1 s slower than what the extension pays (src/engine/README.md, 2026-12-03).
import * as ort from 'onnxruntime-web/wasm';
import { createEngine } from '../../src/engine/engine';
import { parseFloorMargin } from '../../src/engine/params';
import type { JointKernel } from '../../src/engine/rnnt-model';
import { JOINT_KERNEL_KEYS, PREFIX_CACHE_KEYS, compareVariants, parseComparisons, runtimeKeys, steadyPass, prefixCacheEntriesFor, runTraces, variantKeys } from './stats';
import type { RuntimeKind } from '../../src/engine/network';
import type { BenchReport, BenchTrace, Comparison, VariantManifest } from './stats';
import { warmEngine } from '../lib/warm-engine';

declare global {
  interface Window {
    __bench?: BenchReport | { error: string };
  }
}

/** Which ORT binary the page fetched, so a record says what its cold start paid for. */
function wasmFetched(): string {
  const names = performance.getEntriesByType('resource').map((e) => e.name.split('/').pop() ?? '').filter((n) => n.endsWith('.wasm'));
  return names.length ? [...new Set(names)].join(' + ') : 'no .wasm fetched';
}

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  ort.env.wasm.wasmPaths = '/ort/';
  const threads = Number(q.get('threads') ?? '0');
  if (threads > 0) ort.env.wasm.numThreads = threads;
  const get = async (p: string): Promise<Uint8Array> => {
    const r = await fetch(p);
    if (!r.ok) throw new Error(`${p}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  };
  const traces = JSON.parse(new TextDecoder().decode(await get('/traces.json'))) as BenchTrace[];
  const manifest = JSON.parse(new TextDecoder().decode(await get('/model/model.json'))) as VariantManifest;
  const variant = q.get('variant') ?? '';
  const runtime = (q.get('runtime') ?? '') as RuntimeKind | '';
  const lexicon = q.get('lexicon') ?? '';
  const beam = Number(q.get('beam') ?? '0');
  const margin = Number(q.get('margin') ?? '0');
  // validated by scripts/bench.ts (floorOption) before the page starts
  const floor = parseFloorMargin(q.get('floor') ?? '');
  const opts = { ...(beam ? { beam } : {}), ...(margin ? { scoreMargin: margin } : {}), ...(typeof floor === 'number' ? { floorMargin: floor } : {}) };
  const t0 = performance.now();
  const engine = await createEngine({
    manifest,
    ort,
    loadFile: (name) => get(`/model/${name}`),
    ...(variant ? { encoderVariant: variant } : {}),
    ...(lexicon ? { lexiconFile: lexicon } : {}),
    ...(runtime ? { runtime } : {}),
  });
  const t1 = performance.now();
  const first = traces[0] as BenchTrace;
  await engine.decode(first, opts);
  const t2 = performance.now();
  await engine.warmup();
  const t3 = performance.now();
  const tierUpArg = Number(q.get('tierUp') ?? '-1');
  const tierUpRounds = await engine.tierUp(tierUpArg < 0 ? undefined : tierUpArg);
  const t3b = performance.now();
  await engine.decode(traces[1] ?? first, opts);
  const t4 = performance.now();
  const { timings, errors } = await runTraces(traces, (t) => engine.decode(t, opts));
  await engine.release();
  const make = async (o: { encoderVariant?: string; predictorVariant?: string; prefixCacheEntries?: number; jointKernel?: JointKernel; runtime?: RuntimeKind }) => {
    const e = await createEngine({ manifest, ort, loadFile: (name) => get(`/model/${name}`), ...(runtime ? { runtime } : {}), ...o, ...(lexicon ? { lexiconFile: lexicon } : {}) });
    return { decode: (t: BenchTrace) => e.decode(t, opts), warmup: () => warmEngine(e), release: () => e.release() };
  };
  const steady = await steadyPass(() => make(variant ? { encoderVariant: variant } : {}), traces);
  // the ONNX variants are onnxruntime-web's files
  // validated by scripts/bench.ts before the page starts
  const compare = parseComparisons(q.get('compare') ?? 'all') ?? new Set();
  const keys = (c: Comparison, k: string[]): string[] => (compare.has(c) ? k : []);
  const variants = await compareVariants(keys('encoder', variantKeys(manifest, 'encoder')), (v) => make({ runtime: 'ort', encoderVariant: v }), traces, 'encoderMs');
  const predictorVariants = await compareVariants(keys('predictor', variantKeys(manifest, 'predictor')), (v) => make({ runtime: 'ort', predictorVariant: v }), traces, 'searchMs');
  const runtimes = await compareVariants(keys('runtime', runtimeKeys(manifest)), (k) => make({ runtime: k as RuntimeKind }), traces, 'totalMs');
  const prefixCache = await compareVariants(keys('prefix-cache', PREFIX_CACHE_KEYS), (k) => make({ prefixCacheEntries: prefixCacheEntriesFor(k) }), traces, 'searchMs');
  const jointKernel = await compareVariants(keys('joint', [...JOINT_KERNEL_KEYS]), (k) => make({ jointKernel: k as JointKernel }), traces, 'searchMs');
  window.__bench = {
    runtime: engine.runtime,
    where: `headless Chromium ${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ''}, crossOriginIsolated=${String(crossOriginIsolated)}, ${wasmFetched()}`,
    ort: ort.env.versions.web ?? '?',
    threads: ort.env.wasm.numThreads ?? '?',
    cpu: `${navigator.hardwareConcurrency} logical cores`,
    coldCreateMs: t1 - t0,
    coldStartup: engine.startup,
    coldFirstDecodeMs: t2 - t1,
    warmupMs: t3 - t2,
    tierUpMs: t3b - t3,
    tierUpRounds,
    warmFirstDecodeMs: t4 - t3b,
    traces: traces.length,
    timings,
    errors,
    steady,
    ...(variants ? { variants } : {}),
    ...(predictorVariants ? { predictorVariants } : {}),
    ...(prefixCache ? { prefixCache } : {}),
    ...(jointKernel ? { jointKernel } : {}),
    ...(runtimes ? { runtimes } : {}),
  };
}

main().catch((e: unknown) => {
  window.__bench = { error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
});
