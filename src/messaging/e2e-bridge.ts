/**
 * Test-only bridge, compiled into `--mode e2e` builds and absent from production ones
 * (the caller is behind `import.meta.env.MODE === 'e2e'`, a build-time constant).
 *
 * It lets the e2e page ask the content script to run the selfTest round trip
 * (content script -> background -> engine host -> back) without giving the page any way to
 * reach the engine in a shipped build. Once listening, the bridge marks
 * `<html data-swipe-anywhere-e2e="ready">`; the page then posts `{ [E2E_MESSAGE_KEY]: input }`
 * to its own window, and the answer is written as JSON into `#selftest-result` (a text input).
 */
import type { Client } from './client';

export const E2E_MESSAGE_KEY = 'swipeAnywhereE2eSelfTest';

export function installE2eBridge(client: Client): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (event.source !== window || typeof event.data !== 'object' || event.data === null) return;
    const input: unknown = (event.data as Record<string, unknown>)[E2E_MESSAGE_KEY];
    if (!Array.isArray(input)) return;
    void client.request('selfTest', { input: input as number[] }).then((result) => {
      const out = document.getElementById('selftest-result');
      if (out instanceof HTMLInputElement) {
        out.value = JSON.stringify(result);
        out.dispatchEvent(new Event('input', { bubbles: true }));
      }
    });
  });
  document.documentElement.dataset.swipeAnywhereE2e = 'ready';
}
