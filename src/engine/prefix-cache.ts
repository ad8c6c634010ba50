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

/** The predictor output of one prefix; shared by reference, never mutated. */
export interface PrefixEntry {
  /** pred_proj row (J) */
  pred: Float32Array;
  /** (L, Hd) predictor state after the prefix's last token */
  h1: Float32Array;
  c1: Float32Array;
}

/** Default capacity: 4096 entries of (J + 2·L·Hd) floats, 14.7 MB for swipe-v1 (J 256, Hd 320). */
export const DEFAULT_PREFIX_CACHE_ENTRIES = 4096;

/** Least-recently-used map from prefix to predictor output (a Map keeps insertion order). */
export class PrefixCache {
  private readonly map = new Map<string, PrefixEntry>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`prefix cache capacity ${capacity}: a positive integer`);
  }

  get size(): number {
    return this.map.size;
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
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  clear(): void {
    this.map.clear();
  }
}
