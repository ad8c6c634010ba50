import { describe, expect, it } from 'vitest';
import { CHANNEL, type DecodeRequest, type RequestEnvelope, type RequestType } from '@/src/messaging/protocol';
import { err, ok } from '@/src/messaging/result';
import { createNotReadyEngine, type EngineHandler } from '@/src/host/engine-handler';
import { createHostHandler } from '@/src/host/host-handler';

const trace: DecodeRequest = { points: [[0, 0, 0]], width: 300, height: 100, layout: 'qwerty' };
const envelope = <K extends RequestType>(type: K, id: string, payload: unknown) =>
  ({ channel: CHANNEL, id, type, target: 'host', payload }) as RequestEnvelope;

/** An engine whose decodes finish only when the test says so, recording the abort signals. */
function controllableEngine() {
  const signals: AbortSignal[] = [];
  const finishers: Array<() => void> = [];
  const engine: EngineHandler = {
    decode: (_req, signal) => {
      signals.push(signal);
      return new Promise((resolve) => finishers.push(() => resolve(ok({ words: [`w${finishers.length}`], ms: 1 }))));
    },
    learnWord: ({ word }) => Promise.resolve(ok({ word })),
    status: () => ({ model: 'ready' }),
  };
  return { engine, signals, finishers };
}

const hostWith = (engine: EngineHandler) =>
  createHostHandler({
    kind: 'offscreen',
    engine,
    selfTest: () => Promise.resolve(err('engine-error', 'unused')),
    ortVersion: () => '1.30.0',
  });

describe('createHostHandler', () => {
  it('should abort the running decode and answer it cancelled when a newer decode arrives', async () => {
    const { engine, signals, finishers } = controllableEngine();
    const handle = hostWith(engine);
    const first = handle(envelope('decode', 'cs-1', trace));
    const second = handle(envelope('decode', 'cs-2', trace));
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
    await expect(first).resolves.toEqual({ ok: false, error: { code: 'cancelled', message: 'decode cs-1 superseded by cs-2' } });
    finishers[1]?.();
    await expect(second).resolves.toEqual({ ok: true, value: { words: ['w2'], ms: 1 } });
  });

  it('should not abort a decode that already finished', async () => {
    const { engine, signals, finishers } = controllableEngine();
    const handle = hostWith(engine);
    const first = handle(envelope('decode', 'cs-1', trace));
    finishers[0]?.();
    await expect(first).resolves.toMatchObject({ ok: true });
    void handle(envelope('decode', 'cs-2', trace));
    expect(signals[0]?.aborted).toBe(false);
  });

  it('should return an engine that throws as an engine-error value', async () => {
    const engine: EngineHandler = { ...createNotReadyEngine('x'), decode: () => Promise.reject(new Error('shape mismatch')) };
    await expect(hostWith(engine)(envelope('decode', 'cs-1', trace))).resolves.toEqual({
      ok: false,
      error: { code: 'engine-error', message: 'shape mismatch' },
    });
  });

  it('should answer decode and learnWord with not-ready while no model is shipped', async () => {
    const handle = hostWith(createNotReadyEngine('no model yet'));
    await expect(handle(envelope('decode', 'cs-1', trace))).resolves.toEqual({ ok: false, error: { code: 'not-ready', message: 'no model yet' } });
    await expect(handle(envelope('learnWord', 'cs-2', { word: 'hi' }))).resolves.toMatchObject({ ok: false, error: { code: 'not-ready' } });
  });

  it('should report the host kind, model state and ORT version in status', async () => {
    const handle = hostWith(createNotReadyEngine('no model yet'));
    await expect(handle(envelope('status', 'cs-1', {}))).resolves.toEqual({
      ok: true,
      value: { host: 'offscreen', model: 'not-loaded', detail: 'no model yet', ortVersion: '1.30.0' },
    });
  });

  it('should refuse settings requests, which belong to the background', async () => {
    const handle = hostWith(createNotReadyEngine('x'));
    await expect(handle(envelope('getSettings', 'cs-1', {}))).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });
});
