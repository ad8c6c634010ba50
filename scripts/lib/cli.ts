/** Node-only helpers shared by the CLIs: flags, paths, JSON Lines (optionally gzipped). */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseFloorMargin } from '../../src/engine/params';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** shared/data, relative to the repo root unless SWIPE_DATA says otherwise */
export const DATA = process.env.SWIPE_DATA ?? resolve(REPO, '../shared/data');

/** `--key value` and `--flag` parsing against declared defaults; unknown flags are errors. */
export function parseFlags<T extends Record<string, string | number | boolean>>(argv: string[], defaults: T, usage: string): T {
  const out: Record<string, string | number | boolean> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const m = /^--([a-zA-Z-]+)(?:=(.*))?$/.exec(a);
    const key = m?.[1]?.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!m || key === undefined || !(key in defaults)) fail(`unknown argument ${a}\n\n${usage}`);
    const def = defaults[key];
    if (typeof def === 'boolean' && m[2] === undefined) {
      out[key] = true;
      continue;
    }
    const v = m[2] ?? argv[++i];
    if (v === undefined) fail(`--${m[1]} needs a value`);
    if (typeof def === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) fail(`--${m[1]} = ${v} is not a number`);
      out[key] = n;
    } else out[key] = typeof def === 'boolean' ? v === 'true' : v;
  }
  return out as T;
}

/**
 * `--floor` of decode/bench: '' = model.json's decoding.floorMargin, 'off' = no beam-floor
 * pruning (the exhaustive swipe-beam-v2 symbol loop), else the margin in nats.
 */
export function floorOption(v: string): { floorMargin?: number } {
  const n = parseFloorMargin(v);
  if (n === null) fail(`--floor = ${v}: expected 'off' or a number of nats >= 0`);
  return n === undefined ? {} : { floorMargin: n };
}

export function fail(msg: string): never {
  console.error(msg);
  process.exit(2);
}

export async function* readJsonl(path: string): AsyncGenerator<Record<string, unknown>> {
  if (!existsSync(path)) fail(`no such file: ${path}`);
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let n = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as Record<string, unknown>;
    } catch {
      fail(`${path}:${n}: not JSON`);
    }
  }
}

/** --model default: public/models/swipe-v1 if present, else the only folder under public/models. */
export function defaultModelDir(): string {
  const base = resolve(REPO, 'public/models');
  if (existsSync(resolve(base, 'swipe-v1/model.json'))) return resolve(base, 'swipe-v1');
  const dirs = existsSync(base) ? readdirSync(base).filter((d) => !d.startsWith('.') && existsSync(resolve(base, d, 'model.json'))) : [];
  if (dirs.length === 1) return resolve(base, dirs[0] as string);
  fail(`no model: pass --model DIR (found ${dirs.length} under ${base})`);
}
