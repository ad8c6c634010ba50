/**
 * The demo page: the extension's own pieces wired in one page. The messaging client "sends"
 * to an in-page background router whose engine host is in-page too; settings live in memory.
 */
import { startOverlay } from '@/src/content/overlay';
import { IdbPersonalWordStore } from '@/src/engine/personal-store-idb';
import { createBackgroundRouter } from '@/src/host/background-router';
import { err } from '@/src/messaging/result';
import { createHostHandler } from '@/src/host/host-handler';
import { MODEL_DIR, MODEL_LEXICON_FILE, MODEL_NAME } from '@/src/host/model';
import { loadOrt } from '@/src/host/ort-runtime';
import { createSwipeEngineHandler } from '@/src/host/swipe-engine';
import { createClient } from '@/src/messaging/client';
import { answer } from '@/src/messaging/serve';
import { createSettingsStore, type Theme } from '@/src/storage/settings';
import { createMemoryStorageArea } from '@/src/storage/storage-area';

const url = (path: string) => new URL(path, location.origin).href;
const ort = loadOrt(url);
const engine = createSwipeEngineHandler({
  loadFile: async (name) => {
    const r = await fetch(url(MODEL_DIR + name));
    if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  },
  ort: () => ort,
  openStore: () => IdbPersonalWordStore.open('swipe-anywhere-demo-personal-words'),
  lexiconFile: MODEL_LEXICON_FILE,
});
const status = document.getElementById('status')!;
status.textContent = `loading model ${MODEL_NAME}…`;
void engine.preload().then(() => (status.textContent = `model ${MODEL_NAME}: ${engine.status().model}${engine.status().detail ? ` (${engine.status().detail})` : ''}`));

const host = createHostHandler({ kind: 'background-page', engine, selfTest: async () => err('not-ready', 'no self-test in the demo'), ortVersion: () => ort.env.versions.web });
const storage = createMemoryStorageArea();
const router = createBackgroundRouter({ settings: createSettingsStore(storage), toHost: host });
const client = createClient({ send: (envelope) => answer(structuredClone(envelope), 'background', router), target: 'background', idPrefix: 'demo' });

// `?e2e`: publish the keyboard's box and decodes for test/e2e/demo.e2e.test.ts (the demo is not shipped).
const hooks = new URLSearchParams(location.search).has('e2e') ? (await import('@/src/content/e2e-hooks')).e2eOverlayHooks() : {};
void startOverlay({ client, storage, ...hooks });
const theme = document.getElementById('theme') as HTMLSelectElement;
theme.addEventListener('change', () => void createSettingsStore(storage).save({ theme: theme.value as Theme }));
