/**
 * The background's message router: settings are answered here, engine requests go to the
 * engine host (forwarded to the offscreen document on Chrome, in-process on Firefox).
 * A decode leaves with the user's current search settings attached (the Chrome offscreen
 * document has no storage API), so a settings change applies to the next swipe, no reload.
 */
import { ROUTES, type DecodeOptions, type RequestEnvelope, type Result } from '../messaging/protocol';
import { ok } from '../messaging/result';
import type { RequestHandler } from '../messaging/serve';
import type { Settings, SettingsStore } from '../storage/settings';

export interface RouterDeps {
  settings: SettingsStore;
  toHost: (envelope: RequestEnvelope) => Promise<Result<unknown>>;
}

/** A decode's search options from the settings: beam and λ only where the user set them (else the model's). */
export function decodeOptions(s: Settings): DecodeOptions {
  return {
    ...(s.beamSize === null ? {} : { beamSize: s.beamSize }),
    ...(s.priorWeight === null ? {} : { priorWeight: s.priorWeight }),
    suggestionCount: s.suggestionCount,
  };
}

export function createBackgroundRouter(deps: RouterDeps): RequestHandler {
  return async (envelope) => {
    if (envelope.type === 'decode') {
      const s = await deps.settings.load();
      const d = envelope as RequestEnvelope<'decode'>;
      return deps.toHost({
        ...d,
        payload: { ...d.payload, options: decodeOptions(s) },
      } as RequestEnvelope);
    }
    if (ROUTES[envelope.type] === 'host') return deps.toHost(envelope);
    switch (envelope.type) {
      case 'getSettings':
        return ok(await deps.settings.load());
      case 'setSettings':
        return ok(await deps.settings.save((envelope as RequestEnvelope<'setSettings'>).payload));
      default:
        return deps.toHost(envelope);
    }
  };
}
