import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';
import type { RequestEnvelope, Settings } from '@/src/messaging/protocol';
import { listenOnRuntime, sendViaRuntime } from '@/src/messaging/runtime-transport';
import { createBackgroundRouter } from '@/src/host/background-router';
import { createSettingsStore } from '@/src/host/settings-store';

// Message router. On Chrome it owns the offscreen document that hosts the engine; on Firefox
// (no offscreen API) this background page is itself the engine host.
export default defineBackground(() => {
  const settings = createSettingsStore(storage.defineItem<Partial<Settings>>('local:settings'));
  let toHost: (envelope: RequestEnvelope) => ReturnType<ReturnType<typeof createBackgroundRouter>>;

  if (import.meta.env.FIREFOX) {
    const host = import('@/src/host/engine-host').then((m) => m.createEngineHost('background-page'));
    toHost = async (envelope) => (await host)(envelope);
  } else {
    const ready = Promise.all([import('@/src/host/offscreen-manager'), import('@/src/host/forward-to-host')]).then(
      ([offscreen, forward]) =>
        forward.createHostForwarder(
          offscreen.createOffscreenManager(offscreen.chromeOffscreenApi(), browser.runtime.getURL(offscreen.OFFSCREEN_PATH)),
          sendViaRuntime,
        ),
    );
    toHost = async (envelope) => (await ready)(envelope);
  }

  // Senders are our own content scripts and pages (no externally_connectable: web pages cannot send).
  listenOnRuntime('background', () => true, createBackgroundRouter({ settings, toHost }));
});
