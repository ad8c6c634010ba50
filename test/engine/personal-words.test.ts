import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { beamSearch } from '../../src/engine/beam-search';
import { buildLexicon, LexiconTrie } from '../../src/engine/lexicon-trie';
import { DEFAULT_PERSONAL, DEFAULT_SEARCH } from '../../src/engine/params';
import { buildPersonalTrie, MemoryPersonalWordStore } from '../../src/engine/personal-words';
import type { PersonalWordStore } from '../../src/engine/personal-words';
import { IdbPersonalWordStore } from '../../src/engine/personal-store-idb';
import { MergedTrie } from '../../src/engine/token-trie';
import type { TokenTrie } from '../../src/engine/token-trie';
import { TOY_VOCAB, toyDecoder, toyShape } from './toy-model';

const lex = new LexiconTrie(
  buildLexicon([
    { word: 'zoo', logPrior: -3 },
    { word: 'hello', logPrior: -3 },
    { word: 'hell', logPrior: -9 },
  ]).data,
  TOY_VOCAB,
);
const shape = toyShape();

async function top(store: PersonalWordStore, spelled: string, frames = 24, sharp = 6): Promise<string[]> {
  const words = await store.list();
  const trie: TokenTrie = words.length ? new MergedTrie(lex, buildPersonalTrie(words, lex, TOY_VOCAB).trie) : lex;
  return (await beamSearch(toyDecoder(shape, spelled, frames, sharp), shape, frames, trie, DEFAULT_SEARCH)).words.map((w) => w.word);
}

for (const [name, open] of [
  ['memory', async () => new MemoryPersonalWordStore()],
  ['idb (fake-indexeddb)', async () => IdbPersonalWordStore.open(`test-${Math.random()}`)],
] as const) {
  describe(`personal words, ${name} store`, () => {
    it('should decode a personal word after adding it and not after removing it', async () => {
      const store = await open();
      expect(await top(store, 'kiwi')).not.toContain('kiwi');
      await store.add('kiwi');
      expect((await top(store, 'kiwi'))[0]).toBe('kiwi');
      await store.remove('kiwi');
      expect(await top(store, 'kiwi')).not.toContain('kiwi');
    });

    it('should give a lexicon word the bonus and keep its display form', async () => {
      const store = await open();
      // An ambiguous trace between "hell" and "hello": the prior decides for "hello"...
      const before = await top(store, 'hell', 24, 1.5);
      expect(before.indexOf('hello')).toBeLessThan(before.indexOf('hell') < 0 ? 99 : before.indexOf('hell'));
      await store.add('Hell');
      const after = await top(store, 'hell', 24, 1.5);
      expect(after[0]).toBe('Hell'); // ...until the user's own word gets the bonus
    });

    it('should list most recent first, export and import text, and clear', async () => {
      const store = await open();
      await store.add('alpha', 1);
      await store.add('beta', 2);
      await store.add('alpha', 3);
      await store.add('  ', 4); // ignored
      const l = await store.list();
      expect(l.map((w) => w.word)).toEqual(['alpha', 'beta']);
      expect(l[0]?.count).toBe(2);
      expect(await store.exportText()).toBe('alpha\nbeta\n');
      await store.clear();
      expect(await store.list()).toEqual([]);
      expect(await store.importText('gamma\n\ndelta\r\nhas space\n')).toBe(2);
      expect((await store.list()).map((w) => w.word)).toEqual(['gamma', 'delta']);
    });
  });
}

describe('personal trie', () => {
  it('should keep only the most recent N words and price them max(lexicon, floor) + bonus', () => {
    const words = Array.from({ length: 10 }, (_, i) => ({ word: `w${'abcdefghij'[i]}`, lastUsed: i, count: 1 }));
    const { trie } = buildPersonalTrie([...words, { word: 'zoo', lastUsed: 100, count: 1 }], lex, TOY_VOCAB, { ...DEFAULT_PERSONAL, maxWords: 3 });
    const t = trie as LexiconTrie;
    expect(t.priorOf('zoo')).toBe(-3 + DEFAULT_PERSONAL.bonus);
    expect(t.priorOf('wj')).toBe(DEFAULT_PERSONAL.floorPrior + DEFAULT_PERSONAL.bonus);
    expect(t.priorOf('wa')).toBeNaN(); // too old
  });

  it('should price an accepted contraction ("don\'t", "I\'m") by its bare lexicon word', () => {
    const bare = new LexiconTrie(buildLexicon([{ word: 'dont', logPrior: -4 }, { word: 'im', logPrior: -5 }]).data, TOY_VOCAB);
    expect(bare.display('dont')).toBe("don't");
    expect(bare.priorOfWord("don't")).toBe(-4);
    expect(bare.priorOfWord("I'm")).toBe(-5);
    const accepted = [{ word: "don't", lastUsed: 2, count: 1 }, { word: "I'm", lastUsed: 1, count: 1 }];
    const t = buildPersonalTrie(accepted, bare, TOY_VOCAB).trie as LexiconTrie;
    // swiped by its letters, typed with its apostrophe, with the lexicon's prior + bonus
    expect(t.priorOf('dont')).toBe(-4 + DEFAULT_PERSONAL.bonus);
    expect(t.display('dont')).toBe("don't");
    expect(t.priorOf('im')).toBe(-5 + DEFAULT_PERSONAL.bonus);
    expect(t.display('im')).toBe("I'm");
  });
});
