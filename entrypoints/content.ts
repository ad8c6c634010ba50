import { createClient } from '@/src/messaging/client';
import { sendViaRuntime } from '@/src/messaging/runtime-transport';

// Runs in every frame so fields inside iframes get the keyboard too.
export default defineContentScript({
  matches: ['<all_urls>'],
  allFrames: true,
  matchAboutBlank: true,
  runAt: 'document_idle',
  async main() {
    const client = createClient({ send: sendViaRuntime, target: 'background', idPrefix: `cs${Math.random().toString(36).slice(2, 8)}` });
    // Test builds only (`wxt build --mode e2e`); the constant folds away in production builds.
    if (import.meta.env.MODE === 'e2e') {
      const { installE2eBridge } = await import('@/src/messaging/e2e-bridge');
      installE2eBridge(client);
    }
    // TODO [2026-12-15]: mount the keyboard overlay (src/keyboard) with `client` once it exists.
    void client;
  },
});
