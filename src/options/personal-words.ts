/**
 * The options page's access to personal words. Decision: the options page is an extension page
 * of the same origin as the engine host, so it opens the SAME IndexedDB database directly
 * (the engine's IdbPersonalWordStore: list, search, add, delete, import, export, clear) and then
 * posts on the PERSONAL_WORDS_CHANNEL BroadcastChannel; the engine host reloads its personal
 * trie before its next decode. (Bulk import of thousands of words would be slow as messages.)
 */
import type { PersonalWord, PersonalWordStore } from '../engine/personal-words';
import { normalizePersonalWord } from '../engine/personal-words';
import { PERSONAL_WORDS_CHANNEL } from '../host/swipe-engine';

export interface PersonalWordsApi {
  list(): Promise<PersonalWord[]>;
  add(word: string): Promise<boolean>;
  remove(word: string): Promise<void>;
  clear(): Promise<void>;
  exportText(): Promise<string>;
  importText(text: string): Promise<number>;
}

export function createPersonalWordsApi(store: Promise<PersonalWordStore>, notify: () => void = broadcastChange): PersonalWordsApi {
  const changed = async <T>(p: Promise<T>): Promise<T> => {
    const v = await p;
    notify();
    return v;
  };
  return {
    list: async () => (await store).list(),
    async add(word) {
      if (normalizePersonalWord(word) === null) return false;
      await changed((await store).add(word));
      return true;
    },
    remove: async (word) => changed((await store).remove(word)),
    clear: async () => changed((await store).clear()),
    exportText: async () => (await store).exportText(),
    importText: async (text) => changed((await store).importText(text)),
  };
}

export function broadcastChange(): void {
  if (typeof BroadcastChannel !== 'function') return;
  const ch = new BroadcastChannel(PERSONAL_WORDS_CHANNEL);
  ch.postMessage('changed');
  ch.close();
}

/** Calls `cb` whenever personal words change in another extension context. */
export function onPersonalWordsChanged(cb: () => void): () => void {
  if (typeof BroadcastChannel !== 'function') return () => undefined;
  const ch = new BroadcastChannel(PERSONAL_WORDS_CHANNEL);
  ch.onmessage = () => cb();
  return () => ch.close();
}

/** Case-insensitive substring filter for the list's search box. */
export function filterWords(words: readonly PersonalWord[], query: string): PersonalWord[] {
  const q = query.trim().toLowerCase();
  return q ? words.filter((w) => w.word.toLowerCase().includes(q)) : [...words];
}
