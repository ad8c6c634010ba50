/**
 * Builds the engine host's request handler with the browser wiring: ORT and the fixture model
 * are loaded from the extension's own URLs. Shared by the Chrome offscreen document and the
 * Firefox background page.
 */
import { browser } from 'wxt/browser';
import type { EngineHostKind } from '../messaging/protocol';
import type { RequestHandler } from '../messaging/serve';
import { createNotReadyEngine, type EngineHandler } from './engine-handler';
import { createHostHandler } from './host-handler';
import { loadOrt, type Ort } from './ort-runtime';
import { createSelfTest } from './self-test';

const extensionUrl = (path: string): string => browser.runtime.getURL(path as '/');

async function loadBytes(path: string): Promise<Uint8Array> {
  const response = await fetch(extensionUrl(path));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// TODO [2026-12-15]: replace with the src/engine EngineHandler once a model ships in public/models (#3).
const NO_MODEL = 'no swipe model is shipped in this build yet';

export function createEngineHost(kind: EngineHostKind, engine: EngineHandler = createNotReadyEngine(NO_MODEL)): RequestHandler {
  let ort: Ort | undefined;
  const getOrt = (): Ort => (ort ??= loadOrt(extensionUrl));
  return createHostHandler({
    kind,
    engine,
    selfTest: createSelfTest({ kind, ort: getOrt, loadBytes }),
    ortVersion: () => ort?.env.versions.web,
  });
}
