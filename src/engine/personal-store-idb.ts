/**
 * IndexedDB-backed PersonalWordStore (idb). No extension API: works in any context with
 * IndexedDB (offscreen document, background page, options page) and in tests with
 * fake-indexeddb. Schema versions and their upgrades live here, as an ordered list.
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import { normalizePersonalWord, parseWordList } from './personal-words';
import type { PersonalWord, PersonalWordStore } from './personal-words';

interface PersonalDB extends DBSchema {
  words: { key: string; value: PersonalWord; indexes: { lastUsed: number } };
}

export const PERSONAL_DB_NAME = 'swipe-personal-words';

/** Migrations in order; index i upgrades from version i to i + 1. */
const MIGRATIONS: ((db: IDBPDatabase<PersonalDB>) => void)[] = [
  (db) => {
    const s = db.createObjectStore('words', { keyPath: 'word' });
    s.createIndex('lastUsed', 'lastUsed');
  },
];

export class IdbPersonalWordStore implements PersonalWordStore {
  private clock = 0;
  private constructor(private readonly db: IDBPDatabase<PersonalDB>) {}

  static async open(name = PERSONAL_DB_NAME): Promise<IdbPersonalWordStore> {
    const db = await openDB<PersonalDB>(name, MIGRATIONS.length, {
      upgrade(d, oldVersion) {
        for (let v = oldVersion; v < MIGRATIONS.length; v++) (MIGRATIONS[v] as (x: IDBPDatabase<PersonalDB>) => void)(d);
      },
    });
    return new IdbPersonalWordStore(db);
  }

  async add(word: string, at?: number): Promise<void> {
    const w = normalizePersonalWord(word);
    if (w === null) return;
    const t = at ?? Math.max(Date.now(), this.clock + 1);
    this.clock = Math.max(this.clock, t);
    const tx = this.db.transaction('words', 'readwrite');
    const prev = await tx.store.get(w);
    await tx.store.put({ word: w, lastUsed: t, count: (prev?.count ?? 0) + 1 });
    await tx.done;
  }
  async remove(word: string): Promise<void> {
    await this.db.delete('words', word.normalize('NFC').trim());
  }
  async list(): Promise<PersonalWord[]> {
    return (await this.db.getAllFromIndex('words', 'lastUsed')).reverse();
  }
  async clear(): Promise<void> {
    await this.db.clear('words');
  }
  async exportText(): Promise<string> {
    return (await this.list()).map((w) => `${w.word}\n`).join('');
  }
  async importText(text: string): Promise<number> {
    const ws = parseWordList(text);
    const base = Math.max(Date.now(), this.clock + 1);
    for (let i = ws.length - 1; i >= 0; i--) await this.add(ws[i] as string, base + (ws.length - 1 - i));
    return ws.length;
  }
  close(): void {
    this.db.close();
  }
}
