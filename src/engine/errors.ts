/**
 * Typed engine errors. Everything the engine rejects throws an EngineError with a stable code,
 * so callers across extension contexts can turn it into `{ok: false, reason}` without parsing
 * messages (STYLE.md §6: nothing untyped crosses a context).
 */

export type EngineErrorCode =
  | 'empty-trace' // no finite point in the trace (FEATURES.md step 1)
  | 'bad-size' // keyboard width/height not finite or <= 0
  | 'bad-layout' // layout malformed or without any letter key
  | 'unknown-layout' // a layout name the engine was not given
  | 'bad-options' // decode options out of range (beam < 1, ...)
  | 'model-missing' // a model/lexicon file could not be loaded at all
  | 'model-corrupt' // model.json invalid, or an ONNX file ORT cannot open/run
  | 'lexicon-corrupt' // lexicon.bin header/sections do not check out
  | 'cancelled'; // the caller's AbortSignal fired

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

export function isEngineError(e: unknown): e is EngineError {
  return e instanceof EngineError;
}

/** Throws `cancelled` when the signal has fired; called between frames and between stages. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EngineError('cancelled', 'decode cancelled by the caller');
}

/**
 * Lets queued tasks (a newer swipe's message, an abort) run mid-decode: ORT's promises resolve
 * as microtasks, so without this a decode would never see its signal fire. Not
 * `scheduler.yield()`: Chrome runs its continuation ahead of the tasks already queued, so none
 * of them gets in (headless Chromium 156: a window message, a BroadcastChannel message and a timer
 * queued before ten yields all waited for the last; with MessageChannel yields the two messages
 * ran at the first and the timer at the second).
 * A MessageChannel has no 4 ms timer clamp; setImmediate is Node's equivalent (and a port with
 * a listener would keep Node's process alive).
 */
export function yieldToEventLoop(): Promise<void> {
  const si = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  if (typeof si === 'function') return new Promise((r) => void si(r));
  if (typeof MessageChannel === 'function') {
    const c = (yieldChannel ??= openYieldChannel());
    return new Promise((r) => {
      c.waiting.push(r);
      c.port.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

let yieldChannel: { port: MessagePort; waiting: (() => void)[] } | undefined;

function openYieldChannel(): { port: MessagePort; waiting: (() => void)[] } {
  const mc = new MessageChannel();
  const waiting: (() => void)[] = [];
  mc.port1.onmessage = () => waiting.shift()?.();
  return { port: mc.port2, waiting };
}

/** Frames between yields when a decode can be cancelled. */
export const YIELD_EVERY_FRAMES = 4;
