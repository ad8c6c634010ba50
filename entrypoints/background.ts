import { browser } from 'wxt/browser';
import type { RequestEnvelope } from '@/src/messaging/protocol';
import { listenOnRuntime, sendViaRuntime } from '@/src/messaging/runtime-transport';
import { createBackgroundRouter } from '@/src/host/background-router';
import { createSettingsStore } from '@/src/storage/settings';
import type { StorageAreaLike } from '@/src/storage/storage-area';
import { TOGGLE_COMMAND, TOGGLE_MESSAGE } from '@/src/content/toggle';

// Message router. On Chrome it owns the offscreen document that hosts the engine; on Firefox
// (no offscreen API) this background page is itself the engine host.
export default defineBackground(() => {
  const settings = createSettingsStore(browser.storage.local as unknown as StorageAreaLike);
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

  // Toolbar button and shortcut: the tab's frames decide (the focused frame flips its site).
  const toggle = (tabId: number | undefined): void => {
    if (tabId === undefined) return;
    browser.tabs.sendMessage(tabId, { [TOGGLE_MESSAGE]: true }).catch(() => undefined); // no content script there (e.g. a browser page)
  };
  const action = browser.action ?? (browser as unknown as { browserAction?: typeof browser.action }).browserAction;
  action?.onClicked.addListener((tab) => toggle(tab.id));
  // Test builds only: the e2e page asks for the options page (Firefox's BiDi cannot open it).
  if (import.meta.env.MODE === 'e2e') {
    browser.runtime.onMessage.addListener((m: unknown, sender) => {
      if (sender.id !== browser.runtime.id || typeof m !== 'object' || m === null) return;
      if ('swipeAnywhereE2eOpenOptions' in m) void browser.runtime.openOptionsPage();
      if ('swipeAnywhereE2eToggle' in m) toggle(sender.tab?.id);
    });
  }
  browser.commands?.onCommand.addListener((command, tab) => {
    if (command === TOGGLE_COMMAND) toggle(tab?.id);
  });
});
