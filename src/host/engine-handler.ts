/**
 * The seam between the engine host and the decoding engine (src/engine). The host owns
 * messaging, cancellation and ORT set-up; an EngineHandler only decodes and learns words.
 * Until a model ships, the host uses `createNotReadyEngine`, which says so as a typed value.
 */
import type {
  DecodeRequest,
  DecodeResult,
  LearnWordRequest,
  LearnWordResult,
  ModelState,
  Result,
} from '../messaging/protocol';
import { err } from '../messaging/result';

export interface EngineHandler {
  /** Decodes one swipe. `signal` aborts when a newer decode supersedes this one. */
  decode(request: DecodeRequest, signal: AbortSignal): Promise<Result<DecodeResult>>;
  learnWord(request: LearnWordRequest): Promise<Result<LearnWordResult>>;
  status(): { model: ModelState; detail?: string };
}

export function createNotReadyEngine(reason: string): EngineHandler {
  return {
    decode: () => Promise.resolve(err('not-ready', reason)),
    learnWord: () => Promise.resolve(err('not-ready', reason)),
    status: () => ({ model: 'not-loaded', detail: reason }),
  };
}
