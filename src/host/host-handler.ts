/**
 * Answers engine requests inside the engine host (offscreen document on Chrome, background
 * page on Firefox). A newer decode aborts the one in flight, which answers `cancelled`.
 */
import type {
  EngineHostKind,
  RequestEnvelope,
  Result,
  SelfTestRequest,
  SelfTestResult,
} from '../messaging/protocol';
import { err, errorFromUnknown, ok } from '../messaging/result';
import type { RequestHandler } from '../messaging/serve';
import type { EngineHandler } from './engine-handler';

export interface HostDeps {
  kind: EngineHostKind;
  engine: EngineHandler;
  selfTest: (request: SelfTestRequest) => Promise<Result<SelfTestResult>>;
  /** onnxruntime-web version, once loaded (for `status`). */
  ortVersion: () => string | undefined;
}

export function createHostHandler(deps: HostDeps): RequestHandler {
  let currentDecode: { id: string; controller: AbortController } | undefined;

  async function decode(envelope: RequestEnvelope<'decode'>): Promise<Result<unknown>> {
    currentDecode?.controller.abort(new Error(`superseded by ${envelope.id}`));
    const mine = { id: envelope.id, controller: new AbortController() };
    currentDecode = mine;
    const { signal } = mine.controller;
    const cancelled = new Promise<Result<unknown>>((resolve) => {
      signal.addEventListener('abort', () => resolve(err('cancelled', `decode ${envelope.id} ${String((signal.reason as Error).message)}`)), { once: true });
    });
    try {
      // The engine should stop early on abort; racing makes the answer prompt even if it does not.
      return await Promise.race([deps.engine.decode(envelope.payload, signal), cancelled]);
    } catch (caught) {
      return errorFromUnknown('engine-error', caught);
    } finally {
      if (currentDecode === mine) currentDecode = undefined;
    }
  }

  return async (envelope) => {
    switch (envelope.type) {
      case 'decode':
        return decode(envelope as RequestEnvelope<'decode'>);
      case 'learnWord':
        return deps.engine.learnWord((envelope as RequestEnvelope<'learnWord'>).payload);
      case 'selfTest':
        return deps.selfTest((envelope as RequestEnvelope<'selfTest'>).payload);
      case 'status': {
        const ortVersion = deps.ortVersion();
        return ok({ host: deps.kind, ...deps.engine.status(), ...(ortVersion ? { ortVersion } : {}) });
      }
      case 'getSettings':
      case 'setSettings':
        return err('bad-request', `${envelope.type} is answered by the background, not the engine host`);
    }
  };
}
