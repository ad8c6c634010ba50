/**
 * Builds the engine host's request handler with the browser wiring: ORT, the model and the
 * fixture model are loaded from the extension's own URLs. Shared by the Chrome offscreen
 * document and the Firefox background page.
 */
import { browser } from 'wxt/browser';
import { IdbPersonalWordStore } from '../engine/personal-store-idb';
import type { EngineHostKind } from '../messaging/protocol';
import type { RequestHandler } from '../messaging/serve';
import type { EngineHandler } from './engine-handler';
import { createHostHandler } from './host-handler';
import { MODEL_DIR, MODEL_LEXICON_FILE } from './model';
import { loadOrt, type Ort } from './ort-runtime';
import { createSelfTest } from './self-test';
import { createSwipeEngineHandler, PERSONAL_WORDS_CHANNEL } from './swipe-engine';

const extensionUrl = (path: string): string => browser.runtime.getURL(path as '/');

async function loadBytes(path: string): Promise<Uint8Array> {
  const response = await fetch(extensionUrl(path));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export function createEngineHost(kind: EngineHostKind, engine?: EngineHandler): RequestHandler {
  let ort: Ort | undefined;
  const getOrt = (): Ort => (ort ??= loadOrt(extensionUrl));
  if (!engine) {
    const swipe = createSwipeEngineHandler({
      loadFile: (name) => loadBytes(MODEL_DIR + name),
      ort: getOrt,
      openStore: () => IdbPersonalWordStore.open(),
      lexiconFile: MODEL_LEXICON_FILE,
      notifyChange: () => channel?.postMessage('changed'),
    });
    // Other pages (options) post here after editing the same IndexedDB; we post after learning.
    const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(PERSONAL_WORDS_CHANNEL) : undefined;
    if (channel) channel.onmessage = () => swipe.personalWordsChanged();
    void swipe.preload();
    engine = swipe;
  }
  return createHostHandler({
    kind,
    engine,
    selfTest: createSelfTest({ kind, ort: getOrt, loadBytes }),
    ortVersion: () => ort?.env.versions.web,
  });
}
