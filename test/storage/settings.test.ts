import { describe, expect, it, vi } from 'vitest';
import {
  createSettingsStore,
  DEFAULT_SETTINGS,
  isSiteEnabled,
  SETTINGS_KEY,
  sitePatch,
  siteKey,
  validateSettings,
} from '../../src/storage/settings';
import { createMemoryStorageArea, type StorageAreaLike } from '../../src/storage/storage-area';

describe('validateSettings', () => {
  it('should return defaults for missing or garbage input', () => {
    for (const raw of [undefined, null, 42, 'x', [], {}, { version: 'nope' }]) {
      expect(validateSettings(raw)).toEqual(DEFAULT_SETTINGS);
    }
  });

  it('should keep valid values', () => {
    const s = validateSettings({
      lexicon: 'en-large',
      beamSize: 32,
      priorWeight: 0.5,
      suggestionCount: 3,
      layout: 'qwerty',
      keyboardHeight: 300,
      theme: 'dark',
      sites: { 'example.com': false },
      enabledByDefault: false,
    });
    expect(s).toEqual({
      lexicon: 'en-large',
      beamSize: 32,
      priorWeight: 0.5,
      suggestionCount: 3,
      layout: 'qwerty',
      keyboardHeight: 300,
      theme: 'dark',
      sites: { 'example.com': false },
      enabledByDefault: false,
    });
  });

  it('should clamp numbers to their ranges and round integers', () => {
    const s = validateSettings({ beamSize: 1000, priorWeight: -3, suggestionCount: 2.6, keyboardHeight: 10 });
    expect(s.beamSize).toBe(64);
    expect(s.priorWeight).toBe(0);
    expect(s.suggestionCount).toBe(3);
    expect(s.keyboardHeight).toBe(120);
    expect(validateSettings({ beamSize: '8' }).beamSize).toBe(8);
  });

  it('should fall back field by field on bad values', () => {
    const s = validateSettings({
      beamSize: Number.NaN,
      priorWeight: Infinity,
      theme: 'purple',
      layout: 'dvorak',
      lexicon: '../../etc/passwd',
      enabledByDefault: 'yes',
      sites: ['example.com'],
      suggestionCount: 5,
    });
    expect(s).toEqual({ ...DEFAULT_SETTINGS, suggestionCount: 5 });
  });

  it('should drop bad site entries and normalise hostnames', () => {
    const s = validateSettings({ sites: { 'Example.COM.': true, 'bad host!': true, 'a.org': 'no', 'b.org': false } });
    expect(s.sites).toEqual({ 'example.com': true, 'b.org': false });
  });

  it('should not share the defaults object', () => {
    const s = validateSettings(undefined);
    s.sites['x.com'] = true;
    expect(DEFAULT_SETTINGS.sites).toEqual({});
  });
});

describe('sites', () => {
  it('should key sites by host', () => {
    expect(siteKey('https://Mail.Example.com/inbox?x=1')).toBe('mail.example.com');
    expect(siteKey('localhost:8080')).toBe('localhost:8080');
    expect(siteKey('not a host')).toBeNull();
  });

  it('should follow the per-site choice, else the default', () => {
    const s = validateSettings({ sites: { 'a.com': false, 'b.com': true }, enabledByDefault: true });
    expect(isSiteEnabled(s, 'https://a.com/x')).toBe(false);
    expect(isSiteEnabled(s, 'b.com')).toBe(true);
    expect(isSiteEnabled(s, 'c.com')).toBe(true);
    expect(isSiteEnabled({ ...s, enabledByDefault: false }, 'c.com')).toBe(false);
    expect(sitePatch(s, 'https://c.com', false)).toEqual({ sites: { 'a.com': false, 'b.com': true, 'c.com': false } });
    expect(sitePatch(s, 'a.com', null)).toEqual({ sites: { 'b.com': true } });
  });
});

describe('createSettingsStore', () => {
  it('should load defaults from an empty store', async () => {
    const store = createSettingsStore(createMemoryStorageArea());
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
  });

  it('should save a patch, validated, and load it back', async () => {
    const area = createMemoryStorageArea();
    const store = createSettingsStore(area);
    const saved = await store.save({ theme: 'light', beamSize: 999 });
    expect(saved.theme).toBe('light');
    expect(saved.beamSize).toBe(64);
    expect(await store.load()).toEqual(saved);
    expect(area.data.get(SETTINGS_KEY)).toMatchObject({ version: 2, theme: 'light' });
  });

  it("should default beam and λ to the model's own, and keep null, a number or a cleared input", () => {
    expect(DEFAULT_SETTINGS.beamSize).toBeNull();
    expect(DEFAULT_SETTINGS.priorWeight).toBeNull();
    expect(validateSettings({ version: 2, beamSize: null, priorWeight: 0.3 })).toMatchObject({ beamSize: null, priorWeight: 0.3 });
    expect(validateSettings({ version: 2, beamSize: '', priorWeight: 'x' })).toMatchObject({ beamSize: null, priorWeight: null });
  });

  it('should migrate version 1, whose seed defaults overrode the model, to the model default', () => {
    // version 1 wrote beam 16 and λ 0.5 for everyone: those become the model's own
    expect(validateSettings({ version: 1, beamSize: 16, priorWeight: 0.5, theme: 'dark' })).toMatchObject({ beamSize: null, priorWeight: null, theme: 'dark' });
    // a value the user chose stays
    expect(validateSettings({ version: 1, beamSize: 24, priorWeight: 1.5 })).toMatchObject({ beamSize: 24, priorWeight: 1.5 });
    expect(validateSettings({ version: 2, beamSize: 16, priorWeight: 0.5 })).toMatchObject({ beamSize: 16, priorWeight: 0.5 });
  });

  it('should not lose fields between two quick saves', async () => {
    const store = createSettingsStore(createMemoryStorageArea());
    await Promise.all([store.save({ theme: 'dark' }), store.save({ keyboardHeight: 280 })]);
    const s = await store.load();
    expect(s.theme).toBe('dark');
    expect(s.keyboardHeight).toBe(280);
  });

  it('should recover from a corrupt stored value', async () => {
    const area = createMemoryStorageArea({ [SETTINGS_KEY]: { theme: 7, beamSize: 'lots', keyboardHeight: 250 } });
    const s = await createSettingsStore(area).load();
    expect(s).toEqual({ ...DEFAULT_SETTINGS, keyboardHeight: 250 });
  });

  it('should return defaults when the storage area fails to read', async () => {
    const area: StorageAreaLike = {
      get: () => Promise.reject(new Error('quota')),
      set: () => Promise.resolve(),
      onChanged: { addListener() {}, removeListener() {} },
    };
    expect(await createSettingsStore(area).load()).toEqual(DEFAULT_SETTINGS);
  });

  it('should notify subscribers with validated settings until unsubscribed', async () => {
    const area = createMemoryStorageArea();
    const store = createSettingsStore(area);
    const seen = vi.fn();
    const off = store.subscribe(seen);
    await store.save({ theme: 'dark' });
    await Promise.resolve();
    expect(seen).toHaveBeenCalledTimes(1);
    expect(seen.mock.calls[0]![0]).toMatchObject({ theme: 'dark', beamSize: DEFAULT_SETTINGS.beamSize });
    await area.set({ [SETTINGS_KEY]: 'garbage', other: 1 });
    await Promise.resolve();
    expect(seen).toHaveBeenLastCalledWith(DEFAULT_SETTINGS);
    off();
    await store.save({ theme: 'light' });
    await Promise.resolve();
    expect(seen).toHaveBeenCalledTimes(2);
  });

  it('should reset to defaults', async () => {
    const store = createSettingsStore(createMemoryStorageArea());
    await store.save({ theme: 'dark', sites: { 'a.com': false } });
    expect(await store.reset()).toEqual(DEFAULT_SETTINGS);
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
  });
});
