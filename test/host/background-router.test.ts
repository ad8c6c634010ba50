import { describe, expect, it } from 'vitest';
import { createBackgroundRouter } from '@/src/host/background-router';
import { createSettingsStore, DEFAULT_SETTINGS } from '@/src/host/settings-store';
import { CHANNEL, type RequestEnvelope } from '@/src/messaging/protocol';
import { ok } from '@/src/messaging/result';
import { createMemoryStorageArea } from '@/src/storage/storage-area';

const envelope = (type: RequestEnvelope['type'], payload: unknown) =>
  ({ channel: CHANNEL, id: 'cs-1', type, target: 'background', payload }) as RequestEnvelope;

describe('createBackgroundRouter', () => {
  it('should send engine requests to the host and nothing else', async () => {
    const forwarded: string[] = [];
    const route = createBackgroundRouter({
      settings: createSettingsStore(createMemoryStorageArea()),
      toHost: async (e) => (forwarded.push(e.type), ok('host answered')),
    });
    for (const type of ['decode', 'learnWord', 'status', 'selfTest'] as const) {
      await expect(route(envelope(type, {}))).resolves.toEqual(ok('host answered'));
    }
    await route(envelope('getSettings', {}));
    expect(forwarded).toEqual(['decode', 'learnWord', 'status', 'selfTest']);
  });

  it('should attach the current search settings to every decode', async () => {
    const area = createMemoryStorageArea();
    const store = createSettingsStore(area);
    const seen: unknown[] = [];
    const route = createBackgroundRouter({ settings: store, toHost: async (e) => (seen.push(e.payload), ok(null)) });
    const trace = { points: [[1, 2, 0]], width: 10, height: 10, layout: 'qwerty' };
    await route(envelope('decode', trace));
    await store.save({ beamSize: 4, priorWeight: 2, suggestionCount: 3 });
    await route(envelope('decode', trace));
    await store.save({ beamSize: null }); // back to the model's beam, the user's λ kept
    await route(envelope('decode', trace));
    expect(seen).toEqual([
      // by default beam and λ are the model's own (model.json decoding): none is sent
      { ...trace, options: { suggestionCount: DEFAULT_SETTINGS.suggestionCount } },
      { ...trace, options: { beamSize: 4, priorWeight: 2, suggestionCount: 3 } },
      { ...trace, options: { priorWeight: 2, suggestionCount: 3 } },
    ]);
  });

  it('should answer settings with defaults merged under stored values and persist validated patches', async () => {
    const area = createMemoryStorageArea({ settings: { version: 1, theme: 'dark' } });
    const route = createBackgroundRouter({ settings: createSettingsStore(area), toHost: () => Promise.resolve(ok(null)) });
    await expect(route(envelope('getSettings', {}))).resolves.toEqual(ok({ ...DEFAULT_SETTINGS, theme: 'dark' }));
    await expect(route(envelope('setSettings', { beamSize: 1000 }))).resolves.toEqual(ok({ ...DEFAULT_SETTINGS, theme: 'dark', beamSize: 64 }));
    expect(area.data.get('settings')).toEqual({ version: 2, ...DEFAULT_SETTINGS, theme: 'dark', beamSize: 64 });
  });
});
