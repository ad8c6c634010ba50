/**
 * Pure key geometry: the full key list for a layer (letter keys exactly as the model's
 * layout, function keys in the space the layout leaves free), hit-testing and pixel rects.
 *
 * All rectangles are fractions of the key area (W x H, origin top-left); the key area is
 * the box the swipe trace is measured in (see gesture.ts), so a rect drawn at
 * `left * W, top * H` is exactly the rect the model was trained on.
 */
import { QWERTY, type Layout } from './layout';

export type Layer = 'letters' | 'symbols';

export type KeyKind =
  /** a letter key of the layout (swipes start only on these) */
  | 'letter'
  /** any other key that types one character (digits, punctuation) */
  | 'char'
  | 'shift'
  | 'backspace'
  | 'space'
  | 'enter'
  /** switches between the letters and the symbols layer */
  | 'layer';

export interface KeyDef {
  /** unique in its layer: the character for letter/char keys, else the kind */
  id: string;
  kind: KeyKind;
  /** what is drawn on the key */
  label: string;
  /** accessible name */
  ariaLabel: string;
  /** the character typed, lower case for letters; absent for function keys */
  char?: string;
  /** rectangle as fractions of the key area, top-left corner */
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface PxRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Symbols drawn on the letter slots of the symbols layer, row by row. */
const SYMBOL_ROWS: readonly string[] = ['1234567890', '@#$%&-+()', '*"\':;!?'];
/** The shift slot of the symbols layer types this. */
const SYMBOL_SHIFT_SLOT = '/';

const CHAR_NAMES: Record<string, string> = {
  '@': 'at sign', '#': 'number sign', $: 'dollar', '%': 'percent', '&': 'ampersand',
  '-': 'hyphen', '+': 'plus', '(': 'left parenthesis', ')': 'right parenthesis',
  '*': 'asterisk', '"': 'quotation mark', "'": 'apostrophe', ':': 'colon', ';': 'semicolon',
  '!': 'exclamation mark', '?': 'question mark', '/': 'slash', ',': 'comma', '.': 'period',
};

function charKey(ch: string, r: Omit<KeyDef, 'id' | 'kind' | 'label' | 'ariaLabel' | 'char'>): KeyDef {
  return { id: ch, kind: 'char', label: ch, ariaLabel: CHAR_NAMES[ch] ?? ch, char: ch, ...r };
}

/** Bottom edge (fraction of H) of the lowest letter row; the function row fills the rest. */
export function letterRowsBottom(layout: Layout = QWERTY): number {
  let bottom = 0;
  for (const k of layout.keys) bottom = Math.max(bottom, k.y + k.height / 2);
  return bottom;
}

/**
 * All keys of a layer. Letter keys (and the symbols that take their slots) use the
 * layout's rectangles exactly. Shift and backspace flank the lowest letter row as on
 * phones; the bottom row is [?123/ABC][,][space][.][enter].
 */
export function buildKeys(layer: Layer, layout: Layout = QWERTY): KeyDef[] {
  const keys: KeyDef[] = [];
  const rows = new Map<number, typeof layout.keys>();
  for (const k of layout.keys) {
    const row = rows.get(k.row) ?? [];
    row.push(k);
    rows.set(k.row, row);
  }
  const rowIds = [...rows.keys()].sort((a, b) => a - b);
  rowIds.forEach((rowId, rowIndex) => {
    const row = (rows.get(rowId) ?? []).slice().sort((a, b) => a.x - b.x);
    const symbols = SYMBOL_ROWS[rowIndex] ?? '';
    row.forEach((k, i) => {
      const rect = { left: k.x - k.width / 2, top: k.y - k.height / 2, width: k.width, height: k.height };
      if (layer === 'letters') {
        keys.push({ id: k.key, kind: 'letter', label: k.key, ariaLabel: k.key, char: k.key, ...rect });
      } else {
        const ch = symbols[i];
        if (ch !== undefined) keys.push(charKey(ch, rect));
      }
    });
  });

  // Shift / backspace beside the lowest letter row.
  const lastRow = (rows.get(rowIds[rowIds.length - 1] ?? 0) ?? []).slice().sort((a, b) => a.x - b.x);
  const first = lastRow[0];
  const last = lastRow[lastRow.length - 1];
  if (first && last) {
    const top = first.y - first.height / 2;
    const height = first.height;
    const leftEdge = first.x - first.width / 2;
    const rightEdge = last.x + last.width / 2;
    if (layer === 'letters') {
      keys.push({ id: 'shift', kind: 'shift', label: '⇧', ariaLabel: 'Shift', left: 0, top, width: leftEdge, height });
    } else {
      keys.push(charKey(SYMBOL_SHIFT_SLOT, { left: 0, top, width: leftEdge, height }));
    }
    keys.push({
      id: 'backspace', kind: 'backspace', label: '⌫', ariaLabel: 'Backspace',
      left: rightEdge, top, width: 1 - rightEdge, height,
    });
  }

  // Bottom row, in the 0.7/3.7 strip that holds no letter key.
  const top = letterRowsBottom(layout);
  const height = 1 - top;
  const kw = layout.key_width;
  const sideW = 1.5 * kw;
  keys.push(
    layer === 'letters'
      ? { id: 'layer', kind: 'layer', label: '?123', ariaLabel: 'Numbers and symbols', left: 0, top, width: sideW, height }
      : { id: 'layer', kind: 'layer', label: 'ABC', ariaLabel: 'Letters', left: 0, top, width: sideW, height },
    charKey(',', { left: sideW, top, width: kw, height }),
    { id: 'space', kind: 'space', label: 'space', ariaLabel: 'Space', left: sideW + kw, top, width: 1 - 2 * (sideW + kw), height },
    charKey('.', { left: 1 - sideW - kw, top, width: kw, height }),
    { id: 'enter', kind: 'enter', label: '⏎', ariaLabel: 'Enter', left: 1 - sideW, top, width: sideW, height },
  );
  return keys;
}

function contains(k: KeyDef, x: number, y: number): boolean {
  return x >= k.left && x < k.left + k.width && y >= k.top && y < k.top + k.height;
}

function distance2(k: KeyDef, x: number, y: number): number {
  const dx = Math.max(k.left - x, 0, x - (k.left + k.width));
  const dy = Math.max(k.top - y, 0, y - (k.top + k.height));
  return dx * dx + dy * dy;
}

/**
 * The key under a point given as fractions of the key area. Points inside the key area
 * but in a gap (e.g. beside the middle letter row) go to the nearest key; points outside
 * the key area (or NaN) hit nothing.
 */
export function hitTest(keys: readonly KeyDef[], x: number, y: number): KeyDef | null {
  if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) return null;
  let best: KeyDef | null = null;
  let bestD = Infinity;
  for (const k of keys) {
    if (contains(k, x, y)) return k;
    const d = distance2(k, x, y);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/** hitTest for a point in key-area pixels. */
export function hitTestPx(keys: readonly KeyDef[], x: number, y: number, size: Size): KeyDef | null {
  if (!(size.width > 0 && size.height > 0)) return null;
  return hitTest(keys, x / size.width, y / size.height);
}

/** A key's rectangle in pixels for a key area of the given size. */
export function keyRectPx(key: KeyDef, size: Size): PxRect {
  return {
    left: key.left * size.width,
    top: key.top * size.height,
    width: key.width * size.width,
    height: key.height * size.height,
  };
}

/** Every key's pixel rectangle, keyed by key id. */
export function keyRectsPx(keys: readonly KeyDef[], size: Size): Map<string, PxRect> {
  return new Map(keys.map((k) => [k.id, keyRectPx(k, size)]));
}

/** Ratio width / height of the layout's key area (10 keys wide, 3.7 key heights tall). */
export function keyAreaAspect(layout: Layout = QWERTY): number {
  return layout.key_height / layout.key_width;
}
