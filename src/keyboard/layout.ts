/**
 * Letter-key geometry the gesture model is trained on. A verbatim copy of
 * shared/data/layouts/qwerty.json (test/keyboard/layout.test.ts checks it still matches).
 * Units: x and width are fractions of the key-area width W, y and height of its height H;
 * (x, y) is the key centre, origin top-left. The bottom 0.7/3.7 of H holds no letter key.
 */

export interface LayoutKey {
  /** the letter, lower case */
  key: string;
  /** 0 = top letter row */
  row: number;
  /** centre, fraction of W */
  x: number;
  /** centre, fraction of H */
  y: number;
  /** fraction of W */
  width: number;
  /** fraction of H */
  height: number;
}

export interface Layout {
  name: string;
  key_width: number;
  key_height: number;
  row_offsets_in_key_widths: number[];
  keys: LayoutKey[];
}

export const QWERTY: Layout = {
  name: 'qwerty-hws',
  key_width: 0.1,
  key_height: 0.27027,
  row_offsets_in_key_widths: [0, 0.5, 1.5],
  keys: [
    { key: 'q', row: 0, x: 0.05, y: 0.135135, width: 0.1, height: 0.27027 },
    { key: 'w', row: 0, x: 0.15, y: 0.135135, width: 0.1, height: 0.27027 },
    { key: 'e', row: 0, x: 0.25, y: 0.135135, width: 0.1, height: 0.27027 },
    { key: 'r', row: 0, x: 0.35, y: 0.135135, width: 0.1, height: 0.27027 },
    { key: 't', row: 0, x: 0.45, y: 0.135135, width: 0.1, height: 0.27027 },
    { key: 'y', row: 0, x: 0.55, y: 0.135135, width: 0.1, height: 0.27027 },
    { key: 'u', row: 0, x: 0.65, y: 0.135135, width: 0.1, height: 0.27027 },
    { key: 'i', row: 0, x: 0.75, y: 0.135135, width: 0.1, height: 0.27027 },
    { key: 'o', row: 0, x: 0.85, y: 0.135135, width: 0.1, height: 0.27027 },
    { key: 'p', row: 0, x: 0.95, y: 0.135135, width: 0.1, height: 0.27027 },
    { key: 'a', row: 1, x: 0.1, y: 0.405405, width: 0.1, height: 0.27027 },
    { key: 's', row: 1, x: 0.2, y: 0.405405, width: 0.1, height: 0.27027 },
    { key: 'd', row: 1, x: 0.3, y: 0.405405, width: 0.1, height: 0.27027 },
    { key: 'f', row: 1, x: 0.4, y: 0.405405, width: 0.1, height: 0.27027 },
    { key: 'g', row: 1, x: 0.5, y: 0.405405, width: 0.1, height: 0.27027 },
    { key: 'h', row: 1, x: 0.6, y: 0.405405, width: 0.1, height: 0.27027 },
    { key: 'j', row: 1, x: 0.7, y: 0.405405, width: 0.1, height: 0.27027 },
    { key: 'k', row: 1, x: 0.8, y: 0.405405, width: 0.1, height: 0.27027 },
    { key: 'l', row: 1, x: 0.9, y: 0.405405, width: 0.1, height: 0.27027 },
    { key: 'z', row: 2, x: 0.2, y: 0.675676, width: 0.1, height: 0.27027 },
    { key: 'x', row: 2, x: 0.3, y: 0.675676, width: 0.1, height: 0.27027 },
    { key: 'c', row: 2, x: 0.4, y: 0.675676, width: 0.1, height: 0.27027 },
    { key: 'v', row: 2, x: 0.5, y: 0.675676, width: 0.1, height: 0.27027 },
    { key: 'b', row: 2, x: 0.6, y: 0.675676, width: 0.1, height: 0.27027 },
    { key: 'n', row: 2, x: 0.7, y: 0.675676, width: 0.1, height: 0.27027 },
    { key: 'm', row: 2, x: 0.8, y: 0.675676, width: 0.1, height: 0.27027 },
  ],
};
