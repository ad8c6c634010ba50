/**
 * IndexedDB-backed PersonalWordStore (idb). No extension API: works in any context with
 * IndexedDB (offscreen document, background page, options page) and in tests with
 * fake-indexeddb. Schema versions and their upgrades live here, as an ordered list.
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import { normalizePersonalWord, RecencyWordStore } from './personal-words';
import type { PersonalWord } from './personal-words';

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

export class IdbPersonalWordStore extends RecencyWordStore {
  private constructor(private readonly db: IDBPDatabase<PersonalDB>) {
    super();
  }

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
    const t = this.stamp(at);
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
  close(): void {
    this.db.close();
  }
}
