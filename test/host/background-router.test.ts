import { describe, expect, it } from 'vitest';
import { createBackgroundRouter } from '@/src/host/background-router';
import { createSettingsStore, DEFAULT_SETTINGS, type SettingsBackend } from '@/src/host/settings-store';
import { CHANNEL, type RequestEnvelope, type Settings } from '@/src/messaging/protocol';
import { ok } from '@/src/messaging/result';

function memoryBackend(initial: Partial<Settings> | null = null): SettingsBackend & { stored: Partial<Settings> | null } {
  const backend = {
    stored: initial,
    getValue: () => Promise.resolve(backend.stored),
    setValue: (value: Settings) => Promise.resolve(void (backend.stored = value)),
  };
  return backend;
}

const envelope = (type: RequestEnvelope['type'], payload: unknown) =>
  ({ channel: CHANNEL, id: 'cs-1', type, target: 'background', payload }) as RequestEnvelope;

describe('createBackgroundRouter', () => {
  it('should send engine requests to the host and nothing else', async () => {
    const forwarded: string[] = [];
    const route = createBackgroundRouter({
      settings: createSettingsStore(memoryBackend()),
      toHost: async (e) => (forwarded.push(e.type), ok('host answered')),
    });
    for (const type of ['decode', 'learnWord', 'status', 'selfTest'] as const) {
      await expect(route(envelope(type, {}))).resolves.toEqual(ok('host answered'));
    }
    await route(envelope('getSettings', {}));
    expect(forwarded).toEqual(['decode', 'learnWord', 'status', 'selfTest']);
  });

  it('should answer settings with defaults merged under stored values and persist patches', async () => {
    const backend = memoryBackend({ layout: 'azerty' });
    const route = createBackgroundRouter({ settings: createSettingsStore(backend), toHost: () => Promise.resolve(ok(null)) });
    await expect(route(envelope('getSettings', {}))).resolves.toEqual(ok({ ...DEFAULT_SETTINGS, layout: 'azerty' }));
    await expect(route(envelope('setSettings', { enabled: false }))).resolves.toEqual(
      ok({ ...DEFAULT_SETTINGS, layout: 'azerty', enabled: false }),
    );
    expect(backend.stored).toEqual({ ...DEFAULT_SETTINGS, layout: 'azerty', enabled: false });
  });
});
