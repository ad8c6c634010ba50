/**
 * User settings, defined once: type, defaults, validation and persistence.
 *
 * Stored as one object under `SETTINGS_KEY` in an injected StorageAreaLike
 * (`browser.storage.local` in the extension). Whatever is stored, `validateSettings` turns it
 * into a complete, in-range Settings: bad fields fall back to their defaults or are clamped,
 * so a corrupt store never breaks the keyboard.
 */
import type { StorageAreaLike, StorageChangeListener } from './storage-area';

export type Theme = 'light' | 'dark' | 'system';
export const THEMES: readonly Theme[] = ['light', 'dark', 'system'];
export type LayoutId = 'qwerty';
export const LAYOUTS: readonly LayoutId[] = ['qwerty'];

export interface Settings {
  /** id of the lexicon (word list + prior) the engine decodes against */
  lexicon: string;
  /** beam width of the final (on release) search; null: the model's own (model.json decoding.beam) */
  beamSize: number | null;
  /** weight of the word-frequency prior in the final score; null: the model's own (decoding.priorWeight, tuned on dev) */
  priorWeight: number | null;
  /** candidates shown in the suggestion bar */
  suggestionCount: number;
  /** keyboard layout; the model is trained on one geometry per layout */
  layout: LayoutId;
  /** height of the key area in CSS pixels (suggestion bar and handle come on top) */
  keyboardHeight: number;
  theme: Theme;
  /** per-site choice, by hostname; sites not listed follow `enabledByDefault` */
  sites: Record<string, boolean>;
  /** whether the keyboard is offered on sites the user has not decided on */
  enabledByDefault: boolean;
}

export const SETTINGS_KEY = 'settings';
export const SETTINGS_VERSION = 2;

/** Numeric settings whose null means "the model's own value" (model.json `decoding`). */
export const MODEL_DEFAULT_KEYS = ['beamSize', 'priorWeight'] as const;
export type ModelDefaultKey = (typeof MODEL_DEFAULT_KEYS)[number];
export const isModelDefaultKey = (key: string): key is ModelDefaultKey => (MODEL_DEFAULT_KEYS as readonly string[]).includes(key);

// beamSize / priorWeight: null = the shipped model's decoding settings, tuned on dev with it
// (model.json `decoding`); a number is the user's own choice. suggestionCount follows the
// engine's top-K (4).
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  lexicon: 'en',
  beamSize: null,
  priorWeight: null,
  suggestionCount: 4,
  layout: 'qwerty',
  keyboardHeight: 240,
  theme: 'system',
  sites: Object.freeze({}) as Record<string, boolean>,
  enabledByDefault: true,
});

/** Allowed ranges, for validation and for the options page's inputs. */
export const LIMITS = {
  beamSize: { min: 1, max: 64, integer: true },
  priorWeight: { min: 0, max: 5, integer: false },
  suggestionCount: { min: 1, max: 8, integer: true },
  keyboardHeight: { min: 120, max: 600, integer: true },
  maxSites: 5000,
} as const;

type Validator<T> = (v: unknown) => T | undefined;

function num(limit: { min: number; max: number; integer: boolean }): Validator<number> {
  return (v) => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
    const clamped = Math.min(limit.max, Math.max(limit.min, n));
    return limit.integer ? Math.round(clamped) : clamped;
  };
}

function oneOf<T extends string>(values: readonly T[]): Validator<T> {
  return (v) => (typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : undefined);
}

const bool: Validator<boolean> = (v) => (typeof v === 'boolean' ? v : undefined);

/** null (or an empty string from a cleared input) = the model's own value; else as `inner`. */
const orModel = (inner: Validator<number>): Validator<number | null> => (v) => (v === null || v === '' ? null : inner(v));

/** A hostname as used for the per-site map: lower case, no scheme, path or trailing dot. */
export function siteKey(urlOrHost: string): string | null {
  let host = urlOrHost.trim().toLowerCase();
  if (host.includes('://')) {
    try {
      host = new URL(host).host;
    } catch {
      return null;
    }
  }
  host = host.replace(/\.$/, '');
  return /^[a-z0-9]([a-z0-9.-]{0,252})(:\d{1,5})?$/.test(host) || /^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(host)
    ? host
    : null;
}

const sites: Validator<Record<string, boolean>> = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, boolean> = {};
  let count = 0;
  for (const [k, enabled] of Object.entries(v as Record<string, unknown>)) {
    const key = siteKey(k);
    if (key === null || typeof enabled !== 'boolean') continue;
    if (count++ >= LIMITS.maxSites) break;
    out[key] = enabled;
  }
  return out;
};

const lexicon: Validator<string> = (v) =>
  typeof v === 'string' && /^[a-z0-9][a-z0-9._-]{0,63}$/i.test(v) ? v : undefined;

const VALIDATORS: { [K in keyof Settings]: Validator<Settings[K]> } = {
  lexicon,
  beamSize: orModel(num(LIMITS.beamSize)),
  priorWeight: orModel(num(LIMITS.priorWeight)),
  suggestionCount: num(LIMITS.suggestionCount),
  layout: oneOf(LAYOUTS),
  keyboardHeight: num(LIMITS.keyboardHeight),
  theme: oneOf(THEMES),
  sites,
  enabledByDefault: bool,
};

/** Ordered upgrades of the stored object: MIGRATIONS[i] turns version i+1 into i+2. */
const MIGRATIONS: ReadonlyArray<(old: Record<string, unknown>) => Record<string, unknown>> = [
  // 1 -> 2: version 1 stored the engine's seed defaults (beam 16, λ 0.5) for everyone, which
  // overrode the model's tuned decoding (λ 0.25): those values become "the model's own"; a value
  // the user chose stays.
  (old) => ({ ...old, beamSize: old.beamSize === 16 ? null : old.beamSize, priorWeight: old.priorWeight === 0.5 ? null : old.priorWeight }),
];

/** Any value → complete, valid Settings. Never throws. */
export function validateSettings(raw: unknown): Settings {
  let obj: Record<string, unknown> = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...(raw as object) } : {};
  const version = typeof obj.version === 'number' ? obj.version : SETTINGS_VERSION;
  for (let v = Math.max(1, version); v < SETTINGS_VERSION; v++) {
    const migrate = MIGRATIONS[v - 1];
    if (migrate) {
      try {
        obj = migrate(obj);
      } catch {
        obj = {};
      }
    }
  }
  const out = { ...DEFAULT_SETTINGS, sites: { ...DEFAULT_SETTINGS.sites } } as Settings;
  for (const key of Object.keys(VALIDATORS) as Array<keyof Settings>) {
    let value: unknown;
    try {
      value = VALIDATORS[key](obj[key]);
    } catch {
      value = undefined;
    }
    if (value !== undefined) (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** Whether the keyboard is offered on `host` (see siteKey). */
export function isSiteEnabled(settings: Settings, urlOrHost: string): boolean {
  const key = siteKey(urlOrHost);
  if (key === null) return settings.enabledByDefault;
  return settings.sites[key] ?? settings.enabledByDefault;
}

/** The patch that records a per-site choice (`null` forgets it). */
export function sitePatch(settings: Settings, urlOrHost: string, enabled: boolean | null): Partial<Settings> {
  const key = siteKey(urlOrHost);
  if (key === null) return {};
  const next = { ...settings.sites };
  if (enabled === null) delete next[key];
  else next[key] = enabled;
  return { sites: next };
}

export interface SettingsStore {
  /** current settings; defaults if nothing (or garbage, or an unreadable store) is there */
  load(): Promise<Settings>;
  /** merge, validate, write; resolves to what was stored */
  save(patch: Partial<Settings>): Promise<Settings>;
  /** back to defaults */
  reset(): Promise<Settings>;
  /** called with the new settings whenever they change in any context; returns unsubscribe */
  subscribe(cb: (settings: Settings) => void): () => void;
}

export function createSettingsStore(area: StorageAreaLike, key = SETTINGS_KEY): SettingsStore {
  // writes are serialised so two quick saves cannot lose each other's fields
  let queue: Promise<unknown> = Promise.resolve();

  const load = async (): Promise<Settings> => {
    try {
      const got = await area.get(key);
      return validateSettings(got[key]);
    } catch {
      return validateSettings(undefined);
    }
  };

  const write = (next: (current: Settings) => Settings): Promise<Settings> => {
    const run = queue.then(async () => {
      const settings = validateSettings(next(await load()));
      await area.set({ [key]: { version: SETTINGS_VERSION, ...settings } });
      return settings;
    });
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    load,
    save: (patch) => write((current) => ({ ...current, ...patch })),
    reset: () => write(() => ({ ...DEFAULT_SETTINGS })),
    subscribe(cb) {
      const listener: StorageChangeListener = (changes) => {
        const change = changes[key];
        if (change) cb(validateSettings(change.newValue));
      };
      area.onChanged.addListener(listener);
      return () => area.onChanged.removeListener(listener);
    },
  };
}
