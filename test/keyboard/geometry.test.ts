import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildKeys, hitTest, hitTestPx, keyRectPx, keyRectsPx, letterRowsBottom } from '../../src/keyboard/geometry';
import { QWERTY } from '../../src/keyboard/layout';

const SHARED_LAYOUT = '/work/shared/data/layouts/qwerty.json';

describe('layout', () => {
  it.runIf(existsSync(SHARED_LAYOUT))('should match shared/data/layouts/qwerty.json exactly', () => {
    const shared = JSON.parse(readFileSync(SHARED_LAYOUT, 'utf8'));
    expect(QWERTY.keys).toEqual(shared.keys);
    expect(QWERTY.key_width).toBe(shared.key_width);
    expect(QWERTY.key_height).toBe(shared.key_height);
  });
});

describe('buildKeys', () => {
  const letters = buildKeys('letters');

  it('should draw every letter key on exactly its layout rectangle', () => {
    for (const lk of QWERTY.keys) {
      const k = letters.find((d) => d.id === lk.key);
      expect(k, lk.key).toBeDefined();
      expect(k!.kind).toBe('letter');
      expect(k!.left + k!.width / 2).toBeCloseTo(lk.x, 12);
      expect(k!.top + k!.height / 2).toBeCloseTo(lk.y, 12);
      expect(k!.width).toBe(lk.width);
      expect(k!.height).toBe(lk.height);
    }
    expect(letters.filter((k) => k.kind === 'letter')).toHaveLength(26);
  });

  it('should put function keys only where no letter key is', () => {
    const overlap = (a: (typeof letters)[number], b: (typeof letters)[number]) =>
      a.left < b.left + b.width - 1e-9 && b.left < a.left + a.width - 1e-9 &&
      a.top < b.top + b.height - 1e-9 && b.top < a.top + a.height - 1e-9;
    for (const layer of ['letters', 'symbols'] as const) {
      const keys = buildKeys(layer);
      for (const a of keys) for (const b of keys) if (a !== b) expect(overlap(a, b), `${a.id}/${b.id}`).toBe(false);
      for (const k of keys) {
        expect(k.left).toBeGreaterThanOrEqual(-1e-9);
        expect(k.left + k.width).toBeLessThanOrEqual(1 + 1e-9);
        expect(k.top + k.height).toBeLessThanOrEqual(1 + 1e-9);
        expect(k.ariaLabel.length).toBeGreaterThan(0);
      }
    }
  });

  it('should place the bottom row in the strip below the letters', () => {
    expect(letterRowsBottom()).toBeCloseTo(3 / 3.7, 4);
    for (const id of ['layer', ',', 'space', '.', 'enter']) {
      const k = letters.find((d) => d.id === id)!;
      expect(k.top).toBeCloseTo(3 / 3.7, 4);
      expect(k.top + k.height).toBeCloseTo(1, 9);
    }
  });

  it('should give the symbols layer digits on the top row and the same function keys', () => {
    const sym = buildKeys('symbols');
    const q = letters.find((k) => k.id === 'q')!;
    expect(hitTest(sym, q.left + q.width / 2, q.top + q.height / 2)?.char).toBe('1');
    expect(sym.find((k) => k.id === 'layer')?.label).toBe('ABC');
    expect(sym.some((k) => k.kind === 'letter')).toBe(false);
    expect(sym.find((k) => k.id === 'backspace')).toBeDefined();
  });
});

describe('hitTest', () => {
  const keys = buildKeys('letters');

  it('should map every letter centre to its letter', () => {
    for (const lk of QWERTY.keys) expect(hitTest(keys, lk.x, lk.y)?.id).toBe(lk.key);
  });

  it('should map pixel points for a real keyboard size', () => {
    const size = { width: 370, height: 230 };
    for (const lk of QWERTY.keys) {
      expect(hitTestPx(keys, lk.x * size.width + 3, lk.y * size.height - 3, size)?.id).toBe(lk.key);
    }
  });

  it('should find function keys: shift left of z, backspace right of m, space, enter', () => {
    const row2 = 0.675676;
    expect(hitTest(keys, 0.05, row2)?.id).toBe('shift');
    expect(hitTest(keys, 0.95, row2)?.id).toBe('backspace');
    expect(hitTest(keys, 0.5, 0.9)?.id).toBe('space');
    expect(hitTest(keys, 0.05, 0.9)?.id).toBe('layer');
    expect(hitTest(keys, 0.2, 0.9)?.id).toBe(',');
    expect(hitTest(keys, 0.8, 0.9)?.id).toBe('.');
    expect(hitTest(keys, 0.95, 0.9)?.id).toBe('enter');
  });

  it('should send the gaps beside the middle row to the nearest letter', () => {
    expect(hitTest(keys, 0.01, 0.405405)?.id).toBe('a');
    expect(hitTest(keys, 0.99, 0.405405)?.id).toBe('l');
  });

  it('should hit nothing outside the key area or for NaN', () => {
    expect(hitTest(keys, -0.01, 0.5)).toBeNull();
    expect(hitTest(keys, 0.5, 1.2)).toBeNull();
    expect(hitTest(keys, Number.NaN, 0.5)).toBeNull();
    expect(hitTestPx(keys, 10, 10, { width: 0, height: 0 })).toBeNull();
  });

  it('should split neighbours at the shared edge', () => {
    // q spans [0, 0.1), w [0.1, 0.2)
    expect(hitTest(keys, 0.0999, 0.1)?.id).toBe('q');
    expect(hitTest(keys, 0.1, 0.1)?.id).toBe('w');
  });
});

describe('pixel rects', () => {
  it('should scale rects to the keyboard size', () => {
    const keys = buildKeys('letters');
    const size = { width: 400, height: 200 };
    const q = keyRectPx(keys.find((k) => k.id === 'q')!, size);
    expect(q.left).toBeCloseTo(0, 9);
    expect(q.width).toBeCloseTo(40, 9);
    expect(q.height).toBeCloseTo(0.27027 * 200, 9);
    const rects = keyRectsPx(keys, size);
    expect(rects.get('m')!.left).toBeCloseTo(0.75 * 400, 9);
    expect(rects.size).toBe(keys.length);
  });
});
