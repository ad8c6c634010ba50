/**
 * The one typed protocol for every message between extension contexts
 * (content script -> background -> engine host). Types are defined here once and imported
 * everywhere; payloads are plain JSON-like values because typed arrays and class instances do
 * not survive extension messaging (Chrome serialises messages as JSON).
 */

/** Bumped when an envelope's shape changes; a mismatched message is rejected, not guessed at. */
export const CHANNEL = 'swipe-anywhere/v1';

/** One trace point in keyboard pixels, origin top-left of the keyboard: [x, y, t_ms]. */
export type TracePoint = [x: number, y: number, tMs: number];

import type { RuntimeKind } from '../engine/network';
import type { NetworkKernelKind } from '../engine/network-kernel';
import type { Settings } from '../storage/settings';
/** Settings are defined once, in src/storage/settings.ts; re-exported for the protocol's users. */
export type { Settings } from '../storage/settings';

/** Per-decode search settings; the background fills them from the stored settings. */
export interface DecodeOptions {
  /** absent: the model's own (model.json decoding) */
  beamSize?: number;
  /** absent: the model's own (model.json decoding) */
  priorWeight?: number;
  suggestionCount: number;
}

/** A swipe to decode, in the shared trace format (DESIGN.md "Trace") plus the layout name. */
export interface DecodeRequest {
  points: TracePoint[];
  /** Keyboard width and height in the same pixels as the points. */
  width: number;
  height: number;
  /** Layout name, e.g. "qwerty"; the engine looks up its key geometry. */
  layout: string;
  /** Search settings for this decode (set by the background from the user's settings). */
  options?: DecodeOptions;
}

export interface DecodeResult {
  /** Ranked candidates, best first. */
  words: string[];
  /** Decode time on the engine host, for the debug view and benchmarks. */
  ms: number;
}

export interface LearnWordRequest {
  word: string;
  /**
   * accept: a swiped word the user kept (default); typed: a tapped word the lexicon lacks;
   * demote: a swiped word deleted right after insertion (forgotten if it was only learnt once);
   * remove / add: explicit edits from the options page.
   */
  kind?: LearnKind;
}

export type LearnKind = 'accept' | 'typed' | 'demote' | 'add' | 'remove';
export const LEARN_KINDS: readonly LearnKind[] = ['accept', 'typed', 'demote', 'add', 'remove'];

export interface LearnWordResult {
  word: string;
}


/** Which context hosts the engine: the offscreen document (Chrome) or the background page (Firefox). */
export type EngineHostKind = 'offscreen' | 'background-page';

export type ModelState = 'not-loaded' | 'loading' | 'ready' | 'error';

export interface EngineStatus {
  host: EngineHostKind;
  model: ModelState;
  /** Why the model is not ready, when it is not. */
  detail?: string;
  /** onnxruntime-web version the host loaded, once it has. */
  ortVersion?: string;
  /** which runtime computes the model's encoder and predictor, once loaded: the engine's own WebAssembly or onnxruntime-web */
  runtime?: RuntimeKind;
}

/** Runs the tiny fixture model (test/fixtures/tiny-model) to prove the ORT wiring end to end. */
export interface SelfTestRequest {
  /** The model's input x, shape (1, SELF_TEST_INPUT_SIZE). */
  input: number[];
}

export interface SelfTestResult {
  output: number[];
  dims: number[];
  ms: number;
  ortVersion: string;
  host: EngineHostKind;
  /** whether the engine's joint kernel (WebAssembly SIMD) can run in this host, or its JS loops would */
  jointKernel: 'wasm' | 'js';
  /** whether, and in which build, the engine's own network runtime (native-network.ts) can run in this host */
  networkKernel: NetworkKernelKind;
  /** whether a message queued before the engine's yield runs before the decode goes on (cancellation works) */
  yieldLetsTasksIn: boolean;
}

export const SELF_TEST_INPUT_SIZE = 4;

/** Every request type with its payload and its successful response. */
export interface Requests {
  decode: { request: DecodeRequest; response: DecodeResult };
  learnWord: { request: LearnWordRequest; response: LearnWordResult };
  getSettings: { request: Record<string, never>; response: Settings };
  setSettings: { request: Partial<Settings>; response: Settings };
  status: { request: Record<string, never>; response: EngineStatus };
  selfTest: { request: SelfTestRequest; response: SelfTestResult };
}

export type RequestType = keyof Requests;
export type RequestPayload<K extends RequestType> = Requests[K]['request'];
export type ResponseValue<K extends RequestType> = Requests[K]['response'];

/**
 * Where each request is answered. The background owns settings; everything that needs the
 * model goes to the engine host, which the background reaches on the sender's behalf.
 */
export const ROUTES: { readonly [K in RequestType]: 'background' | 'host' } = {
  decode: 'host',
  learnWord: 'host',
  getSettings: 'background',
  setSettings: 'background',
  status: 'host',
  selfTest: 'host',
};

export const REQUEST_TYPES = Object.keys(ROUTES) as RequestType[];

/**
 * Client-side deadlines. Generous for the model paths because the first request after the
 * engine host starts also pays for creating the offscreen document and loading the model.
 */
export const DEFAULT_TIMEOUT_MS: { readonly [K in RequestType]: number } = {
  decode: 10_000,
  learnWord: 5_000,
  getSettings: 5_000,
  setSettings: 5_000,
  status: 10_000,
  selfTest: 30_000,
};

export type ErrorCode =
  /** A newer decode replaced this one before it finished. */
  | 'cancelled'
  /** No answer within the deadline. */
  | 'timeout'
  /** The model (or another resource) is not loaded yet or not shipped. */
  | 'not-ready'
  /** The receiver rejected the message's shape or values. */
  | 'bad-request'
  /** The engine host could not be created or reached. */
  | 'host-unavailable'
  /** The engine or ORT failed while working on a valid request. */
  | 'engine-error'
  /** A bug: something that should not happen did. */
  | 'internal';

export interface ErrorValue {
  code: ErrorCode;
  message: string;
}

/** Every answer crosses contexts as a value: errors are never thrown between contexts. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorValue };

export type Target = 'background' | 'host';

export interface RequestEnvelope<K extends RequestType = RequestType> {
  channel: typeof CHANNEL;
  /** Unique per sending context; echoed in the response so a mix-up is detected. */
  id: string;
  type: K;
  /** Who must answer: the background, or the engine host (the background forwards). */
  target: Target;
  payload: RequestPayload<K>;
}

export interface ResponseEnvelope<K extends RequestType = RequestType> {
  channel: typeof CHANNEL;
  id: string;
  result: Result<ResponseValue<K>>;
}
