/**
 * The keyboard e2e suite shared by Chromium (Playwright) and Firefox (puppeteer-core): real
 * dev-split traces replayed as trusted mouse (pointer) events over the drawn key area.
 *
 * The keyboard is in a closed shadow root; `--mode e2e` builds publish its key-area box and
 * every decode answer on `<html data-swipe-anywhere-*>` of the keyboard's frame
 * (src/content/e2e-hooks.ts). With the random stand-in model the decoded words are noise, so
 * the check is that the field holds exactly what the ENGINE returned (top word + space); when
 * public/models/swipe-v1 exists the expected words are checked too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface DevTrace {
  id: string;
  word: string;
  width: number;
  height: number;
  points: Array<[number, number, number]>;
}

/** CI has shared/ at ../shared relative to the checkout. */
export const DEV_SPLIT = resolve(process.env.SWIPE_SHARED_DIR ?? resolve('..', 'shared'), 'data/hws/dev.jsonl.gz');
export const TRAINED_MODEL = existsSync(resolve('public/models/swipe-v1/model.json'));

/** The first `n` dev traces of plain words of 4+ letters with a sensible number of points. */
export function loadDevTraces(n: number, skip = 0): DevTrace[] {
  const lines = gunzipSync(readFileSync(DEV_SPLIT)).toString('utf8').split('\n');
  const out: DevTrace[] = [];
  let seen = 0;
  for (const line of lines) {
    if (!line) continue;
    const t = JSON.parse(line) as DevTrace;
    if (!/^[a-z]{4,}$/.test(t.word) || t.points.length < 15 || t.points.length > 160) continue;
    if (seen++ < skip) continue;
    out.push(t);
    if (out.length === n) break;
  }
  return out;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Mouse {
  move(x: number, y: number): Promise<unknown>;
  down(): Promise<unknown>;
  up(): Promise<unknown>;
}

/** A frame's evaluate, with the shape both Playwright and puppeteer accept. */
export type Evaluate = <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) => Promise<R>;

export interface KeyboardState {
  keyboard?: string;
  keys?: Rect;
  top?: number;
  decoded?: { n: number; words: string[]; trace: CapturedTrace };
  status?: string;
}

/** Runs in the page: what the content script's e2e hooks published. */
export function readKeyboardState(measure: boolean): KeyboardState {
  const d = document.documentElement.dataset;
  if (measure) window.postMessage({ swipeAnywhereE2eMeasure: true }, '*');
  return {
    ...(d.swipeAnywhereKeyboard ? { keyboard: d.swipeAnywhereKeyboard } : {}),
    ...(d.swipeAnywhereKeys ? { keys: JSON.parse(d.swipeAnywhereKeys) as Rect } : {}),
    ...(d.swipeAnywhereTop ? { top: Number(d.swipeAnywhereTop) } : {}),
    ...(d.swipeAnywhereDecoded ? { decoded: JSON.parse(d.swipeAnywhereDecoded) as NonNullable<KeyboardState["decoded"]> } : {}),
    ...(d.swipeAnywhereStatus ? { status: d.swipeAnywhereStatus } : {}),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitForState(evaluate: Evaluate, ok: (s: KeyboardState) => boolean, what: string, timeoutMs = 30_000): Promise<KeyboardState> {
  const start = Date.now();
  let s: KeyboardState = {};
  while (Date.now() - start < timeoutMs) {
    s = await evaluate(readKeyboardState, true);
    if (ok(s)) return s;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; last state ${JSON.stringify(s)}`);
}

/** Longest pause between two points a replay keeps (a longer one is replayed this long). */
export const REPLAY_MAX_STEP_MS = 60;

/** The trace's points on the replay's clock: its own time steps, each capped at REPLAY_MAX_STEP_MS. */
export function replayTimeline(points: ReadonlyArray<readonly [number, number, number]>): Array<[number, number, number]> {
  let lag = 0;
  return points.map((p, i) => {
    if (i > 0) lag += Math.min(REPLAY_MAX_STEP_MS, p[2] - (points[i - 1] as readonly number[])[2]!);
    return [p[0], p[1], lag];
  });
}

/**
 * Replays a trace over the key area (`keys`, in page coordinates): scaled from the trace's
 * keyboard size to the drawn one, paced by replayTimeline.
 */
export async function replayTrace(mouse: Mouse, keys: Rect, trace: DevTrace): Promise<void> {
  const sx = keys.width / trace.width;
  const sy = keys.height / trace.height;
  const at = (p: readonly [number, number, number]) => [keys.x + p[0] * sx, keys.y + p[1] * sy] as const;
  const [p0, ...rest] = replayTimeline(trace.points);
  await mouse.move(...at(p0!));
  await mouse.down();
  const start = Date.now();
  for (const p of rest) {
    const wait = start + p[2] - Date.now();
    if (wait > 0) await sleep(wait);
    await mouse.move(...at(p));
  }
  await mouse.up();
}

/**
 * One swipe on the focused field of the frame `evaluate` runs in (`offset`: that frame's
 * position in the page). Resolves to the engine's answer.
 */
export async function swipeOnce(mouse: Mouse, evaluate: Evaluate, trace: DevTrace, offset = { x: 0, y: 0 }): Promise<string[]> {
  return (await swipeCaptured(mouse, evaluate, trace, offset)).words;
}

/** What the keyboard captured of a replayed swipe (key-area px and its own timestamps). */
export interface CapturedTrace {
  points: Array<[number, number, number]>;
  width: number;
  height: number;
}

/** swipeOnce, also returning the trace the keyboard captured and sent to the engine. */
export async function swipeCaptured(mouse: Mouse, evaluate: Evaluate, trace: DevTrace, offset = { x: 0, y: 0 }): Promise<{ words: string[]; trace: CapturedTrace }> {
  const before = await waitForState(evaluate, (s) => s.keyboard === 'shown' && s.keys !== undefined && s.keys.height > 0, 'the keyboard');
  const n = before.decoded?.n ?? 0;
  const keys = before.keys!;
  await replayTrace(mouse, { ...keys, x: keys.x + offset.x, y: keys.y + offset.y }, trace);
  const after = await waitForState(evaluate, (s) => (s.decoded?.n ?? 0) > n || /could not|fail|error/i.test(s.status ?? ''), 'a decode', 60_000);
  if (!after.decoded || after.decoded.n === n) throw new Error(`decode failed: ${after.status ?? '?'}`);
  return { words: after.decoded.words, trace: after.decoded.trace };
}

/** What the field shows, compared case-insensitively (sentence-start capitals) with nbsp as space. */
export const norm = (s: string) => s.replace(/\u00a0/g, ' ').toLowerCase();
