import { browser } from 'wxt/browser';
import { createClient } from '@/src/messaging/client';
import { sendViaRuntime } from '@/src/messaging/runtime-transport';
import { startOverlay, type OverlayDeps } from '@/src/content/overlay';
import { shouldHandleToggle, TOGGLE_MESSAGE } from '@/src/content/toggle';
import type { StorageAreaLike } from '@/src/storage/storage-area';

// Runs in every frame so fields inside iframes get the keyboard too.
export default defineContentScript({
  matches: ['<all_urls>'],
  allFrames: true,
  matchAboutBlank: true,
  runAt: 'document_idle',
  async main() {
    const client = createClient({ send: sendViaRuntime, target: 'background', idPrefix: `cs${Math.random().toString(36).slice(2, 8)}` });
    let hooks: Partial<OverlayDeps> = {};
    // Test builds only (`wxt build --mode e2e`); the constant folds away in production builds.
    if (import.meta.env.MODE === 'e2e') {
      const { installE2eBridge } = await import('@/src/messaging/e2e-bridge');
      installE2eBridge(client);
      hooks = (await import('@/src/content/e2e-hooks')).e2eOverlayHooks();
    }
    const overlay = await startOverlay({ client, storage: browser.storage.local as unknown as StorageAreaLike, ...hooks });
    browser.runtime.onMessage.addListener((message: unknown, sender) => {
      if (sender.id !== browser.runtime.id || typeof message !== 'object' || message === null || !(TOGGLE_MESSAGE in message)) return;
      if (shouldHandleToggle()) void overlay.toggle();
    });
  },
});
