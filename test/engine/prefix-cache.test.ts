import { describe, expect, it } from 'vitest';
import { beamSearch } from '../../src/engine/beam-search';
import { buildLexicon, LexiconTrie } from '../../src/engine/lexicon-trie';
import { DEFAULT_SEARCH } from '../../src/engine/params';
import { PrefixCache, prefixKey, statelessContexts, warmContexts, warmPrefixCache } from '../../src/engine/prefix-cache';
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

  it('should raise its capacity on reserve, never lower it', () => {
    const c = new PrefixCache(2);
    c.reserve(5);
    expect(c.capacity).toBe(5);
    c.reserve(3);
    expect(c.capacity).toBe(5);
    for (const k of ['a', 'b', 'c', 'd', 'e']) c.set(k, entry(1));
    expect(c.size).toBe(5);
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

  it('should grow a small cache to hold every prefix plus spare entries when asked (the engine default)', async () => {
    const warm = async (maxLength: number, cache: PrefixCache) => {
      const dec = toyDecoder(shape, 'hello', 12);
      return warmPrefixCache(cache, { trie: lex, shape, jointDim: dec.jointDim, predict: (x) => dec.predict(x) }, maxLength, 3, 5);
    };
    const three = new PrefixCache(2);
    expect(await warm(3, three)).toBe(11); // the 8 of two letters + hel, wor, yel
    expect(three.size).toBe(11);
    expect(three.capacity).toBe(11 + 5);
    expect(await warm(2, new PrefixCache(2))).toBe(8);
    expect(await warm(0, new PrefixCache(1))).toBe(1);
  });

  it('should stop at the capacity of the cache', async () => {
    const cache = new PrefixCache(3);
    const dec = toyDecoder(shape, 'hello', 12);
    expect(await warmPrefixCache(cache, { trie: lex, shape, jointDim: dec.jointDim, predict: (x) => dec.predict(x) })).toBe(3);
    expect(cache.size).toBe(3);
  });
});

describe('a stateless predictor (model.json predictor.context): prefixes that end alike share an entry', () => {
  it('should key on the last K letters, the whole prefix when shorter or without K', () => {
    expect(prefixKey('both', 2)).toBe('th');
    expect(prefixKey('th', 2)).toBe('th');
    expect(prefixKey('t', 2)).toBe('t');
    expect(prefixKey('', 2)).toBe('');
    expect(prefixKey('both')).toBe('both');
  });

  // Toy stateless decoder (K = 2): h holds the token before the one fed, as id + 1 (0 = none),
  // so its output depends on the last two tokens only, like swipe.model's pred_type "stateless".
  function statelessDecoder(spelled: string, frames: number) {
    const J = 3;
    const dec = {
      calls: 0,
      rows: 0,
      jointDim: J,
      async predict({ tokens, h }: { tokens: Int32Array; h: Float32Array; c: Float32Array }) {
        dec.calls++;
        const B = tokens.length;
        dec.rows += B;
        const pred = new Float32Array(B * J);
        for (let b = 0; b < B; b++) {
          const before = (h[b] ?? 0) - 1; // -1 = none
          for (let j = 0; j < J; j++) pred[b * J + j] = Math.fround(Math.sin((tokens[b] ?? 0) * 1.7 + before * 0.61 + j));
        }
        const h1 = Float32Array.from(tokens, (t) => t + 1);
        return { pred, h: h1, c: new Float32Array(B) };
      },
      joint(frame: number, pred: Float32Array, offset: number, out: Float64Array) {
        const pos = Math.min(spelled.length - 1, Math.floor((frame * spelled.length) / frames));
        const target = TOY_VOCAB.indexOf(spelled[pos] ?? 'a');
        for (let k = 0; k < TOY_VOCAB.length; k++) {
          let z = k === target ? 3 : k === 27 ? 2.5 : 0;
          for (let j = 0; j < J; j++) z += 0.3 * (pred[offset + j] ?? 0) * Math.cos(k * 7.3 + j * 1.9);
          out[k] = Math.fround(z);
        }
        return out;
      },
    };
    return dec;
  }

  it('should give the words and scores of an uncached search, and after a swipe call the predictor no more', async () => {
    const words = ['hello', 'help', 'hell', 'yellow', 'mellow', 'fellow', 'hollow', 'he'];
    const lex = new LexiconTrie(buildLexicon(words.map((word, i) => ({ word, logPrior: -1 - i / 3 }))).data, TOY_VOCAB);
    const shape = { ...toyShape(1, 1), context: 2 };
    const plain = await beamSearch(statelessDecoder('yellow', 14), shape, 14, lex, DEFAULT_SEARCH);
    expect(plain.words.map((w) => w.word)).toContain('yellow');

    const cache = new PrefixCache(100);
    const first = statelessDecoder('yellow', 14);
    const a = await beamSearch(first, shape, 14, lex, DEFAULT_SEARCH, undefined, cache);
    expect(a.words).toEqual(plain.words);
    // 'llo', 'ello', 'yello' ... all end in 'lo': far fewer entries than prefixes
    expect(cache.size).toBeLessThan(first.rows + (a.cachedPrefixes ?? 0));
    expect(cache.get('lo')).toBeDefined();
    expect(cache.get('yello')).toBeUndefined();

    const again = statelessDecoder('mellow', 14);
    const b = await beamSearch(again, shape, 14, lex, DEFAULT_SEARCH, undefined, cache);
    const direct = await beamSearch(statelessDecoder('mellow', 14), shape, 14, lex, DEFAULT_SEARCH);
    expect(b.words).toEqual(direct.words);
    expect(again.rows).toBeLessThan(first.rows); // 'mellow' reuses 'el', 'll', 'lo', 'ow' of 'yellow'
  });

  it('should list every context of the trie with the letters that follow it, inner ones too', () => {
    const lex = new LexiconTrie(buildLexicon(['thing', 'the', 'ink'].map((word, i) => ({ word, logPrior: -1 - i }))).data, TOY_VOCAB);
    const g = statelessContexts(lex, { ...toyShape(1, 1), context: 2 });
    const letters = (k: string) => (g.get(k) ?? []).map((t) => TOY_VOCAB[t]).join('');
    expect([...g.keys()].sort()).toEqual(['', 'he', 'hi', 'i', 'in', 'ng', 'nk', 't', 'th']);
    expect(letters('')).toBe('it');
    expect(letters('th')).toBe('ei');
    expect(letters('in')).toBe('gk'); // 'in' of "ink" (word start) and of "thing" (inside): one context
    expect(letters('hi')).toBe('n');
    expect(g.has('ng')).toBe(true); // only inside a word, never a word's first letters
    expect(letters('ng')).toBe('');
    expect(() => statelessContexts(lex, toyShape(1, 1))).toThrow(RangeError);
  });

  it('should warm every context once so that a search makes no predictor call, with the same words', async () => {
    const words = ['hello', 'help', 'hell', 'yellow', 'mellow', 'fellow', 'hollow', 'he', 'thing', 'sing'];
    const lex = new LexiconTrie(buildLexicon(words.map((word, i) => ({ word, logPrior: -1 - i / 3 }))).data, TOY_VOCAB);
    const shape = { ...toyShape(1, 1), context: 2 };
    const graph = statelessContexts(lex, shape);
    const cache = new PrefixCache(4);
    const warm = statelessDecoder('mellow', 14);
    const n = await warmContexts(cache, { trie: lex, shape, jointDim: warm.jointDim, predict: (x) => warm.predict(x) }, 10, 8);
    expect(n).toBe(graph.size);
    expect(warm.rows).toBe(graph.size); // each context computed once
    expect(cache.capacity).toBe(graph.size + 10);
    expect(cache.size).toBe(graph.size);
    for (const target of ['mellow', 'thing', 'hello']) {
      const dec = statelessDecoder(target, 14);
      const r = await beamSearch(dec, shape, 14, lex, DEFAULT_SEARCH, undefined, cache);
      const direct = await beamSearch(statelessDecoder(target, 14), shape, 14, lex, DEFAULT_SEARCH);
      expect(r.words, target).toEqual(direct.words);
      expect(dec.calls, target).toBe(0);
    }
    // a background fill after warmPrefixCache: only the contexts still missing, a pause after
    // each batch, and an abort stops it between batches
    const pre = new PrefixCache(4);
    const first = statelessDecoder('mellow', 14);
    const warmed = await warmPrefixCache(pre, { trie: lex, shape, jointDim: first.jointDim, predict: (x) => first.predict(x) }, 1, 64, 10);
    expect(warmed).toBeGreaterThan(1);
    const fill = statelessDecoder('mellow', 14);
    let pauses = 0;
    const filled = await warmContexts(pre, { trie: lex, shape, jointDim: fill.jointDim, predict: (x) => fill.predict(x) }, 10, 3, { between: async () => void pauses++ });
    expect(filled).toBe(graph.size - warmed);
    expect(fill.rows).toBe(filled);
    expect(pauses).toBe(fill.calls);
    expect(pre.size).toBe(graph.size);
    const ac = new AbortController();
    const stopped = statelessDecoder('mellow', 14);
    const part = await warmContexts(new PrefixCache(4), { trie: lex, shape, jointDim: stopped.jointDim, predict: (x) => stopped.predict(x) }, 10, 2, {
      between: async () => ac.abort(),
      signal: ac.signal,
    });
    expect(stopped.calls).toBe(1); // the first batch (the empty prefix, a level of its own), then no more
    expect(part).toBe(stopped.rows);
    expect(part).toBeLessThan(graph.size);
    // an LSTM-style shape (no context) has no finite set of contexts
    await expect(warmContexts(new PrefixCache(4), { trie: lex, shape: toyShape(1, 1), jointDim: 3, predict: (x) => warm.predict(x) }, 0)).rejects.toThrow(RangeError);
  });
});
