/**
 * Chrome background: forwards an engine request to the offscreen document, creating it first
 * if needed. If the document vanished between the check and the send, it is recreated and the
 * request sent once more.
 */
import type { Send } from '../messaging/client';
import type { RequestEnvelope, Result } from '../messaging/protocol';
import { errorFromUnknown } from '../messaging/result';
import { parseResponse } from '../messaging/validate';
import type { OffscreenManager } from './offscreen-manager';

export function createHostForwarder(manager: OffscreenManager, send: Send) {
  async function attempt(envelope: RequestEnvelope): Promise<Result<unknown>> {
    await manager.ensure();
    return parseResponse(await send({ ...envelope, target: 'host' }), envelope.id);
  }

  return async (envelope: RequestEnvelope): Promise<Result<unknown>> => {
    try {
      return await attempt(envelope);
    } catch {
      // Most likely the document closed between ensure() and send: recreate it and try once more.
      try {
        return await attempt(envelope);
      } catch (caught) {
        return errorFromUnknown('host-unavailable', caught);
      }
    }
  };
}
