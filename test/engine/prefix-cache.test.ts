import { describe, expect, it } from 'vitest';
import { PrefixCache } from '../../src/engine/prefix-cache';
import type { PrefixEntry } from '../../src/engine/prefix-cache';

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
