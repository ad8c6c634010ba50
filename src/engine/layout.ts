/**
 * Keyboard key geometry (shared/data/layouts/*.json) and its validation. Positions and sizes are
 * fractions of the keyboard width/height, (x, y) the key centre (FEATURES.md "Inputs").
 */
import { EngineError } from './errors';

export interface LayoutKey {
  /** the character the key types, e.g. "q" */
  key: string;
  /** centre x, fraction of keyboard width */
  x: number;
  /** centre y, fraction of keyboard height */
  y: number;
  /** fraction of keyboard width */
  width: number;
  /** fraction of keyboard height */
  height: number;
  row?: number;
}

export interface Layout {
  name?: string;
  keys: LayoutKey[];
}

/** The 27 proximity tokens of FEATURES.md, in feature order (index 8 + k). */
export const PROX_TOKENS = "abcdefghijklmnopqrstuvwxyz'";

const LETTER = /^[a-z]$/;

/** Constants FEATURES.md derives from a layout once (step 4 and the prox table). */
export interface LayoutConstants {
  /** mean letter-key width */
  kw: number;
  /** mean letter-key height */
  kh: number;
  /** per PROX_TOKENS index: the key, or null when the layout has none (prox = 0) */
  prox: (LayoutKey | null)[];
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Checks shape and numbers; throws bad-layout naming the first bad field. */
export function validateLayout(raw: unknown): Layout {
  if (typeof raw !== 'object' || raw === null) throw new EngineError('bad-layout', 'layout is not an object');
  const keys = (raw as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new EngineError('bad-layout', 'layout.keys is not an array');
  const out: LayoutKey[] = [];
  keys.forEach((k: unknown, i) => {
    if (typeof k !== 'object' || k === null) throw new EngineError('bad-layout', `keys[${i}] is not an object`);
    const o = k as Record<string, unknown>;
    if (typeof o.key !== 'string') throw new EngineError('bad-layout', `keys[${i}].key is not a string`);
    for (const f of ['x', 'y', 'width', 'height'] as const) {
      if (!finite(o[f])) throw new EngineError('bad-layout', `keys[${i}].${f} = ${String(o[f])} is not finite`);
    }
    if ((o.width as number) <= 0 || (o.height as number) <= 0) {
      throw new EngineError('bad-layout', `keys[${i}] has a non-positive size`);
    }
    out.push({ key: o.key, x: o.x as number, y: o.y as number, width: o.width as number, height: o.height as number });
  });
  const name = (raw as { name?: unknown }).name;
  return typeof name === 'string' ? { name, keys: out } : { keys: out };
}

export function layoutConstants(layout: Layout): LayoutConstants {
  let sw = 0;
  let sh = 0;
  let count = 0;
  // Summed in keys[] order, then divided (FEATURES.md step 4) — the order matters for bit-exactness.
  for (const k of layout.keys) {
    if (!LETTER.test(k.key)) continue;
    sw += k.width;
    sh += k.height;
    count++;
  }
  if (count === 0) throw new EngineError('bad-layout', 'layout has no letter key');
  const prox: (LayoutKey | null)[] = [];
  for (const ch of PROX_TOKENS) prox.push(layout.keys.find((k) => k.key === ch) ?? null);
  return { kw: sw / count, kh: sh / count, prox };
}
