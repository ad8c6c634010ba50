/**
 * Settings, defined once and kept in extension storage (local: nothing syncs off the device).
 * The background answers getSettings/setSettings from here for every other context.
 */
import type { Settings } from '../messaging/protocol';

export const DEFAULT_SETTINGS: Settings = {
  enabled: true,
  layout: 'qwerty',
  disabledSites: [],
};

/** The storage slice needed (WXT's storage item in the extension, a Map in tests). */
export interface SettingsBackend {
  getValue(): Promise<Partial<Settings> | null>;
  setValue(value: Settings): Promise<void>;
}

export interface SettingsStore {
  get(): Promise<Settings>;
  set(patch: Partial<Settings>): Promise<Settings>;
}

export function createSettingsStore(backend: SettingsBackend): SettingsStore {
  // Stored values are merged over the defaults so a setting added later gets its default.
  const get = async (): Promise<Settings> => ({ ...DEFAULT_SETTINGS, ...(await backend.getValue()) });
  return {
    get,
    async set(patch) {
      const next = { ...(await get()), ...patch };
      await backend.setValue(next);
      return next;
    },
  };
}
