import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { beamSearch } from '../../src/engine/beam-search';
import { EngineError } from '../../src/engine/errors';
import { computeFeatures } from '../../src/engine/features';
import { greedySearch } from '../../src/engine/greedy';
import { layoutConstants, validateLayout } from '../../src/engine/layout';
import { buildLexicon, LexiconTrie, parseLexicon, serializeLexicon } from '../../src/engine/lexicon-trie';
import { DEFAULT_SEARCH } from '../../src/engine/params';
import { TOY_VOCAB, toyDecoder, toyShape } from './toy-model';

const LC = layoutConstants(validateLayout(JSON.parse(readFileSync(new URL('../../../shared/data/layouts/qwerty.json', import.meta.url), 'utf8'))));
const lex = new LexiconTrie(
  buildLexicon(['the', 'they', 'then', 'hello', 'world', 'i', 'a', "don't", 'quiz'].map((word, i) => ({ word, logPrior: -1 - i }))).data,
  TOY_VOCAB,
);

/** Small deterministic PRNG (mulberry32) so a failure reproduces from its seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WILD = [NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 5e-324];

function randomTrace(r: () => number): { points: unknown[]; width: unknown; height: unknown } {
  const n = Math.floor(r() ** 3 * 3000);
  const pick = (scale: number): unknown => (r() < 0.03 ? WILD[Math.floor(r() * WILD.length)] : r() < 0.01 ? 'x' : (r() * 1.6 - 0.3) * scale);
  const W = r() < 0.05 ? WILD[Math.floor(r() * WILD.length)] : 50 + r() * 1000;
  const H = r() < 0.05 ? -3 : 30 + r() * 500;
  const points = Array.from({ length: n }, (_, i) => (r() < 0.01 ? null : [pick(400), pick(250), r() < 0.02 ? pick(1) : i * 16 - r() * 40]));
  return { points, width: W, height: H };
}

describe('fuzz', () => {
  it('should only ever throw EngineError and always terminate on thousands of random traces', async () => {
    const r = rng(1234);
    const shape = toyShape();
    let ok = 0;
    const codes = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const tr = randomTrace(r);
      try {
        const f = computeFeatures(tr as never, LC);
        expect(f.n).toBeGreaterThanOrEqual(1);
        expect(f.n).toBeLessThanOrEqual(200);
        for (const v of f.data) if (!Number.isFinite(v)) throw new Error(`non-finite feature in trace ${i}`);
        const frames = Math.ceil(f.n / 4);
        const search = i % 10 === 0 ? beamSearch : greedySearch;
        const res = await search(toyDecoder(shape, 'hello', frames), shape, frames, lex, { ...DEFAULT_SEARCH, beam: 4 });
        for (const w of res.words) expect(lex.priorOfWord(w.word)).not.toBeNaN();
        ok++;
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
    }
    expect(ok).toBeGreaterThan(2000);
    expect([...codes.keys()].every((c) => ['empty-trace', 'bad-size'].includes(c))).toBe(true);
  }, 30_000);

  it('should reject every corrupted lexicon binary with lexicon-corrupt or load it safely', () => {
    const bytes = serializeLexicon(lex.data);
    const r = rng(99);
    for (let i = 0; i < 500; i++) {
      const b = bytes.slice(0, r() < 0.2 ? Math.floor(r() * bytes.length) : bytes.length);
      for (let k = 0; k < 3; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      try {
        const t = new LexiconTrie(parseLexicon(b), TOY_VOCAB);
        // A structurally valid trie: every walk stays in range and ends.
        const stack = [t.root];
        let seen = 0;
        while (stack.length && seen < 10000) {
          const n = stack.pop() as number;
          seen++;
          t.forEachChild(n, (_, c) => stack.push(c));
        }
        expect(seen).toBeLessThan(10000);
      } catch (e) {
        if (!(e instanceof EngineError) || e.code !== 'lexicon-corrupt') throw e;
      }
    }
  });
});
