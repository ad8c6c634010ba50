import { describe, expect, it, beforeAll, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { createEngine } from '../../src/engine/engine';
import type { Engine } from '../../src/engine/engine';
import { NUM_FEATURES } from '../../src/engine/features';
import { layoutConstants, validateLayout } from '../../src/engine/layout';
import { computeFeatures } from '../../src/engine/features';
import { NativeNetwork } from '../../src/engine/native-network';
import type { Network } from '../../src/engine/network';
import { OrtNetwork, graphOptimizationFor } from '../../src/engine/ort-session';
import { RnntModel } from '../../src/engine/rnnt-model';
import { parseManifest } from '../../src/engine/manifest';
import { TraceRescorer, tracePolyline } from '../../src/engine/rescore';
import { parseRerank, TraceReranker } from '../../src/engine/rerank';
import type { RerankRef } from '../../src/engine/rerank';
import type { RescoreSpec } from '../../src/engine/rescore';
import { buildLexicon, fnv1a, serializeLexicon } from '../../src/engine/lexicon-trie';
import { errorCodeOf } from './error-code';
import { GOLDEN_DIR, engineFor, fileLoader, goldenBeam, goldenModelDir } from './model-fixture';

const dir = goldenModelDir();
// The reference's lexicon keys have no apostrophes: "don't" is the display of "dont".
const keyOfDisplay = (w: string): string => w.toLowerCase().replace(/'/g, '');
const num = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));
/** the model's lexicon.tsv as key -> log prior (what the search adds λ times) */
function lexiconPriors(): { prior: (key: string) => number } {
  const m = new Map<string, number>();
  for (const line of readFileSync(`${dir}lexicon.tsv`, 'utf8').split('\n')) {
    const [w, p] = line.split('\t');
    if (w && p) m.set(w, Number(p));
  }
  return { prior: (key) => m.get(key) ?? Number.NaN };
}

interface BeamCase {
  id: string;
  width: number;
  height: number;
  points: number[][];
  encodedLength: number;
  words: string[];
  scores: number[];
}

/** Case i of the golden beam vectors (test/fixtures/golden/beam.json). */
const goldenCase = (i: number): BeamCase => (JSON.parse(readFileSync(goldenBeam, 'utf8')) as { cases: BeamCase[] }).cases[i] as BeamCase;

describe.skipIf(!dir)('engine on the exported model (golden parity)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(dir as string);
  }, 30_000);

  // The same checks for both runtimes: onnxruntime-web on the fp32 ONNX files, and the engine's
  // own WebAssembly on weights.bin.
  const networks: Record<'ort' | 'native', (m: ReturnType<typeof parseManifest>, files: ReturnType<typeof fileLoader>) => Promise<Network>> = {
    ort: async (m, files) => OrtNetwork.create(ort, m, await files(m.encoder.variants?.fp32 ?? m.encoder.file), await files(m.predictor.variants?.fp32 ?? m.predictor.file)),
    native: async (m, files) => {
      const n = NativeNetwork.create(await files((m.native as { file: string }).file), m);
      if (n === null) throw new Error('no WebAssembly SIMD in this Node');
      return n;
    },
  };
  it.each(['ort', 'native'] as const)('should match the golden encoder, predictor and joint outputs within their tolerance (%s runtime)', async (kind) => {
    const g = JSON.parse(readFileSync(`${GOLDEN_DIR}encoder.json`, 'utf8'));
    const m = parseManifest(JSON.parse(readFileSync(`${dir}model.json`, 'utf8')));
    const files = fileLoader(dir as string);
    const model = new RnntModel(await networks[kind](m, files), m, await files(m.joint.file));
    for (const c of g.cases as { id: string; features: number[][]; encodedLengths: number[]; encoded: number[][] }[]) {
      const data = Float32Array.from(c.features.flat());
      const enc = await model.encode({ data, n: data.length / NUM_FEATURES });
      expect(enc.frames, c.id).toBe(c.encodedLengths[0]);
      const want = c.encoded.flat();
      let maxDiff = 0;
      for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs((enc.data[i] as number) - (want[i] as number)));
      expect(maxDiff, c.id).toBeLessThanOrEqual(g.tolerance.maxAbsDiff);
    }
    // Predictor (batched, B = 1, 4, 16) vs golden pred_proj/h1/c1; the TS float64 joint on
    // (enc_t, pred_proj) vs step.onnx's golden logits.
    const s = JSON.parse(readFileSync(`${GOLDEN_DIR}step.json`, 'utf8'));
    const L = m.predictor.layers;
    const Hd = m.predictor.hidden;
    const J = m.predictor.jointDim;
    let predDiff = 0;
    let jointDiff = 0;
    for (const c of s.cases as Record<string, number[] | number[][] | number[][][] | number>[]) {
      const B = num(c.batch);
      const out = await model.predict(Int32Array.from(c.y_prev as number[]), Float32Array.from((c.h0 as number[][][]).flat(2)), Float32Array.from((c.c0 as number[][][]).flat(2)));
      const maxDiff = (got: Float32Array, want: number[]) => want.reduce((w, v, i) => Math.max(w, Math.abs(v - (got[i] as number))), 0);
      expect(out.pred.length).toBe(B * J);
      predDiff = Math.max(predDiff, maxDiff(out.pred, (c.pred_proj as number[][]).flat()), maxDiff(out.h, (c.h1 as number[][][]).flat(2)), maxDiff(out.c, (c.c1 as number[][][]).flat(2)));
      const encT = (c.enc_t as number[][]).flat();
      const D = encT.length / B;
      const pred = Float32Array.from((c.pred_proj as number[][]).flat());
      const wantLogits = (c.logits as number[][]).flat();
      // Each row of enc_t is its own frame here: a fake (B, D) encoder output.
      const dec = model.decoderFor({ data: Float32Array.from(encT), frames: B, dim: D });
      const row = new Float64Array(m.vocab.length);
      for (let b = 0; b < B; b++) {
        dec.joint(b, pred, b * J, row);
        row.forEach((v, k) => (jointDiff = Math.max(jointDiff, Math.abs(v - (wantLogits[b * m.vocab.length + k] as number)))));
      }
      expect(L * B * Hd).toBe((c.h0 as number[][][]).flat(2).length);
    }
    console.log(`${kind}: predictor parity max abs diff ${predDiff.toExponential(2)}; TS joint vs step.onnx logits ${jointDiff.toExponential(2)}`);
    expect(predDiff).toBeLessThanOrEqual(s.tolerance.maxAbsDiff);
    expect(jointDiff).toBeLessThanOrEqual(s.tolerance.maxAbsDiff);
    await model.release();
  }, 30_000); // creates its own sessions: seconds on a loaded 2-core machine

  it.each(['ort', 'native'] as const)('should return the golden beam words in the same order with scores within 1e-3 (%s runtime)', async (kind) => {
    const engine = await engineFor(dir as string, { runtime: kind });
    expect(engine.runtime).toBe(kind);
    const g = JSON.parse(readFileSync(goldenBeam, 'utf8')) as { cases: BeamCase[]; tolerance: { scoreAbs: number }; decoding: Record<string, unknown> };
    // the golden decoding's rescoring is the model's own (a decode option only turns it off)
    const { rescore, ...search } = g.decoding;
    expect(engine.manifest.decoding.rescore).toEqual(rescore);
    let worst = 0;
    for (const c of g.cases) {
      // v4: the golden lists are the exporter's; v5's reranker has its own golden lists (rerank.test.ts)
      const r = await engine.decode({ points: c.points, width: num(c.width), height: num(c.height) }, { ...search, rerank: false });
      expect(r.frames, c.id).toBe(num(c.encodedLength));
      // Display forms ("I", "don't") compare as the reference's keys, as the scorer does.
      expect(r.words.map((w) => keyOfDisplay(w.word)), c.id).toEqual(c.words);
      r.words.forEach((w, i) => (worst = Math.max(worst, Math.abs(w.score - (c.scores[i] as number)))));
    }
    console.log(`beam parity (${kind}): ${g.cases.length} traces, words identical, max |score diff| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(g.tolerance.scoreAbs);
    await engine.release();
  }, 60_000);

  it('should rescore the same searched words by their template penalty, and skip it when asked', async () => {
    const spec = engine.manifest.decoding.rescore;
    expect(spec).toBeDefined();
    const cases = (JSON.parse(readFileSync(goldenBeam, 'utf8')) as { cases: BeamCase[] }).cases.slice(0, 4);
    const lc = layoutConstants(validateLayout(JSON.parse(readFileSync(`${dir}${engine.manifest.layout}`, 'utf8'))));
    let reordered = 0;
    for (const c of cases) {
      const trace = { points: c.points, width: num(c.width), height: num(c.height) };
      // top-K = the beam: every word of the final list, so rescoring can only reorder them
      const topK = engine.manifest.decoding.beam;
      const plain = await engine.decode(trace, { topK, rescore: false });
      const rescored = await engine.decode(trace, { topK, rerank: false });
      expect(new Set(rescored.words.map((w) => w.word))).toEqual(new Set(plain.words.map((w) => w.word)));
      expect(rescored.frames).toBe(plain.frames);
      const r = new TraceRescorer(tracePolyline(trace, lc), lc, spec as RescoreSpec);
      const want = plain.words.map((w) => ({ word: w.word, score: w.score - r.penalty(keyOfDisplay(w.word)) }));
      want.sort((a, b) => b.score - a.score || (a.word < b.word ? -1 : 1));
      expect(rescored.words).toEqual(want);
      if (rescored.words.map((w) => w.word).join() !== plain.words.map((w) => w.word).join()) reordered++;
    }
    expect(reordered).toBeGreaterThan(0);
    await expect(engine.decode({ points: [[1, 1, 0], [30, 30, 10]], width: 360, height: 215 }, { rescore: 'yes' as unknown as boolean })).rejects.toThrow('rescore');
  }, 60_000);

  it('should rerank the same searched words by the model\'s forest (swipe-beam-v5), and skip it when asked', async () => {
    const ref = engine.manifest.decoding.rerank;
    expect(ref).toBeDefined();
    const forest = parseRerank(JSON.parse(readFileSync(`${dir}${(ref as RerankRef).file}`, 'utf8')));
    const cases = (JSON.parse(readFileSync(goldenBeam, 'utf8')) as { cases: BeamCase[] }).cases.slice(0, 6);
    const lc = layoutConstants(validateLayout(JSON.parse(readFileSync(`${dir}${engine.manifest.layout}`, 'utf8'))));
    const { prior } = lexiconPriors();
    let differs = 0;
    for (const c of cases) {
      const trace = { points: c.points, width: num(c.width), height: num(c.height) };
      const topK = engine.manifest.decoding.beam;
      const plain = await engine.decode(trace, { topK, rescore: false });
      const reranked = await engine.decode(trace, { topK });
      const linear = await engine.decode(trace, { topK, rerank: false });
      expect(new Set(reranked.words.map((w) => w.word))).toEqual(new Set(plain.words.map((w) => w.word)));
      const cands = plain.words.map((w) => ({ key: keyOfDisplay(w.word), score: w.score, logPrior: prior(keyOfDisplay(w.word)) }));
      const scores = new TraceReranker(tracePolyline(trace, lc), lc, forest).scores(cands);
      const want = plain.words.map((w, i) => ({ word: w.word, score: scores[i] as number }));
      want.sort((a, b) => b.score - a.score || (keyOfDisplay(a.word) < keyOfDisplay(b.word) ? -1 : 1));
      expect(reranked.words).toEqual(want);
      if (reranked.words.map((w) => w.word).join() !== linear.words.map((w) => w.word).join()) differs++;
    }
    expect(differs).toBeGreaterThan(0);
    await expect(engine.decode({ points: [[1, 1, 0], [30, 30, 10]], width: 360, height: 215 }, { rerank: 1 as unknown as boolean })).rejects.toThrow('rerank');
  }, 60_000);

  it('should keep the golden words with the opt-in score margin of 20 nats, with no more predictor calls', async () => {
    const g = JSON.parse(readFileSync(goldenBeam, 'utf8')) as { cases: BeamCase[]; decoding: Record<string, unknown> };
    const { rescore: _modelRescore, ...search } = g.decoding;
    let exact = 0;
    let pruned = 0;
    for (const c of g.cases.slice(0, 4)) {
      const trace = { points: c.points, width: num(c.width), height: num(c.height) };
      const r = await engine.decode(trace, { ...search, scoreMargin: 20, rerank: false });
      expect(r.words.map((w) => keyOfDisplay(w.word)), c.id).toEqual(c.words);
      pruned += r.stepCalls;
      exact += (await engine.decode(trace, { ...search, rerank: false })).stepCalls;
    }
    expect(pruned).toBeLessThanOrEqual(exact);
  }, 60_000);

  it('should give typed errors or a defined result for bad input, never a crash', async () => {
    expect(await errorCodeOf(engine.decode({ points: [], width: 360, height: 215 }))).toBe('empty-trace');
    expect(await errorCodeOf(engine.decode({ points: [[NaN, 1, 2]], width: 360, height: 215 }))).toBe('empty-trace');
    expect(await errorCodeOf(engine.decode({ points: [[1, 1, 0]], width: -1, height: 215 }))).toBe('bad-size');
    expect(await errorCodeOf(engine.decode({ points: [[1, 1, 0]], width: 360, height: 215, layout: 'dvorak' }))).toBe('unknown-layout');
    expect(await errorCodeOf(engine.decode({ points: [[1, 1, 0]], width: 360, height: 215 }, { beam: 0 }))).toBe('bad-options');
    expect(await errorCodeOf(engine.decode(null as never))).toBe('empty-trace');
    // FEATURES.md precedence: bad-size, then bad-layout, then empty-trace.
    expect(await errorCodeOf(engine.decode({ points: [], width: 0, height: 215, layout: { keys: [] } }))).toBe('bad-size');
    expect(await errorCodeOf(engine.decode({ points: [], width: 360, height: 215, layout: { keys: [] } }))).toBe('bad-layout');
    for (const name of ['qwerty', 'qwerty.json']) {
      expect(await errorCodeOf(engine.decode({ points: [[1, 1, 0], [50, 50, 40]], width: 360, height: 215, layout: name }))).toBe('ok');
    }
    const one = await engine.decode({ points: [[100, 50, 0]], width: 360, height: 215 });
    expect(Array.isArray(one.words)).toBe(true);
    const off = await engine.decode({ points: [[-5000, 9000, 0], [7000, -300, 40]], width: 360, height: 215 });
    expect(Array.isArray(off.words)).toBe(true);
    const huge = Array.from({ length: 10000 }, (_, i) => [(i * 37) % 360, (i * 11) % 170, i]);
    const r = await engine.decode({ points: huge, width: 360, height: 215 }, { beam: 4 });
    expect(r.frames).toBeLessThanOrEqual(50);
    const bad = await engine.tryDecode({ points: [], width: 1, height: 1 });
    expect(bad).toMatchObject({ ok: false, code: 'empty-trace' });
  }, 30_000);

  it('should cancel between frames when the signal fires', async () => {
    const ac = new AbortController();
    const trace = { points: Array.from({ length: 150 }, (_, i) => [i * 2, 40 + (i % 30), i * 10]), width: 360, height: 215 };
    const p = engine.decode(trace, {}, ac.signal);
    setTimeout(() => ac.abort(), 5);
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    // The engine is still usable afterwards.
    expect((await engine.decode(trace, { beam: 2 })).frames).toBeGreaterThan(0);
  });

  it('should report missing and corrupt files with typed errors', async () => {
    const manifest = JSON.parse(readFileSync(`${dir}model.json`, 'utf8'));
    const files = fileLoader(dir as string);
    expect(await errorCodeOf(createEngine({ manifest, ort, runtime: 'ort', loadFile: async (n) => (n === manifest.predictor.file ? Promise.reject(new Error('ENOENT')) : files(n)) }))).toBe('model-missing');
    expect(await errorCodeOf(createEngine({ manifest, ort, runtime: 'native', loadFile: async (n) => (n === manifest.native.file ? Promise.reject(new Error('ENOENT')) : files(n)) }))).toBe('model-missing');
    expect(await errorCodeOf(createEngine({ manifest, ort, runtime: 'native', loadFile: async (n) => (n === manifest.native.file ? (await files(n)).subarray(0, 1000) : files(n)) }))).toBe('model-corrupt');
    expect(await errorCodeOf(createEngine({ manifest: { ...manifest, native: undefined }, ort, runtime: 'native', loadFile: files }))).toBe('model-missing');
    expect(await errorCodeOf(createEngine({ manifest, runtime: 'ort', loadFile: files }))).toBe('bad-options');
    expect(await errorCodeOf(createEngine({ manifest, ort, loadFile: async (n) => (n === manifest.joint.file ? (await files(n)).subarray(0, 100) : files(n)) }))).toBe('model-corrupt');
    expect(await errorCodeOf(createEngine({ manifest: { ...manifest, joint: { ...manifest.joint, dim: 7 } }, ort, loadFile: files }))).toBe('model-corrupt');
    expect(await errorCodeOf(createEngine({ manifest, ort, runtime: 'ort', loadFile: async (n) => (n === manifest.encoder.file ? new Uint8Array([1, 2, 3, 4]) : files(n)) }))).toBe('model-corrupt');
    expect(await errorCodeOf(createEngine({ manifest, ort, loadFile: files, lexiconFile: 'bogus.bin' }))).toBe('model-missing');
    expect(await errorCodeOf(createEngine({ manifest, ort, loadFile: async (n) => (n === 'x.bin' ? new Uint8Array(64) : files(n)), lexiconFile: 'x.bin' }))).toBe('lexicon-corrupt');
    expect(await errorCodeOf(createEngine({ manifest: { ...manifest, blankId: 99 }, ort, loadFile: files }))).toBe('model-corrupt');
    // the reranker's forest: missing, not JSON, or not a forest
    const rerankFile = manifest.decoding.rerank.file as string;
    expect(await errorCodeOf(createEngine({ manifest, ort, loadFile: async (n) => (n === rerankFile ? Promise.reject(new Error('ENOENT')) : files(n)) }))).toBe('model-missing');
    for (const bytes of ['{"spec": "swipe-rerank-v1", "trees"', '{"spec": "swipe-rerank-v1", "trees": []}']) {
      expect(await errorCodeOf(createEngine({ manifest, ort, loadFile: async (n) => (n === rerankFile ? new TextEncoder().encode(bytes) : files(n)) }))).toBe('model-corrupt');
    }
    expect(await errorCodeOf(createEngine({ manifest: { ...manifest, decoding: { ...manifest.decoding, rerank: { file: rerankFile, spec: 'swipe-rerank-v9' } } }, ort, loadFile: files }))).toBe('model-corrupt');
    const e = await createEngine({ manifest: { ...manifest, step: { ...manifest.step, hidden: 'x' } }, ort, loadFile: files }).catch((x: unknown) => x);
    expect(String(e)).toContain('step.hidden');
  }, 30_000);

  it('should fail on a missing network file without an unhandled rejection while the other files still load', async () => {
    // the network is made while the other files load; its failure is awaited only after them
    const manifest = JSON.parse(readFileSync(`${dir}model.json`, 'utf8'));
    const files = fileLoader(dir as string);
    const unhandled: unknown[] = [];
    const record = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', record);
    try {
      const slow = async (n: string): Promise<Uint8Array> => {
        if (n === manifest.native.file) throw new Error('ENOENT');
        await new Promise((r) => setTimeout(r, 50));
        return files(n);
      };
      expect(await errorCodeOf(createEngine({ manifest, runtime: 'native', loadFile: slow }))).toBe('model-missing');
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled).toEqual([]);
  });

  it('should release the network it made when a later file turns out corrupt', async () => {
    const manifest = JSON.parse(readFileSync(`${dir}model.json`, 'utf8'));
    const files = fileLoader(dir as string);
    const released = vi.spyOn(OrtNetwork.prototype, 'release');
    try {
      // the joint is parsed after the sessions exist; the lexicon while they are being made
      expect(await errorCodeOf(createEngine({ manifest, ort, runtime: 'ort', loadFile: async (n) => (n === manifest.joint.file ? (await files(n)).subarray(0, 100) : files(n)) }))).toBe('model-corrupt');
      expect(released).toHaveBeenCalledTimes(1);
      expect(await errorCodeOf(createEngine({ manifest, ort, runtime: 'ort', lexiconFile: 'x.bin', loadFile: async (n) => (n === 'x.bin' ? new Uint8Array(64) : files(n)) }))).toBe('lexicon-corrupt');
      await new Promise((r) => setTimeout(r, 0));
      await vi.waitFor(() => expect(released).toHaveBeenCalledTimes(2));
    } finally {
      released.mockRestore();
    }
  }, 30_000);

  it('should fall back to onnxruntime-web where the native runtime cannot run, given one', async () => {
    const manifest = JSON.parse(readFileSync(`${dir}model.json`, 'utf8'));
    const files = fileLoader(dir as string);
    const noSimd = vi.spyOn(NativeNetwork, 'create').mockReturnValue(null);
    try {
      const e = await createEngine({ manifest, ort, runtime: 'native', loadFile: files });
      expect(e.runtime).toBe('ort');
      const c = goldenCase(0);
      expect((await e.decode({ points: c.points, width: num(c.width), height: num(c.height) })).words.length).toBeGreaterThan(0);
      await e.release();
      expect(await errorCodeOf(createEngine({ manifest, runtime: 'native', loadFile: files }))).toBe('model-corrupt');
    } finally {
      noSimd.mockRestore();
    }
    const native = await createEngine({ manifest, runtime: 'native', loadFile: files }); // no ORT needed
    expect(native.runtime).toBe('native');
    await native.release();
  }, 30_000);

  it('should count the work of a decode: predictor time within the search, rows and joint rows', async () => {
    const c = goldenCase(0);
    // without the prefix cache: the shared engine has decoded this trace already
    const engine = await engineFor(dir as string, { prefixCacheEntries: 0 });
    const r = await engine.decode({ points: c.points, width: num(c.width), height: num(c.height) });
    expect(r.timings.predictorMs).toBeGreaterThan(0);
    expect(r.timings.predictorMs).toBeLessThanOrEqual(r.timings.searchMs);
    // every call predicts at least one new prefix; every frame computes the joint at least once
    expect(r.predictorRows).toBeGreaterThanOrEqual(r.stepCalls);
    expect(r.jointRows).toBeGreaterThanOrEqual(r.frames);
    // greedy predicts one prefix per call
    const g = await engine.decode({ points: c.points, width: num(c.width), height: num(c.height) }, { mode: 'greedy' });
    expect(g.predictorRows).toBe(g.stepCalls);
    await engine.release();
  }, 30_000);

  it('should serve predictor outputs of earlier swipes from its prefix cache, with the same words and scores', async () => {
    const cases = (JSON.parse(readFileSync(goldenBeam, 'utf8')) as { cases: BeamCase[] }).cases.slice(0, 3);
    const off = await engineFor(dir as string, { prefixCacheEntries: 0 });
    const on = await engineFor(dir as string);
    try {
      for (const c of cases) {
        const trace = { points: c.points, width: num(c.width), height: num(c.height) };
        const plain = await off.decode(trace);
        const again = await off.decode(trace);
        expect(plain.cachedPrefixes + again.cachedPrefixes, c.id).toBe(0);
        expect(again.predictorRows, c.id).toBe(plain.predictorRows); // nothing kept across swipes when off
        await on.decode(trace);
        const cached = await on.decode(trace); // the same swipe again: every prefix is known
        expect(cached.stepCalls, c.id).toBe(0);
        expect(cached.predictorRows, c.id).toBe(0);
        expect(cached.cachedPrefixes, c.id).toBe(plain.predictorRows);
        expect(cached.words.map((w) => w.word), c.id).toEqual(plain.words.map((w) => w.word));
        cached.words.forEach((w, i) => expect(Math.abs(w.score - (plain.words[i]?.score as number)), c.id).toBeLessThan(1e-4));
      }
    } finally {
      await Promise.all([off.release(), on.release()]);
    }
    await expect(engineFor(dir as string, { prefixCacheEntries: -1 })).rejects.toMatchObject({ code: 'bad-options' });
    await expect(engineFor(dir as string, { jointKernel: 'gpu' as 'wasm' })).rejects.toMatchObject({ code: 'bad-options' });
  }, 60_000);

  it('should give the same words and scores with the joint in WebAssembly or in JavaScript', async () => {
    const cases = (JSON.parse(readFileSync(goldenBeam, 'utf8')) as { cases: BeamCase[] }).cases.slice(0, 4);
    const wasm = await engineFor(dir as string, { jointKernel: 'wasm', prefixCacheEntries: 0 });
    const js = await engineFor(dir as string, { jointKernel: 'js', prefixCacheEntries: 0 });
    try {
      for (const c of cases) {
        const trace = { points: c.points, width: num(c.width), height: num(c.height) };
        const [a, b] = [await wasm.decode(trace), await js.decode(trace)];
        expect(a.words, c.id).toEqual(b.words); // bit-identical: the kernel keeps each sum's order
        expect(a.jointRows, c.id).toBe(b.jointRows);
      }
    } finally {
      await Promise.all([wasm.release(), js.release()]);
    }
  }, 60_000);

  it('should start its first swipe from the prefixes warmup() computed', async () => {
    const c = goldenCase(4);
    const trace = { points: c.points, width: num(c.width), height: num(c.height) };
    const warm = await engineFor(dir as string);
    await warm.warmup();
    const first = await warm.decode(trace);
    await warm.release();
    const off = await engineFor(dir as string, { prefixCacheEntries: 0 });
    const plain = await off.decode(trace);
    await off.release();
    expect(first.cachedPrefixes).toBeGreaterThan(0);
    expect(first.predictorRows).toBeLessThan(plain.predictorRows);
    expect(first.words.map((w) => w.word)).toEqual(plain.words.map((w) => w.word));
  }, 60_000);

  it('should warm the prefixes of up to three letters, growing its default cache to hold them', async () => {
    const c = goldenCase(4);
    const trace = { points: c.points, width: num(c.width), height: num(c.height) };
    const grown = await engineFor(dir as string);
    await grown.warmup();
    const a = await grown.decode(trace);
    await grown.release();
    // a cache given 700 entries stays at 700: the warm-up stops there (about the prefixes of two letters)
    const small = await engineFor(dir as string, { prefixCacheEntries: 700 });
    await small.warmup();
    const b = await small.decode(trace);
    await small.release();
    expect(a.cachedPrefixes).toBeGreaterThan(b.cachedPrefixes ?? 0);
    expect(a.predictorRows).toBeLessThan(b.predictorRows);
    expect(a.words.map((w) => w.word)).toEqual(b.words.map((w) => w.word));
  }, 60_000);

  it.each(['ort', 'native'] as const)('should report where its creation went: files, lexicon and network, within the whole (%s runtime)', async (runtime) => {
    const t0 = performance.now();
    const e = await engineFor(dir as string, { runtime });
    const whole = performance.now() - t0;
    const { filesMs, lexiconMs, sessionsMs } = e.startup;
    for (const ms of [filesMs, lexiconMs, sessionsMs]) expect(ms).toBeGreaterThanOrEqual(0);
    expect(sessionsMs).toBeGreaterThan(0); // two ORT sessions, or packing the weights, are never free
    // the network is made while the other files load, so only these two are sequential
    expect(filesMs + lexiconMs).toBeLessThanOrEqual(whole);
    expect(sessionsMs).toBeLessThanOrEqual(whole);
    await e.release();
  }, 30_000);

  it('should load the INT8 predictor variant when asked, and report an unknown variant as missing', async () => {
    const manifest = JSON.parse(readFileSync(`${dir}model.json`, 'utf8'));
    expect(await errorCodeOf(engineFor(dir as string, { runtime: 'ort', predictorVariant: 'fp16' }))).toBe('model-missing');
    const int8 = manifest.predictor.variants?.int8 as string | undefined;
    if (!int8) return; // an export made with --skip-int8
    const asked: string[] = [];
    const files = fileLoader(dir as string);
    // the ONNX variants are onnxruntime-web's
    const e = await engineFor(dir as string, { runtime: 'ort', predictorVariant: 'int8', loadFile: async (n) => (asked.push(n), files(n)) });
    expect(asked).toContain(int8);
    expect(asked).not.toContain(manifest.predictor.variants.fp32);
    const c = goldenCase(0);
    const r = await e.decode({ points: c.points, width: num(c.width), height: num(c.height) });
    expect(r.words.length).toBeGreaterThan(0);
    await e.release();
  }, 30_000);

  it('should use lexicon.bin for lexicon.tsv only when built from exactly those bytes', async () => {
    const files = fileLoader(dir as string);
    const tsv = await files('lexicon.tsv');
    // A deliberately different 2-word trie, so which one was loaded is visible in lexiconWords.
    const tiny = buildLexicon([{ word: 'ab', logPrior: -1 }, { word: 'cd', logPrior: -2 }]).data;
    const asBin = (source: { length: number; fnv: number }) => serializeLexicon({ ...tiny, source });
    const withBin = (bin: Uint8Array) => engineFor(dir as string, { loadFile: async (n) => (n === 'lexicon.bin' ? bin : files(n)) });
    const matching = await withBin(asBin({ length: tsv.length, fnv: fnv1a(tsv) }));
    expect(matching.lexiconWords).toBe(2);
    await matching.release();
    const stale = await withBin(asBin({ length: tsv.length, fnv: fnv1a(tsv) ^ 1 }));
    expect(stale.lexiconWords).toBeGreaterThan(2);
    await stale.release();
  }, 30_000);

  it('should rank a personal word first after adding it and drop it after removal', async () => {
    const c = goldenCase(0);
    const trace = { points: c.points, width: num(c.width), height: num(c.height) };
    const before = await engine.decode(trace);
    // A word absent from the lexicon, spelled along the decoder's own best path prefix.
    const word = `${(before.words[0]?.word ?? 'a').toLowerCase()}zq`;
    expect(before.words.map((w) => w.word)).not.toContain(word);
    // A big bonus so that the random model's preference cannot hide the effect.
    const e2 = await engineFor(dir as string, { personalParams: { bonus: 60, floorPrior: -14, maxWords: 100 } });
    e2.setPersonalWords([{ word, lastUsed: 1, count: 1 }]);
    const withWord = await e2.decode(trace);
    e2.setPersonalWords([]);
    const after = await e2.decode(trace);
    await e2.release();
    expect(after.words.map((w) => w.word)).toEqual(before.words.map((w) => w.word));
    if (withWord.words[0]?.word !== word) {
      // The random model may never emit "zq"; then the word must at least not break the ranking.
      expect(withWord.words.length).toBeGreaterThan(0);
    } else {
      expect(withWord.words[0]?.word).toBe(word);
    }
  }, 30_000);
});

describe('features of the model layout', () => {
  it.skipIf(!dir)('should use the layout file beside model.json', () => {
    const m = parseManifest(JSON.parse(readFileSync(`${dir}model.json`, 'utf8')));
    expect(existsSync(`${dir}${m.layout}`)).toBe(true);
    const lc = layoutConstants(validateLayout(JSON.parse(readFileSync(`${dir}${m.layout}`, 'utf8'))));
    expect(computeFeatures({ points: [[1, 1, 0]], width: 10, height: 10 }, lc).n).toBe(1);
  });
});

describe('model.json: variants and pre-optimized graphs', () => {
  it.skipIf(!dir)('should read predictor variants and preOptimized, and reject bad ones naming the field', () => {
    const raw = JSON.parse(readFileSync(`${dir}model.json`, 'utf8'));
    const m = parseManifest({ ...raw, predictor: { ...raw.predictor, variants: { fp32: 'p.onnx', int8: 'p8.onnx' }, preOptimized: 'ORT_ENABLE_EXTENDED' } });
    expect(m.predictor.variants).toEqual({ fp32: 'p.onnx', int8: 'p8.onnx' });
    expect(m.predictor.preOptimized).toBe('ORT_ENABLE_EXTENDED');
    const plain = parseManifest({ ...raw, encoder: { ...raw.encoder, preOptimized: undefined }, predictor: { ...raw.predictor, variants: undefined, preOptimized: undefined } });
    expect(plain.encoder.preOptimized).toBeUndefined();
    expect(plain.predictor.variants).toBeUndefined();
    expect(() => parseManifest({ ...raw, predictor: { ...raw.predictor, variants: { int8: 7 } } })).toThrow('predictor.variants.int8');
    expect(() => parseManifest({ ...raw, encoder: { ...raw.encoder, preOptimized: 3 } })).toThrow('encoder.preOptimized');
  });

  it.skipIf(!dir)('should read a stateless predictor context (and none for an LSTM), rejecting a bad one', () => {
    const raw = JSON.parse(readFileSync(`${dir}model.json`, 'utf8'));
    expect(parseManifest({ ...raw, predictor: { ...raw.predictor, context: undefined } }).predictor.context).toBeUndefined();
    expect(parseManifest({ ...raw, predictor: { ...raw.predictor, context: 2 } }).predictor.context).toBe(2);
    // an export with --eval-limit 0 writes metrics: null (docs/model-json.md): no figures, still a model
    expect(parseManifest({ ...raw, metrics: null }).metrics).toBeUndefined();
    expect(() => parseManifest({ ...raw, metrics: 3 })).toThrow('metrics');
    for (const bad of [0, 1.5, '2']) expect(() => parseManifest({ ...raw, predictor: { ...raw.predictor, context: bad } })).toThrow('predictor.context');
  });

  it.skipIf(!dir)('should read the v4 rescoring weights, rejecting bad ones naming the field', () => {
    const raw = JSON.parse(readFileSync(`${dir}model.json`, 'utf8'));
    const d = { ...raw.decoding, rescore: undefined };
    expect(parseManifest({ ...raw, decoding: d }).decoding.rescore).toBeUndefined();
    const rs = { points: 32, loc: 0.5, shape: 16, ends: 1 };
    // a swipe-rescore-v1 block (no letter bonus) reads as letter 0
    expect(parseManifest({ ...raw, decoding: { ...d, rescore: rs } }).decoding.rescore).toEqual({ ...rs, letter: 0 });
    expect(parseManifest({ ...raw, decoding: { ...d, rescore: { ...rs, letter: 0.95 } } }).decoding.rescore).toEqual({ ...rs, letter: 0.95 });
    for (const [field, bad] of [['points', 1], ['points', 4096], ['points', 2.5], ['loc', -1], ['shape', 'x'], ['ends', null], ['letter', -0.5], ['letter', 'x']] as const) {
      expect(() => parseManifest({ ...raw, decoding: { ...d, rescore: { ...rs, [field]: bad } } })).toThrow(`decoding.rescore.${field}`);
    }
    expect(() => parseManifest({ ...raw, decoding: { ...d, rescore: [1, 2, 3] } })).toThrow('decoding.rescore');
  });

  it('should create sessions unoptimized only for graphs the exporter already optimized', () => {
    expect(graphOptimizationFor('ORT_ENABLE_EXTENDED')).toBe('disabled');
    expect(graphOptimizationFor(undefined)).toBe('extended');
  });
});
