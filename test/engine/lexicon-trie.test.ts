import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONTRACTIONS } from '../../src/engine/contractions';
import { buildLexicon, LexiconTrie, parseLexicon, parseLexiconTsv, serializeLexicon } from '../../src/engine/lexicon-trie';
import { errorCode as code } from './error-code';
import { TOY_VOCAB } from './toy-model';

const T = (ch: string) => TOY_VOCAB.indexOf(ch);

function roundTrip(entries: { word: string; logPrior: number }[]): LexiconTrie {
  const { data } = buildLexicon(entries);
  return new LexiconTrie(parseLexicon(serializeLexicon(data)), TOY_VOCAB);
}

describe('lexicon trie', () => {
  const lex = roundTrip([
    { word: 'he', logPrior: -2 },
    { word: 'she', logPrior: -3 },
    { word: 'shell', logPrior: -5.25 },
    { word: 'i', logPrior: -1.5 },
    { word: "don't", logPrior: -4 },
    { word: 'London', logPrior: -7 },
    { word: "we'll", logPrior: -6 },
    { word: 'well', logPrior: -3.5 },
  ]);

  it('should give exact priors for literal words and NaN for prefixes', () => {
    expect(lex.priorOf('he')).toBe(-2);
    expect(lex.priorOf('she')).toBe(-3);
    expect(lex.priorOf('shell')).toBe(-5.25);
    expect(lex.priorOf('shel')).toBeNaN();
    expect(lex.priorOf('x')).toBeNaN();
  });

  it('should store the best prior below each node (lookahead)', () => {
    expect(lex.best(lex.root)).toBe(-1.5);
    expect(lex.best(lex.find('s'))).toBe(-3);
    expect(lex.best(lex.find('shel'))).toBe(-5.25);
    expect(lex.best(lex.find('l'))).toBe(-7);
  });

  it('should walk children by model token id', () => {
    const s = lex.child(lex.root, T('s'));
    expect(s).toBe(lex.find('s'));
    expect(lex.child(s, T('z'))).toBe(-1);
    const kids: string[] = [];
    lex.forEachChild(lex.find('s'), (t) => kids.push(TOY_VOCAB[t] as string));
    expect(kids).toEqual(['h']);
  });

  it('should map case and fold apostrophes only when the apostrophe form wins', () => {
    expect(lex.display('i')).toBe('I');
    expect(lex.display('london')).toBe('London');
    expect(lex.priorOf('dont')).toBe(-4);
    expect(lex.display('dont')).toBe("don't");
    expect(lex.display('well')).toBe('well'); // "well" (-3.5) beats "we'll" (-6)
    expect(lex.priorOf("we'll")).toBe(-6);
  });

  it('should type a bare contraction from an apostrophe-less list with its apostrophe', () => {
    // en-words.tsv and HWS have "dont", "im", never "don't": the bare word is what gets swiped.
    const bare = roundTrip([
      { word: 'dont', logPrior: -4 },
      { word: 'im', logPrior: -4.5 },
      { word: 'cant', logPrior: -5 },
      { word: 'its', logPrior: -3 },
      { word: 'ill', logPrior: -6 },
      { word: 'Youre', logPrior: -7 },
    ]);
    expect(bare.display('dont')).toBe("don't");
    expect(bare.display('im')).toBe("I'm");
    expect(bare.display('cant')).toBe("can't");
    // both spellings are words: left as swiped
    expect(bare.display('its')).toBe('its');
    expect(bare.display('ill')).toBe('ill');
    // a display the source gave wins over the table
    expect(bare.display('youre')).toBe('Youre');
    expect(bare.priorOf('dont')).toBe(-4);
    expect(bare.priorOf("don't")).toBeNaN();
  });

  it('should know the same contractions as the Python lexicon build that adds them', () => {
    const py = readFileSync(new URL('../../training/swipe/contractions.py', import.meta.url), 'utf8');
    const tuple = py.split('CONTRACTIONS: tuple[str, ...] = (')[1]?.split(')')[0] ?? '';
    const listed = [...tuple.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(40);
    expect([...CONTRACTIONS.values()].sort()).toEqual(listed.sort());
  });

  it('should refuse a version-1 file, whose case map has no contraction displays', () => {
    const bytes = serializeLexicon(buildLexicon([{ word: 'dont', logPrior: -1 }]).data);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(4, 1, true);
    expect(code(() => parseLexicon(bytes))).toBe('lexicon-corrupt');
  });

  it('should convert counts to log priors', () => {
    const e = parseLexiconTsv('the\t3\nof\t1\n');
    expect(e[0]?.logPrior).toBe(Math.log(3 / 4));
    expect(parseLexiconTsv('a\t-1.25\n')[0]?.logPrior).toBe(-1.25);
    expect(code(() => parseLexiconTsv('a\tb\n'))).toBe('lexicon-corrupt');
  });

  it('should reject corrupt binaries with lexicon-corrupt', () => {
    const bytes = serializeLexicon(buildLexicon([{ word: 'ab', logPrior: -1 }]).data);
    expect(code(() => parseLexicon(bytes.subarray(0, 10)))).toBe('lexicon-corrupt');
    expect(code(() => parseLexicon(bytes.subarray(0, bytes.length - 1)))).toBe('lexicon-corrupt');
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(code(() => parseLexicon(badMagic))).toBe('lexicon-corrupt');
    const badRange = bytes.slice();
    const N = new DataView(badRange.buffer).getUint32(8, true);
    new DataView(badRange.buffer).setUint32(32 + 16 * N + 4, 0, true); // node 1's children start at 0
    expect(code(() => parseLexicon(badRange))).toBe('lexicon-corrupt');
    // Unaligned input is copied, not rejected.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(new LexiconTrie(parseLexicon(shifted.subarray(1)), TOY_VOCAB).priorOf('ab')).toBe(-1);
  });

  it('should load a 50k-word lexicon in a few milliseconds', () => {
    const entries = Array.from({ length: 60000 }, (_, i) => ({ word: wordOf(i), logPrior: -1 - i / 1000 }));
    const bytes = serializeLexicon(buildLexicon(entries).data);
    const t0 = performance.now();
    const trie = new LexiconTrie(parseLexicon(bytes), TOY_VOCAB);
    const ms = performance.now() - t0;
    console.log(`lexicon load: 60000 words, ${trie.nodeCount} nodes, ${(bytes.length / 1e6).toFixed(2)} MB in ${ms.toFixed(2)} ms`);
    expect(trie.priorOf(wordOf(12345))).toBe(-1 - 12345 / 1000);
    expect(ms).toBeLessThan(100); // target is a few ms; generous bound for a shared CI box
  });
});

function wordOf(i: number): string {
  let s = '';
  let x = i + 1;
  while (x > 0) {
    s += String.fromCharCode(97 + (x % 26));
    x = Math.floor(x / 26);
  }
  return `${s}q`;
}
