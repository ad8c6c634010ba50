/**
 * The background's message router: settings are answered here, engine requests go to the
 * engine host (forwarded to the offscreen document on Chrome, in-process on Firefox).
 */
import { ROUTES, type RequestEnvelope, type Result } from '../messaging/protocol';
import { ok } from '../messaging/result';
import type { RequestHandler } from '../messaging/serve';
import type { SettingsStore } from './settings-store';

export interface RouterDeps {
  settings: SettingsStore;
  toHost: (envelope: RequestEnvelope) => Promise<Result<unknown>>;
}

export function createBackgroundRouter(deps: RouterDeps): RequestHandler {
  return async (envelope) => {
    if (ROUTES[envelope.type] === 'host') return deps.toHost(envelope);
    switch (envelope.type) {
      case 'getSettings':
        return ok(await deps.settings.get());
      case 'setSettings':
        return ok(await deps.settings.set((envelope as RequestEnvelope<'setSettings'>).payload));
      default:
        return deps.toHost(envelope);
    }
  };
}
