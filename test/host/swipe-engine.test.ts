import { describe, expect, it } from 'vitest';
import type { Engine } from '@/src/engine/engine';
import { EngineError } from '@/src/engine/errors';
import { MemoryPersonalWordStore } from '@/src/engine/personal-words';
import type { PersonalWord } from '@/src/engine/personal-words';
import { createSwipeEngineHandler, type SwipeEngineDeps } from '@/src/host/swipe-engine';
import { chooseModel } from '@/src/host/model-choice';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const manifest = new TextEncoder().encode('{"name":"fake"}');

/** A fake engine: answers the personal words first, then "hello"; records options. */
function fakeCreate(log: { creates: number; options: unknown[]; personal: string[][]; tierUps?: number }, fail?: () => boolean, tierUp: () => Promise<number> = async () => 0): NonNullable<SwipeEngineDeps['create']> {
  return async () => {
    log.creates++;
    if (fail?.()) throw new EngineError('model-corrupt', 'encoder.onnx is not an ONNX model');
    let personal: readonly PersonalWord[] = [];
    const engine = {
      async tryDecode(trace: { points: unknown[] }, options: unknown, signal?: AbortSignal) {
        log.options.push(options);
        if (signal?.aborted) return { ok: false as const, code: 'cancelled' as const, message: 'cancelled' };
        if (trace.points.length === 0) return { ok: false as const, code: 'empty-trace' as const, message: 'empty-trace: no point' };
        return { ok: true as const, words: [...personal.map((p) => ({ word: p.word, score: 0 })), { word: 'hello', score: -1 }], timings: { featuresMs: 0, encoderMs: 0, searchMs: 0, predictorMs: 0, totalMs: 3 }, frames: 1, stepCalls: 1, predictorRows: 1, jointRows: 1 };
      },
      setPersonalWords(words: readonly PersonalWord[]) {
        personal = words;
        log.personal.push(words.map((w) => w.word));
      },
      async warmup() {},
      tierUp() {
        log.tierUps = (log.tierUps ?? 0) + 1;
        return tierUp();
      },
    };
    return engine as unknown as Engine;
  };
}

const trace = { points: [[1, 2, 0] as [number, number, number]], width: 100, height: 50, layout: 'qwerty' };

describe('createSwipeEngineHandler', () => {
  it('should load the model once, pass settings per decode, and learn words that bias later decodes', async () => {
    const log = { creates: 0, options: [] as unknown[], personal: [] as string[][] };
    const store = new MemoryPersonalWordStore();
    const h = createSwipeEngineHandler({ loadFile: async () => manifest, ort: () => ({}) as never, openStore: async () => store, create: fakeCreate(log) });
    await h.preload();
    expect(h.status()).toEqual({ model: 'ready' });
    const signal = new AbortController().signal;
    expect(await h.decode({ ...trace, options: { beamSize: 8, priorWeight: 2, suggestionCount: 3 } }, signal)).toEqual({ ok: true, value: { words: ['hello'], ms: 3 } });
    expect(log.options[0]).toEqual({ beam: 8, priorWeight: 2, topK: 3 });
    // no beam or λ from the settings: the engine keeps the model's (model.json decoding)
    await h.decode({ ...trace, options: { suggestionCount: 3 } }, signal);
    expect(log.options[1]).toEqual({ topK: 3 });
    expect(await h.learnWord({ word: 'Zyx' })).toEqual({ ok: true, value: { word: 'Zyx' } });
    const r = await h.decode(trace, signal);
    expect(r.ok && r.value.words[0]).toBe('Zyx');
    await h.learnWord({ word: 'Zyx', kind: 'demote' });
    expect(await store.list()).toEqual([]);
    await store.add('Qq');
    h.personalWordsChanged(); // as after an edit on the options page
    const r2 = await h.decode(trace, signal);
    expect(r2.ok && r2.value.words[0]).toBe('Qq');
    expect(log.creates).toBe(1);
  });

  it('should be ready after the warm-up and start the tier-up in the background, without waiting for it', async () => {
    const log = { creates: 0, options: [] as unknown[], personal: [] as string[][], tierUps: 0 };
    const never = () => new Promise<number>(() => undefined); // a tier-up still running
    const h = createSwipeEngineHandler({ loadFile: async () => manifest, ort: () => ({}) as never, openStore: async () => new MemoryPersonalWordStore(), create: fakeCreate(log, undefined, never) });
    await h.preload();
    expect(h.status()).toEqual({ model: 'ready' });
    expect(log.tierUps).toBe(1);
    expect(await h.decode(trace, new AbortController().signal)).toMatchObject({ ok: true });
    // a failed tier-up is only logged: the host keeps decoding
    const failing = { creates: 0, options: [] as unknown[], personal: [] as string[][], tierUps: 0 };
    const h2 = createSwipeEngineHandler({ loadFile: async () => manifest, ort: () => ({}) as never, openStore: async () => new MemoryPersonalWordStore(), create: fakeCreate(failing, undefined, async () => { throw new Error('released'); }) });
    const warn = console.warn;
    const warned: unknown[] = [];
    console.warn = (...a: unknown[]) => void warned.push(a[0]);
    try {
      await h2.preload();
      await new Promise((r) => setTimeout(r, 0));
      expect(await h2.decode(trace, new AbortController().signal)).toMatchObject({ ok: true });
      expect(warned).toContain('SwipeAnywhere: tier-up stopped');
    } finally {
      console.warn = warn;
    }
    // no warm-up asked (tests, benchmarks): no tier-up either
    const cold = { creates: 0, options: [] as unknown[], personal: [] as string[][], tierUps: 0 };
    const h3 = createSwipeEngineHandler({ loadFile: async () => manifest, ort: () => ({}) as never, openStore: async () => new MemoryPersonalWordStore(), create: fakeCreate(cold), warmup: false });
    await h3.preload();
    expect(cold.tierUps).toBe(0);
  });

  it('should answer typed errors: not-ready for a corrupt model (then retry), bad-request for bad input, cancelled', async () => {
    const log = { creates: 0, options: [] as unknown[], personal: [] as string[][] };
    let broken = true;
    const h = createSwipeEngineHandler({ loadFile: async () => manifest, ort: () => ({}) as never, openStore: async () => new MemoryPersonalWordStore(), create: fakeCreate(log, () => broken) });
    const signal = new AbortController().signal;
    const r = await h.decode(trace, signal);
    expect(r).toMatchObject({ ok: false, error: { code: 'not-ready' } });
    expect(!r.ok && r.error.message).toContain('model could not be loaded');
    expect(h.status().model).toBe('error');
    broken = false; // e.g. the file is readable again: the next request loads it
    expect((await h.decode(trace, signal)).ok).toBe(true);
    expect(await h.decode({ ...trace, points: [] }, signal)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const ac = new AbortController();
    ac.abort();
    expect(await h.decode(trace, ac.signal)).toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });

  it('should keep decoding when the personal word store cannot open', async () => {
    const log = { creates: 0, options: [] as unknown[], personal: [] as string[][] };
    const h = createSwipeEngineHandler({ loadFile: async () => manifest, ort: () => ({}) as never, openStore: () => Promise.reject(new Error('IndexedDB broken')), create: fakeCreate(log) });
    expect((await h.decode(trace, new AbortController().signal)).ok).toBe(true);
    expect(await h.learnWord({ word: 'x' })).toMatchObject({ ok: false, error: { code: 'engine-error' } });
  });

  it('should learn a tapped word only when the shipped lexicon lacks it', async () => {
    const log = { creates: 0, options: [] as unknown[], personal: [] as string[][] };
    const model = chooseModel();
    const store = new MemoryPersonalWordStore();
    const h = createSwipeEngineHandler({
      loadFile: async (name) => new Uint8Array(readFileSync(join(model.dir, name))),
      ort: () => ({}) as never,
      openStore: async () => store,
      lexiconFile: model.lexiconFile,
      create: fakeCreate(log),
    });
    await h.learnWord({ word: 'people', kind: 'typed' });
    await h.learnWord({ word: 'Zorblaxian', kind: 'typed' });
    expect((await store.list()).map((w) => w.word)).toEqual(['Zorblaxian']);
  });
});
