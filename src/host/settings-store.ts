/**
 * Settings are defined once, in src/storage/settings.ts (type, defaults, validation, store
 * over a StorageAreaLike). The background answers getSettings/setSettings from that store over
 * `browser.storage.local`; this module only re-exports it for the host code.
 */
export { createSettingsStore, DEFAULT_SETTINGS, validateSettings } from '../storage/settings';
export type { Settings, SettingsStore } from '../storage/settings';
