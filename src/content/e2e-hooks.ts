/**
 * Test-only hooks, compiled into `--mode e2e` builds and absent from production ones
 * (entrypoints/content.ts imports this behind `import.meta.env.MODE === 'e2e'`).
 *
 * The keyboard lives in a CLOSED shadow root, so a test cannot measure it. Here the content
 * script captures its own root and publishes, on `<html>` of its frame:
 *   data-swipe-anywhere-keyboard = "shown" | "hidden"
 *   data-swipe-anywhere-keys     = JSON {x, y, width, height}: the letter (key) area, viewport px
 *   data-swipe-anywhere-decoded  = JSON {n, words, trace}: the n-th decode answer the keyboard got
 *                                  and the trace {points, width, height} it answered
 *   data-swipe-anywhere-top      = the keyboard's top edge (viewport px)
 *   data-swipe-anywhere-status   = the keyboard's status line text, if any
 * A page may post `{swipeAnywhereE2eMeasure: true}` to its window to refresh them.
 */
import { browser } from 'wxt/browser';
import type { OverlayDeps } from './overlay';

export const E2E_MEASURE_KEY = 'swipeAnywhereE2eMeasure';
/** page -> content script -> background: runtime.openOptionsPage() (a test cannot navigate to it in Firefox) */
export const E2E_OPEN_OPTIONS_KEY = 'swipeAnywhereE2eOpenOptions';
/** page -> content script -> background: the same toggle the toolbar button sends to this tab */
export const E2E_TOGGLE_KEY = 'swipeAnywhereE2eToggle';

export function e2eOverlayHooks(win: Window = window): Pick<OverlayDeps, 'onHostCreated' | 'onDecoded' | 'onVisibility'> {
  const html = win.document.documentElement;
  let root: ShadowRoot | null = null;
  let hostEl: HTMLElement | null = null;
  let decoded = 0;

  const measure = (): void => {
    const keys = root?.querySelector('.keys');
    if (keys) {
      const r = keys.getBoundingClientRect();
      html.dataset.swipeAnywhereKeys = JSON.stringify({ x: r.x, y: r.y, width: r.width, height: r.height });
    }
    if (hostEl) html.dataset.swipeAnywhereTop = String(hostEl.getBoundingClientRect().top);
    const status = root?.querySelector('.status, [role="status"]');
    html.dataset.swipeAnywhereStatus = status?.textContent ?? '';
  };
  const later = (): void => void win.requestAnimationFrame(() => win.requestAnimationFrame(measure));

  win.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (event.source !== win || typeof event.data !== 'object' || event.data === null) return;
    if (E2E_MEASURE_KEY in event.data) later();
    if (E2E_OPEN_OPTIONS_KEY in event.data) void browser.runtime.sendMessage({ [E2E_OPEN_OPTIONS_KEY]: true });
    if (E2E_TOGGLE_KEY in event.data) void browser.runtime.sendMessage({ [E2E_TOGGLE_KEY]: true });
  });

  return {
    onHostCreated(host) {
      hostEl = host;
      const attach = host.attachShadow.bind(host);
      host.attachShadow = (init: ShadowRootInit) => {
        root = attach(init);
        new ResizeObserver(later).observe(host);
        return root;
      };
    },
    onDecoded(words, trace) {
      decoded += 1;
      const { points, width, height } = trace;
      html.dataset.swipeAnywhereDecoded = JSON.stringify({ n: decoded, words, trace: { points, width, height } });
      later();
    },
    onVisibility(visible) {
      html.dataset.swipeAnywhereKeyboard = visible ? 'shown' : 'hidden';
      later();
    },
  };
}
