/**
 * Predictor outputs kept across swipes. A prefix's predictor output depends on its letters only
 * (BEAM_SEARCH.md "Caching": the tokens fed from the zero state), never on a trace, so the
 * engine keeps the most recently used ones from swipe to swipe: the same prefixes ("th", "the",
 * "an", ...) come back in almost every swipe. Keyed by the prefix string, not by trie node,
 * because node ids change when the personal words (a merged trie) do.
 *
 * On the first 2000 dev traces in order (swipe-v1) a swipe needs 103 predictor rows in 23
 * batched calls without it; replaying the prefixes those decodes asked for through an LRU of
 * 2000 / 5000 / 20000 entries leaves 52 / 34 / 16 rows in 18 / 14 / 8 calls. The decode CLI over
 * those 2000 traces: 39.9 -> 30.4 ms a trace with the default 4096, the same words.
 */

import { gatherStates, scatterState } from './step';
import type { StepShape } from './step';
import type { TokenTrie } from './token-trie';

/** The predictor output of one prefix; shared by reference, never mutated. */
export interface PrefixEntry {
  /** pred_proj row (J) */
  pred: Float32Array;
  /** (L, Hd) predictor state after the prefix's last token */
  h1: Float32Array;
  c1: Float32Array;
}

/**
 * The cache key of a prefix (token strings, one character each): the whole prefix, or for a
 * stateless predictor (model.json predictor.context K) its last K letters, because prefixes that
 * end alike have the same predictor output and state: "th", "eth", "both" share one entry.
 */
export function prefixKey(prefix: string, context?: number): string {
  return context === undefined || prefix.length <= context ? prefix : prefix.slice(prefix.length - context);
}

/** Default capacity: 4096 entries of (J + 2·L·Hd) floats, 14.7 MB for swipe-v1 (J 256, Hd 320). */
export const DEFAULT_PREFIX_CACHE_ENTRIES = 4096;

/** Least-recently-used map from prefix to predictor output (a Map keeps insertion order). */
export class PrefixCache {
  private readonly map = new Map<string, PrefixEntry>();
  private cap: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`prefix cache capacity ${capacity}: a positive integer`);
    this.cap = capacity;
  }

  get capacity(): number {
    return this.cap;
  }

  /** Raises the capacity to at least n (never lowers it). */
  reserve(n: number): void {
    if (Number.isInteger(n) && n > this.cap) this.cap = n;
  }

  get size(): number {
    return this.map.size;
  }

  /** The entry without marking it recently used (for a background fill that must not reorder the LRU). */
  peek(prefix: string): PrefixEntry | undefined {
    return this.map.get(prefix);
  }

  get(prefix: string): PrefixEntry | undefined {
    const e = this.map.get(prefix);
    if (e !== undefined) {
      this.map.delete(prefix);
      this.map.set(prefix, e);
    }
    return e;
  }

  set(prefix: string, e: PrefixEntry): void {
    this.map.delete(prefix);
    this.map.set(prefix, e);
    if (this.map.size > this.cap) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  clear(): void {
    this.map.clear();
  }
}

/** One batched predictor call, as the search makes it (Decoder.predict). */
export type PredictFn = (input: { tokens: Int32Array; h: Float32Array; c: Float32Array }) => Promise<{ pred: Float32Array; h: Float32Array; c: Float32Array }>;

/**
 * One batched predictor call for `rows` (token and state before it each) -> one entry per row.
 * `copy`: each pred row its own array (entries that outlive the call's batch, e.g. cached ones;
 * a view would keep the whole batch alive), else views into the call's output.
 */
export async function predictEntries(
  predict: PredictFn,
  rows: readonly { lastToken: number; h: Float32Array; c: Float32Array }[],
  L: number,
  Hd: number,
  J: number,
  copy: boolean,
): Promise<PrefixEntry[]> {
  const nb = rows.length;
  const out = await predict({
    tokens: Int32Array.from(rows, (x) => x.lastToken), // (nb)
    h: gatherStates(rows.map((x) => x.h), L, Hd), // (L, nb, Hd)
    c: gatherStates(rows.map((x) => x.c), L, Hd),
  });
  const entries: PrefixEntry[] = [];
  for (let b = 0; b < nb; b++) {
    entries.push({
      pred: copy ? out.pred.slice(b * J, (b + 1) * J) : out.pred.subarray(b * J, (b + 1) * J),
      h1: scatterState(out.h, b, nb, L, Hd),
      c1: scatterState(out.c, b, nb, L, Hd),
    });
  }
  return entries;
}

/** What warmPrefixCache needs of the trie and the model. */
export interface WarmTarget {
  trie: Pick<TokenTrie, 'root' | 'forEachChild'>;
  shape: StepShape;
  /** J, floats per pred row */
  jointDim: number;
  predict: PredictFn;
}

/**
 * Fills `cache` with the predictor outputs of every prefix of at most `maxLength` letters in the
 * trie (the empty prefix first), level by level, in batches of at most `batch` rows: for the
 * shipped lexicon and 2 letters, ~700 prefixes that a third of all predictor rows ask for
 * (first 2000 dev traces); 3 letters: 4,425. Returns the number of prefixes computed. Meant for
 * the host's start: the first swipes then pay no predictor call for their first letters. Stops
 * at the cache's capacity, unless `spare` is given: then the cache grows to hold every prefix
 * plus `spare` entries for the swipes' own.
 */
export async function warmPrefixCache(cache: PrefixCache, t: WarmTarget, maxLength = 2, batch = 64, spare?: number): Promise<number> {
  const { layers: L, hidden: Hd, vocabSize: V, blankId, startToken, vocab } = t.shape;
  const J = t.jointDim;
  const zeros = new Float32Array(L * Hd);
  type Item = { key: string; node: number; lastToken: number; h: Float32Array; c: Float32Array };
  let level: Item[] = [{ key: '', node: t.trie.root, lastToken: startToken, h: zeros, c: zeros }];
  let computed = 0;
  for (let depth = 0; depth <= maxLength && level.length > 0 && computed < cache.capacity; depth++) {
    if (spare !== undefined) cache.reserve(computed + level.length + spare);
    const next: Item[] = [];
    for (let i = 0; i < level.length && computed < cache.capacity; ) {
      const part = level.slice(i, i + Math.min(batch, cache.capacity - computed)); // never more than it can keep
      i += part.length;
      const entries = await predictEntries(t.predict, part, L, Hd, J, true);
      for (let b = 0; b < part.length; b++) {
        const x = part[b] as Item;
        const e = entries[b] as PrefixEntry;
        cache.set(prefixKey(x.key, t.shape.context), e);
        computed++;
        if (depth < maxLength) {
          t.trie.forEachChild(x.node, (token, child) => {
            if (token !== blankId && token < V) next.push({ key: x.key + (vocab[token] as string), node: child, lastToken: token, h: e.h1, c: e.c1 });
          });
        }
      }
    }
    level = next;
  }
  return computed;
}

/**
 * Every context a stateless predictor (model.json predictor.context K) can be asked for over this
 * trie, with the letters that follow it somewhere: each node's prefixKey (its last K letters, or
 * the whole prefix when shorter, which is then padded by the start token and is a context of its
 * own). One walk over all nodes: contexts that occur only inside words ("ng" of "thing") are
 * found too, which the first levels of the trie alone would miss.
 */
export function statelessContexts(trie: Pick<TokenTrie, 'root' | 'forEachChild'>, shape: StepShape): Map<string, number[]> {
  const K = shape.context;
  if (K === undefined) throw new RangeError('statelessContexts: the predictor keeps a state (no predictor.context)');
  const { vocabSize: V, blankId, vocab } = shape;
  const next = new Map<string, Set<number>>();
  const stack: { node: number; key: string }[] = [{ node: trie.root, key: '' }];
  while (stack.length > 0) {
    const { node, key } = stack.pop() as { node: number; key: string };
    let follow = next.get(key);
    if (follow === undefined) next.set(key, (follow = new Set()));
    const f = follow;
    trie.forEachChild(node, (token, child) => {
      if (token === blankId || token >= V) return;
      f.add(token);
      stack.push({ node: child, key: prefixKey(key + (vocab[token] as string), K) });
    });
  }
  return new Map([...next].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]));
}

/** How a background fill shares the thread: `between` runs after each batch, `signal` stops it. */
export interface FillPace {
  between: () => Promise<void>;
  signal?: AbortSignal;
}

/**
 * warmPrefixCache for a stateless predictor: every context of statelessContexts, each computed
 * once, level by level from the empty prefix (a context's state comes from the entry of any
 * context it follows: a stateless predictor's state is its context). After it a search over the
 * same trie makes no predictor call. Raises the cache's capacity to hold them all plus `spare`
 * (personal words and merged tries bring contexts of their own). Contexts already in the cache
 * (from warmPrefixCache, or from swipes) are not computed again. With `pace` it is a background
 * fill: K = 4 has 33,562 contexts, seconds of predictor calls, so it yields between batches and
 * stops when the signal aborts. Returns the number computed.
 */
export async function warmContexts(cache: PrefixCache, t: WarmTarget, spare: number, batch = 256, pace?: FillPace): Promise<number> {
  const K = t.shape.context;
  const graph = statelessContexts(t.trie, t.shape);
  cache.reserve(graph.size + spare);
  const { layers: L, hidden: Hd, startToken, vocab } = t.shape;
  const zeros = new Float32Array(L * Hd);
  type Item = { key: string; lastToken: number; h: Float32Array; c: Float32Array };
  const seen = new Set<string>(['']);
  let level: Item[] = [{ key: '', lastToken: startToken, h: zeros, c: zeros }];
  let computed = 0;
  while (level.length > 0) {
    const nextLevel: Item[] = [];
    const expand = (x: Item, e: PrefixEntry): void => {
      for (const token of graph.get(x.key) ?? []) {
        const key = prefixKey(x.key + (vocab[token] as string), K);
        if (seen.has(key)) continue;
        seen.add(key);
        nextLevel.push({ key, lastToken: token, h: e.h1, c: e.c1 });
      }
    };
    const missing: Item[] = [];
    for (const x of level) {
      const have = cache.peek(x.key);
      if (have === undefined) missing.push(x);
      else expand(x, have);
    }
    for (let i = 0; i < missing.length; i += batch) {
      if (pace?.signal?.aborted) return computed;
      const part = missing.slice(i, i + batch);
      const entries = await predictEntries(t.predict, part, L, Hd, t.jointDim, true);
      part.forEach((x, b) => {
        const e = entries[b] as PrefixEntry;
        cache.set(x.key, e);
        computed++;
        expand(x, e);
      });
      if (pace) await pace.between();
    }
    level = nextLevel;
  }
  return computed;
}
