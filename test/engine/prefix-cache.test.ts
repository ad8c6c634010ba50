import { describe, expect, it } from 'vitest';
import { beamSearch } from '../../src/engine/beam-search';
import { buildLexicon, LexiconTrie } from '../../src/engine/lexicon-trie';
import { DEFAULT_SEARCH } from '../../src/engine/params';
import { PrefixCache, warmPrefixCache } from '../../src/engine/prefix-cache';
import type { PrefixEntry } from '../../src/engine/prefix-cache';
import { TOY_VOCAB, toyDecoder, toyShape } from './toy-model';

const entry = (v: number): PrefixEntry => ({ pred: Float32Array.of(v), h1: Float32Array.of(v), c1: Float32Array.of(v) });

describe('PrefixCache (predictor outputs across swipes, least recently used out first)', () => {
  it('should keep at most its capacity, dropping the least recently used', () => {
    const c = new PrefixCache(3);
    for (const [i, k] of ['a', 'b', 'c'].entries()) c.set(k, entry(i));
    expect(c.get('a')?.pred[0]).toBe(0); // 'a' is now the most recent: 'b' is the oldest
    c.set('d', entry(3));
    expect(c.size).toBe(3);
    expect(c.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => c.get(k)?.pred[0])).toEqual([0, 2, 3]);
  });

  it('should replace an entry set again without growing, and empty on clear', () => {
    const c = new PrefixCache(2);
    c.set('th', entry(1));
    c.set('th', entry(2));
    expect(c.size).toBe(1);
    expect(c.get('th')?.pred[0]).toBe(2);
    c.clear();
    expect(c.size).toBe(0);
  });

  it('should refuse a capacity that is not a positive integer', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => new PrefixCache(n)).toThrow(RangeError);
  });
});

describe('warmPrefixCache (every prefix of up to N letters, at the host start)', () => {
  const words = ['hello', 'help', 'he', 'world', 'word', 'a', 'yellow'];
  const lex = new LexiconTrie(buildLexicon(words.map((word, i) => ({ word, logPrior: -1 - i / 2 }))).data, TOY_VOCAB);
  const shape = toyShape(4, 2);

  it('should compute each prefix of at most two letters once, in batches, as the search would', async () => {
    const cache = new PrefixCache(100);
    const dec = toyDecoder(shape, 'hello', 12);
    const n = await warmPrefixCache(cache, { trie: lex, shape, jointDim: dec.jointDim, predict: (x) => dec.predict(x) }, 2, 3);
    // '', h, w, a, y, he, wo, ye
    expect(n).toBe(8);
    expect(cache.size).toBe(8);
    expect(dec.calls).toBe(1 + 2 + 1); // levels of 1, 4 (two batches of <= 3) and 3 prefixes
    for (const k of ['', 'h', 'he', 'wo', 'ye']) expect(cache.get(k), k).toBeDefined();
    expect(cache.get('hel')).toBeUndefined();

    // A search from the warmed cache: the same words and scores as one without it, fewer calls.
    const plainDec = toyDecoder(shape, 'hello', 12);
    const plain = await beamSearch(plainDec, shape, 12, lex, DEFAULT_SEARCH);
    const warmDec = toyDecoder(shape, 'hello', 12);
    const warm = await beamSearch(warmDec, shape, 12, lex, DEFAULT_SEARCH, undefined, cache);
    expect(warm.words).toEqual(plain.words);
    expect(warm.cachedPrefixes).toBeGreaterThan(0);
    expect(warmDec.calls).toBeLessThan(plainDec.calls);
  });

  it('should stop at the capacity of the cache', async () => {
    const cache = new PrefixCache(3);
    const dec = toyDecoder(shape, 'hello', 12);
    expect(await warmPrefixCache(cache, { trie: lex, shape, jointDim: dec.jointDim, predict: (x) => dec.predict(x) })).toBe(3);
    expect(cache.size).toBe(3);
  });
});
