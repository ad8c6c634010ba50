import { describe, expect, it } from 'vitest';
import { createHostForwarder } from '@/src/host/forward-to-host';
import { CHANNEL, type RequestEnvelope } from '@/src/messaging/protocol';

const request: RequestEnvelope = { channel: CHANNEL, id: 'cs-1', type: 'status', target: 'background', payload: {} };

describe('createHostForwarder', () => {
  it('should ensure the host exists and readdress the request to it', async () => {
    const calls: string[] = [];
    const forward = createHostForwarder(
      { ensure: async () => void calls.push('ensure') },
      async (envelope) => {
        calls.push(`send ${envelope.target}`);
        return { channel: CHANNEL, id: envelope.id, result: { ok: true, value: 'pong' } };
      },
    );
    await expect(forward(request)).resolves.toEqual({ ok: true, value: 'pong' });
    expect(calls).toEqual(['ensure', 'send host']);
  });

  it('should recreate the host and retry once when the first send finds no receiver', async () => {
    let ensures = 0;
    let sends = 0;
    const forward = createHostForwarder(
      { ensure: async () => void (ensures += 1) },
      async (envelope) => {
        sends += 1;
        if (sends === 1) throw new Error('Receiving end does not exist.');
        return { channel: CHANNEL, id: envelope.id, result: { ok: true, value: 1 } };
      },
    );
    await expect(forward(request)).resolves.toEqual({ ok: true, value: 1 });
    expect({ ensures, sends }).toEqual({ ensures: 2, sends: 2 });
  });

  it('should give up after the retry with a host-unavailable value', async () => {
    const forward = createHostForwarder({ ensure: () => Promise.reject(new Error('offscreen API missing')) }, () => Promise.resolve(null));
    await expect(forward(request)).resolves.toEqual({ ok: false, error: { code: 'host-unavailable', message: 'offscreen API missing' } });
  });
});
