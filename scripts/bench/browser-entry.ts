/**
 * Browser half of `npm run bench`: bundled by esbuild, served from 127.0.0.1 by scripts/bench.ts,
 * run in headless Chromium. Same engine code as the extension; ORT's WASM files from /ort/.
 */
import * as ort from 'onnxruntime-web';
import { createEngine } from '../../src/engine/engine';
import { parseFloorMargin } from '../../src/engine/params';
import { runTraces, runVariants } from './stats';
import type { Engine } from '../../src/engine/engine';
import type { BenchReport, BenchTrace } from './stats';

declare global {
  interface Window {
    __bench?: BenchReport | { error: string };
  }
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
  const manifest = JSON.parse(new TextDecoder().decode(await get('/model/model.json')));
  const variant = q.get('variant') ?? '';
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
  });
  const t1 = performance.now();
  const first = traces[0] as BenchTrace;
  await engine.decode(first, opts);
  const t2 = performance.now();
  await engine.warmup();
  const t3 = performance.now();
  await engine.decode(traces[1] ?? first, opts);
  const t4 = performance.now();
  const { timings, errors } = await runTraces(traces, (t) => engine.decode(t, opts));
  await engine.release();
  const names = Object.keys((manifest as { encoder?: { variants?: Record<string, string> } }).encoder?.variants ?? {});
  const byVariant = await Promise.all(
    names.map((v) => createEngine({ manifest, ort, loadFile: (name) => get(`/model/${name}`), encoderVariant: v, ...(lexicon ? { lexiconFile: lexicon } : {}) })),
  );
  for (const e of byVariant) await e.warmup();
  const variants = await runVariants(traces, Object.fromEntries(names.map((v, i) => [v, (t: BenchTrace) => (byVariant[i] as Engine).decode(t, opts)])));
  window.__bench = {
    where: `headless Chromium ${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ''}, crossOriginIsolated=${String(crossOriginIsolated)}`,
    ort: ort.env.versions.web ?? '?',
    threads: ort.env.wasm.numThreads ?? '?',
    cpu: `${navigator.hardwareConcurrency} logical cores`,
    coldCreateMs: t1 - t0,
    coldFirstDecodeMs: t2 - t1,
    warmupMs: t3 - t2,
    warmFirstDecodeMs: t4 - t3,
    traces: traces.length,
    timings,
    errors,
    variants,
  };
}

main().catch((e: unknown) => {
  window.__bench = { error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
});
