/**
 * Personal words: the words the user accepted (most recent N), decodable even when the lexicon
 * lacks them, and preferred when it has them. They form a small trie rebuilt on change and
 * merged with the lexicon at search time (MergedTrie). A personal word's prior is
 * max(lexicon prior, floorPrior) + bonus (params.ts).
 *
 * Storage sits behind `PersonalWordStore`: the extension backs it with IndexedDB
 * (personal-store-idb.ts), tests and the CLI with `MemoryPersonalWordStore`.
 */
import { buildLexicon, LexiconTrie, DEFAULT_ALPHABET } from './lexicon-trie';
import type { LexiconEntry } from './lexicon-trie';
import { DEFAULT_PERSONAL } from './params';
import type { PersonalParams } from './params';
import type { TokenTrie } from './token-trie';

export interface PersonalWord {
  /** as the user accepted it (display form, e.g. "McDonald") */
  word: string;
  /** last time accepted, ms since epoch: the recency order */
  lastUsed: number;
  /** times accepted */
  count: number;
}

export interface PersonalWordStore {
  /** records an acceptance (creates or refreshes the word) */
  add(word: string, at?: number): Promise<void>;
  remove(word: string): Promise<void>;
  /** most recent first */
  list(): Promise<PersonalWord[]>;
  clear(): Promise<void>;
  /** one word per line, most recent first */
  exportText(): Promise<string>;
  /** adds every non-empty line; returns how many were added */
  importText(text: string): Promise<number>;
}

/** Trims and refuses what a person cannot mean as one word (whitespace inside, control chars). */
export function normalizePersonalWord(word: string): string | null {
  const w = word.normalize('NFC').trim();
  if (w.length === 0 || w.length > 48 || /[\s\p{Cc}]/u.test(w)) return null;
  return w;
}

export function parseWordList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => normalizePersonalWord(l))
    .filter((w): w is string => w !== null);
}

/** What every store shares: the recency clock and the text form of the list. */
export abstract class RecencyWordStore implements PersonalWordStore {
  private clock = 0;

  abstract add(word: string, at?: number): Promise<void>;
  abstract remove(word: string): Promise<void>;
  abstract list(): Promise<PersonalWord[]>;
  abstract clear(): Promise<void>;

  /** Strictly increasing default timestamps keep the recency order stable within one ms. */
  protected stamp(at?: number): number {
    const t = at ?? Math.max(Date.now(), this.clock + 1);
    this.clock = Math.max(this.clock, t);
    return t;
  }
  async exportText(): Promise<string> {
    return (await this.list()).map((w) => `${w.word}\n`).join('');
  }
  async importText(text: string): Promise<number> {
    const ws = parseWordList(text);
    // Imported text is most-recent-first: give the first line the newest time.
    const base = Math.max(Date.now(), this.clock + 1);
    for (let i = ws.length - 1; i >= 0; i--) await this.add(ws[i] as string, base + (ws.length - 1 - i));
    return ws.length;
  }
}

export class MemoryPersonalWordStore extends RecencyWordStore {
  private readonly words = new Map<string, PersonalWord>();

  async add(word: string, at?: number): Promise<void> {
    const w = normalizePersonalWord(word);
    if (w === null) return;
    const t = this.stamp(at);
    const prev = this.words.get(w);
    this.words.set(w, { word: w, lastUsed: t, count: (prev?.count ?? 0) + 1 });
  }
  async remove(word: string): Promise<void> {
    this.words.delete(word.normalize('NFC').trim());
  }
  async list(): Promise<PersonalWord[]> {
    return [...this.words.values()].sort((a, b) => b.lastUsed - a.lastUsed);
  }
  async clear(): Promise<void> {
    this.words.clear();
  }
}

/**
 * Builds the personal trie over model tokens. Words whose lowercase form has characters outside
 * the alphabet cannot be swiped and are left out (reported in `skipped`).
 */
export function buildPersonalTrie(
  words: readonly PersonalWord[],
  lexicon: LexiconTrie | null,
  vocab: readonly string[],
  params: PersonalParams = DEFAULT_PERSONAL,
  alphabet = lexicon?.data.alphabet ?? DEFAULT_ALPHABET,
): { trie: TokenTrie; skipped: string[] } {
  const recent = [...words].sort((a, b) => b.lastUsed - a.lastUsed).slice(0, params.maxWords);
  const entries: LexiconEntry[] = recent.map((w) => {
    const lp = lexicon ? lexicon.priorOfWord(w.word) : NaN;
    const base = Number.isNaN(lp) ? params.floorPrior : Math.max(lp, params.floorPrior);
    return { word: w.word, logPrior: base + params.bonus };
  });
  const { data, stats } = buildLexicon(entries, alphabet);
  return { trie: new LexiconTrie(data, vocab), skipped: stats.skipped };
}
