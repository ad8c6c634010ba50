/**
 * The slice of `browser.storage.local` that settings need, injected so tests and the demo
 * page use `createMemoryStorageArea()` and the extension passes `browser.storage.local`.
 */
export interface StorageChange {
  oldValue?: unknown;
  newValue?: unknown;
}

export type StorageChangeListener = (changes: Record<string, StorageChange>) => void;

export interface StorageAreaLike {
  get(keys: string | string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  onChanged: {
    addListener(cb: StorageChangeListener): void;
    removeListener(cb: StorageChangeListener): void;
  };
}

/** In-memory StorageAreaLike with the same structured-clone and change semantics. */
export function createMemoryStorageArea(initial: Record<string, unknown> = {}): StorageAreaLike & {
  data: Map<string, unknown>;
} {
  const data = new Map<string, unknown>(Object.entries(initial).map(([k, v]) => [k, structuredClone(v)]));
  const listeners = new Set<StorageChangeListener>();
  return {
    data,
    async get(keys) {
      const out: Record<string, unknown> = {};
      for (const k of typeof keys === 'string' ? [keys] : keys) {
        if (data.has(k)) out[k] = structuredClone(data.get(k));
      }
      return out;
    },
    async set(items) {
      const changes: Record<string, StorageChange> = {};
      for (const [k, v] of Object.entries(items)) {
        changes[k] = { oldValue: data.get(k), newValue: structuredClone(v) };
        data.set(k, structuredClone(v));
      }
      // like the browser, listeners run after the write resolves
      queueMicrotask(() => listeners.forEach((cb) => cb(structuredClone(changes))));
    },
    onChanged: {
      addListener: (cb) => void listeners.add(cb),
      removeListener: (cb) => void listeners.delete(cb),
    },
  };
}
