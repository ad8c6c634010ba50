import { describe, expect, it } from 'vitest';
import { CHANNEL } from '@/src/messaging/protocol';
import { ok } from '@/src/messaging/result';
import { answer } from '@/src/messaging/serve';

const status = (target: string) => ({ channel: CHANNEL, id: 'x-1', type: 'status', target, payload: {} });

describe('answer', () => {
  it('should echo the request id with the handler result', async () => {
    const response = await answer(status('host'), 'host', () => Promise.resolve(ok('fine')));
    expect(response).toEqual({ channel: CHANNEL, id: 'x-1', result: { ok: true, value: 'fine' } });
  });

  it('should turn a throwing handler into an internal error value', async () => {
    const response = await answer(status('host'), 'host', () => Promise.reject(new Error('kaput')));
    expect(response.result).toEqual({ ok: false, error: { code: 'internal', message: 'kaput' } });
  });

  it('should refuse a request addressed to another context without calling the handler', async () => {
    let called = false;
    const response = await answer(status('background'), 'host', () => {
      called = true;
      return Promise.resolve(ok(null));
    });
    expect(called).toBe(false);
    expect(response.result).toEqual({ ok: false, error: { code: 'bad-request', message: 'status is addressed to background, not host' } });
  });

  it('should answer garbage with a bad-request value and an empty id', async () => {
    const response = await answer('hello', 'host', () => Promise.resolve(ok(null)));
    expect(response).toEqual({ channel: CHANNEL, id: '', result: { ok: false, error: { code: 'bad-request', message: `not a ${CHANNEL} message` } } });
  });
});
