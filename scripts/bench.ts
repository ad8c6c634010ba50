/**
 * Latency benchmark of the engine: features, encoder, search and end to end (p50 / p95 / max)
 * over a fixed set of dev traces (the first N of dev.jsonl.gz), in Node and in headless
 * Chromium, plus cold start (engine creation, then the first decode). Prints the ORT version,
 * thread count, CPU, and the command.
 *
 *   npm run bench -- [--model DIR] [--traces ../shared/data/hws/dev.jsonl.gz] [--n 500]
 *                    [--beam N] [--variant fp32|int8] [--lexicon lexicon.bin] [--runtime native|ort]
 *                    [--threads N] [--node-only] [--browser-only] [--chromium /usr/bin/chromium]
 *                    [--record]        (write the figures into the model's model.json `benchmark`)
 *                    [--margin NATS]   (opt-in score-margin pruning, not in BEAM_SEARCH.md; 0 = off)
 *                    [--floor NATS|off] (beam-floor margin, BEAM_SEARCH.md v3; default model.json's)
 *                    [--tier-up N]     (synthetic swipes after warmup(), before the timed pass, as the
 *                                       extension's host runs them; default the engine's, 0 = none)
 *                    [--compare LIST]  (the side-by-side comparisons: all (default), none, or some of
 *                                       encoder,predictor,runtime,prefix-cache,joint; --record's choices
 *                                       need encoder, predictor and runtime)
 *
 * The page is served from 127.0.0.1 with COOP/COEP headers (so ORT may use WASM threads) and
 * makes no other request; Chromium runs with networking features off.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { DATA, REPO, defaultModelDir, fail, floorOption, parseFlags, readJsonl } from './lib/cli';
import { nodeEngine, ortInfo } from './lib/node-engine';
import { warmEngine } from './lib/warm-engine';
import { COMPARISONS, JOINT_KERNEL_KEYS, PREFIX_CACHE_KEYS, benchRecord, parseComparisons, compareVariants, prefixCacheEntriesFor, runtimeKeys, runTraces, steadyPass, summarize, variantKeys } from './bench/stats';
import { chooseRuntime, chooseVariant } from './bench/variant-choice';
import type { BenchRecord, BenchReport, BenchTrace, Comparison, VariantManifest } from './bench/stats';
import type { RuntimeKind } from '../src/engine/network';

const USAGE = readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0] ?? '';
const a = parseFlags(
  process.argv.slice(2),
  {
    model: '',
    traces: resolve(DATA, 'hws/dev.jsonl.gz'),
    n: 500,
    beam: 0,
    variant: '',
    lexicon: '',
    threads: 0,
    nodeOnly: false,
    browserOnly: false,
    chromium: '/usr/bin/chromium',
    margin: 0,
    floor: '',
    record: false,
    tierUp: -1,
    runtime: '',
    compare: 'all',
  },
  USAGE,
);
const dir = a.model ? resolve(a.model) : defaultModelDir();
if (!a.lexicon && existsSync(resolve(dir, 'lexicon.bin'))) a.lexicon = 'lexicon.bin';
floorOption(a.floor); // fails on a bad value before anything starts
if (a.tierUp < -1 || !Number.isInteger(a.tierUp)) fail(`--tier-up ${a.tierUp}: a whole number of swipes, 0 = none`);
const tierUpArg = a.tierUp < 0 ? undefined : a.tierUp;
if (a.runtime !== '' && a.runtime !== 'native' && a.runtime !== 'ort') fail(`--runtime ${a.runtime}: native or ort (default: model.json's)`);
const runtime = a.runtime as RuntimeKind | '';
const compare = parseComparisons(a.compare) ?? fail(`--compare ${a.compare}: all, none, or some of ${COMPARISONS.join(',')}`);
const manifest = JSON.parse(readFileSync(resolve(dir, 'model.json'), 'utf8')) as VariantManifest;

const traces: BenchTrace[] = [];
for await (const t of readJsonl(a.traces)) {
  if (traces.length >= a.n) break;
  traces.push({ id: String(t.id), points: t.points as number[][], width: t.width as number, height: t.height as number });
}

const records: BenchRecord[] = [];

function print(r: BenchReport): void {
  records.push(benchRecord(r));
  console.log(`\n== ${r.where}`);
  console.log(`runtime ${r.runtime ?? 'ort'}; ORT web ${r.ort}, WASM threads ${r.threads}, CPU ${r.cpu}`);
  const su = r.coldStartup;
  const network = r.runtime === 'native' ? 'native network (weights packed, kernel compiled)' : 'ORT sessions incl. its WASM start-up';
  const split = su ? ` (files ${su.filesMs.toFixed(1)}, lexicon ${su.lexiconMs.toFixed(1)}, ${network} ${su.sessionsMs.toFixed(1)})` : '';
  console.log(`cold start: create engine ${r.coldCreateMs.toFixed(1)} ms${split} + first decode ${r.coldFirstDecodeMs.toFixed(1)} ms = ${(r.coldCreateMs + r.coldFirstDecodeMs).toFixed(1)} ms`);
  console.log(`engine.warmup() ${r.warmupMs.toFixed(1)} ms, engine.tierUp() ${r.tierUpMs.toFixed(1)} ms (${r.tierUpRounds} synthetic swipes; the host runs them in the background), then a first decode of another trace ${r.warmFirstDecodeMs.toFixed(1)} ms`);
  console.log(`${r.traces} traces, ${r.errors} rejected; ms         p50      p95      max`);
  const row = (label: string, xs: number[]): void => {
    const s = summarize(xs);
    console.log(`  ${label.padEnd(16)}${s.p50.toFixed(2).padStart(9)}${s.p95.toFixed(2).padStart(9)}${s.max.toFixed(2).padStart(9)}`);
  };
  row('features', r.timings.featuresMs);
  row('encoder', r.timings.encoderMs);
  row('search', r.timings.searchMs);
  row(r.runtime === 'native' ? '  predictor' : '  predictor ORT', r.timings.predictorMs);
  row('  joint + JS', r.timings.searchMs.map((v, i) => v - (r.timings.predictorMs[i] as number)));
  row('total', r.timings.totalMs);
  if (r.steady) {
    console.log('  steady state: a fresh engine on the same traces after that pass (WASM tiered up; BenchReport.steady)');
    row('encoder', r.steady.encoderMs);
    row('search', r.steady.searchMs);
    row('total', r.steady.totalMs);
  }
  console.log('  counts per swipe');
  for (const k of ['stepCalls', 'predictorRows', 'jointRows', 'cachedPrefixes'] as const) row(k, r.timings[k]);
  for (const [what, part, byKey] of [['encoder (ORT)', 'encoder', r.variants], ['predictor (ORT)', 'search', r.predictorVariants], ['prefix cache', 'search', r.prefixCache], ['joint', 'search', r.jointKernel], ['runtime', 'total', r.runtimes]] as const) {
    if (!byKey) continue;
    console.log(`${what} variants side by side (interleaved per trace), ${part} ms   p50      p95      max`);
    for (const [k, xs] of Object.entries(byKey)) {
      const s = summarize(xs);
      console.log(`  ${`${what} ${k}`.padEnd(16)}${s.p50.toFixed(2).padStart(9)}${s.p95.toFixed(2).padStart(9)}${s.max.toFixed(2).padStart(9)}`);
    }
  }
}

const cpu = `${cpus()[0]?.model ?? '?'} x${cpus().length}`;
console.log(`bench: model ${dir}, ${traces.length} traces from ${a.traces}, beam ${a.beam || 'model.json'}, margin ${a.margin || 'off'}, floor ${a.floor || 'model.json'}, encoder ${a.variant || 'model.json default'}, lexicon ${a.lexicon || 'model.json'}`);
const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
console.log(`command: ${command}`);

if (!a.browserOnly) {
  const t0 = performance.now();
  const engine = await nodeEngine(dir, { variant: a.variant, lexicon: a.lexicon, threads: a.threads, runtime });
  const t1 = performance.now();
  const opts = { ...(a.beam ? { beam: a.beam } : {}), ...(a.margin ? { scoreMargin: a.margin } : {}), ...floorOption(a.floor) };
  await engine.decode(traces[0] as BenchTrace, opts);
  const t2 = performance.now();
  await engine.warmup();
  const t3 = performance.now();
  const tierUpRounds = await engine.tierUp(tierUpArg);
  const t3b = performance.now();
  await engine.decode(traces[1] ?? (traces[0] as BenchTrace), opts);
  const t4 = performance.now();
  const { timings, errors } = await runTraces(traces, (t) => engine.decode(t, opts));
  await engine.release();
  const bind = (e: Awaited<ReturnType<typeof nodeEngine>>) => ({ decode: (t: BenchTrace) => e.decode(t, opts), warmup: () => warmEngine(e), release: () => e.release() });
  const base = { lexicon: a.lexicon, threads: a.threads, runtime };
  const steady = await steadyPass(async () => bind(await nodeEngine(dir, { ...base, variant: a.variant })), traces);
  // the ONNX variants are onnxruntime-web's files
  const keys = (c: Comparison, k: string[]): string[] => (compare.has(c) ? k : []);
  const variants = await compareVariants(keys('encoder', variantKeys(manifest, 'encoder')), async (v) => bind(await nodeEngine(dir, { ...base, runtime: 'ort', variant: v })), traces, 'encoderMs');
  const predictorVariants = await compareVariants(keys('predictor', variantKeys(manifest, 'predictor')), async (v) => bind(await nodeEngine(dir, { ...base, runtime: 'ort', predictorVariant: v })), traces, 'searchMs');
  const runtimes = await compareVariants(keys('runtime', runtimeKeys(manifest)), async (k) => bind(await nodeEngine(dir, { ...base, runtime: k as RuntimeKind })), traces, 'totalMs');
  const prefixCache = await compareVariants(keys('prefix-cache', PREFIX_CACHE_KEYS), async (k) => bind(await nodeEngine(dir, { ...base, prefixCacheEntries: prefixCacheEntriesFor(k) })), traces, 'searchMs');
  const jointKernel = await compareVariants(keys('joint', [...JOINT_KERNEL_KEYS]), async (k) => bind(await nodeEngine(dir, { ...base, jointKernel: k as (typeof JOINT_KERNEL_KEYS)[number] })), traces, 'searchMs');
  const info = ortInfo();
  print({ where: `Node ${process.version}`, runtime: engine.runtime, ort: info.version, threads: info.threads, cpu, coldCreateMs: t1 - t0, coldStartup: engine.startup, coldFirstDecodeMs: t2 - t1, warmupMs: t3 - t2, tierUpMs: t3b - t3, tierUpRounds, warmFirstDecodeMs: t4 - t3b, traces: traces.length, timings, errors, steady, ...(variants ? { variants } : {}), ...(predictorVariants ? { predictorVariants } : {}), ...(prefixCache ? { prefixCache } : {}), ...(jointKernel ? { jointKernel } : {}), ...(runtimes ? { runtimes } : {}) });
}

if (!a.nodeOnly) {
  const bundle = await build({
    entryPoints: [resolve(REPO, 'scripts/bench/browser-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  const js = bundle.outputFiles[0]?.contents ?? fail('esbuild produced nothing');
  const ortDist = resolve(REPO, 'node_modules/onnxruntime-web/dist');
  const types: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: Uint8Array | string | null = null;
    let type = 'application/octet-stream';
    const safe = (base: string, rel: string): string | null => {
      const p = resolve(base, rel);
      return p.startsWith(`${base}/`) && existsSync(p) ? p : null;
    };
    if (url.pathname === '/') [body, type] = ['<!doctype html><meta charset="utf-8"><script type="module" src="/bench.js"></script>', types['.html'] as string];
    else if (url.pathname === '/bench.js') [body, type] = [js, types['.js'] as string];
    else if (url.pathname === '/traces.json') [body, type] = [JSON.stringify(traces), types['.json'] as string];
    else if (url.pathname.startsWith('/ort/')) {
      const p = safe(ortDist, url.pathname.slice(5));
      if (p) [body, type] = [readFileSync(p), types[extname(p)] ?? type];
    } else if (url.pathname.startsWith('/model/')) {
      const p = safe(dir, url.pathname.slice(7));
      if (p) [body, type] = [readFileSync(p), types[extname(p)] ?? type];
    }
    // COOP/COEP make the page cross-origin isolated: SharedArrayBuffer, so WASM threads.
    res.writeHead(body === null ? 404 : 200, {
      'content-type': type,
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-store',
    });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({
    executablePath: a.chromium,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    const q = new URLSearchParams({ compare: [...compare].join(',') || 'none', runtime, threads: String(a.threads), variant: a.variant, lexicon: a.lexicon, beam: String(a.beam), margin: String(a.margin), floor: a.floor, tierUp: String(a.tierUp) });
    await page.goto(`http://127.0.0.1:${port}/?${q}`);
    await page.waitForFunction(() => (window as { __bench?: unknown }).__bench !== undefined, undefined, { timeout: 30 * 60_000, polling: 500 });
    const r = (await page.evaluate(() => (window as { __bench?: unknown }).__bench)) as BenchReport | { error: string };
    if ('error' in r) fail(`browser bench failed: ${r.error}`);
    print({ ...r, cpu: `${cpu} (${r.cpu})` });
  } finally {
    await browser.close();
    server.close();
  }
}

if (a.record) {
  // Re-read: model.json is the exporter's; only `benchmark` is replaced.
  const path = resolve(dir, 'model.json');
  const m = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const date = new Date().toISOString().slice(0, 10);
  m.benchmark = { date, command, traces: traces.length, runs: records };
  const choices = (['encoder', 'predictor'] as const).map((part) => [part, chooseVariant(part, m, records, date)] as const);
  for (const [part, choice] of choices) if (choice) Object.assign(m[part] as Record<string, unknown>, choice);
  const runtimeChoice = chooseRuntime(m, records, date);
  if (runtimeChoice) Object.assign(m.native as Record<string, unknown>, runtimeChoice);
  writeFileSync(path, `${JSON.stringify(m, null, 1)}\n`);
  console.log(`\nrecorded in ${path} (benchmark)`);
  for (const [part, choice] of choices) if (choice) console.log(`${part}.file ${choice.file}: ${choice.defaultChoice}`);
  if (runtimeChoice) console.log(`native.default ${runtimeChoice.default}: ${runtimeChoice.defaultChoice}`);
}
