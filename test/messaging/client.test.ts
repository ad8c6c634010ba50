import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, type Send } from '@/src/messaging/client';
import { CHANNEL, type RequestEnvelope, type ResponseEnvelope } from '@/src/messaging/protocol';
import { ok } from '@/src/messaging/result';

const decodePayload = { points: [[1, 2, 0] as [number, number, number]], width: 100, height: 40, layout: 'qwerty' };

/** A transport whose answers the test releases by hand, to control ordering. */
function manualTransport() {
  const sent: RequestEnvelope[] = [];
  const answers = new Map<string, (value: unknown) => void>();
  const send: Send = (envelope) => {
    sent.push(envelope);
    return new Promise((resolve) => answers.set(envelope.id, resolve));
  };
  const reply = (id: string, value: unknown): void => answers.get(id)?.(value);
  return { send, sent, reply };
}

const response = (id: string, value: unknown): ResponseEnvelope => ({ channel: CHANNEL, id, result: ok(value) } as ResponseEnvelope);

describe('createClient', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('should give each request a unique id with the context prefix', async () => {
    const t = manualTransport();
    const client = createClient({ send: t.send, target: 'background', idPrefix: 'cs' });
    void client.request('status', {});
    void client.request('getSettings', {});
    expect(t.sent.map((e) => e.id)).toEqual(['cs-1', 'cs-2']);
    expect(t.sent[0]).toMatchObject({ channel: CHANNEL, type: 'status', target: 'background', payload: {} });
  });

  it('should resolve with the value of the matching response', async () => {
    const t = manualTransport();
    const client = createClient({ send: t.send, target: 'background', idPrefix: 'cs' });
    const pending = client.request('getSettings', {});
    t.reply('cs-1', response('cs-1', { enabled: false, layout: 'qwerty', disabledSites: [] }));
    await expect(pending).resolves.toEqual({ ok: true, value: { enabled: false, layout: 'qwerty', disabledSites: [] } });
  });

  it('should reject a response carrying another request id as an internal error', async () => {
    const t = manualTransport();
    const client = createClient({ send: t.send, target: 'background', idPrefix: 'cs' });
    const pending = client.request('status', {});
    t.reply('cs-1', response('cs-9', {}));
    const result = await pending;
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('internal');
    expect(!result.ok && result.error.message).toContain('cs-9');
  });

  it('should cancel an older pending decode when a newer one is sent', async () => {
    const t = manualTransport();
    const client = createClient({ send: t.send, target: 'background', idPrefix: 'cs' });
    const older = client.request('decode', decodePayload);
    const newer = client.request('decode', decodePayload);
    const olderResult = await older;
    expect(olderResult).toEqual({ ok: false, error: { code: 'cancelled', message: 'decode superseded by newer request cs-2' } });
    t.reply('cs-2', response('cs-2', { words: ['hello'], ms: 3 }));
    await expect(newer).resolves.toEqual({ ok: true, value: { words: ['hello'], ms: 3 } });
    // A late answer to the cancelled request changes nothing.
    t.reply('cs-1', response('cs-1', { words: ['stale'], ms: 1 }));
    await expect(older).resolves.toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });

  it('should not cancel other request types when a decode is sent', async () => {
    const t = manualTransport();
    const client = createClient({ send: t.send, target: 'background', idPrefix: 'cs' });
    const status = client.request('status', {});
    void client.request('decode', decodePayload);
    t.reply('cs-1', response('cs-1', { host: 'offscreen', model: 'ready' }));
    await expect(status).resolves.toEqual({ ok: true, value: { host: 'offscreen', model: 'ready' } });
  });

  it('should resolve with a timeout error value when no answer arrives in time', async () => {
    const t = manualTransport();
    const client = createClient({ send: t.send, target: 'background', idPrefix: 'cs', timeoutMs: { status: 50 } });
    const pending = client.request('status', {});
    await vi.advanceTimersByTimeAsync(49);
    let settled = false;
    void pending.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toEqual({ ok: false, error: { code: 'timeout', message: 'status cs-1: no answer within 50 ms' } });
  });

  it('should turn a failing transport into a host-unavailable value instead of throwing', async () => {
    const client = createClient({
      send: () => Promise.reject(new Error('Could not establish connection. Receiving end does not exist.')),
      target: 'background',
      idPrefix: 'cs',
    });
    await expect(client.request('status', {})).resolves.toEqual({
      ok: false,
      error: { code: 'host-unavailable', message: 'Could not establish connection. Receiving end does not exist.' },
    });
  });

  it('should report an empty answer (no listener responded) as an internal error', async () => {
    const client = createClient({ send: () => Promise.resolve(undefined), target: 'background', idPrefix: 'cs' });
    await expect(client.request('status', {})).resolves.toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('should pass through error values from the receiver unchanged', async () => {
    const t = manualTransport();
    const client = createClient({ send: t.send, target: 'background', idPrefix: 'cs' });
    const pending = client.request('decode', decodePayload);
    t.reply('cs-1', { channel: CHANNEL, id: 'cs-1', result: { ok: false, error: { code: 'not-ready', message: 'no model' } } });
    await expect(pending).resolves.toEqual({ ok: false, error: { code: 'not-ready', message: 'no model' } });
  });
});
