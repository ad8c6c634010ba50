/**
 * Chrome only: the engine runs in an offscreen document because ORT cannot run in a service
 * worker. Chrome may close that document at any time, so `ensure()` runs before every send:
 * it reuses a live document (runtime.getContexts) or creates one, never two at once.
 */
import { browser, type Browser } from 'wxt/browser';

export const OFFSCREEN_PATH = '/offscreen.html';

/** The slice of chrome.runtime/chrome.offscreen this module needs (injected for tests). */
export interface OffscreenApi {
  hasDocument(url: string): Promise<boolean>;
  createDocument(url: string): Promise<void>;
}

export interface OffscreenManager {
  ensure(): Promise<void>;
}

export function createOffscreenManager(api: OffscreenApi, url: string): OffscreenManager {
  let creating: Promise<void> | undefined;

  async function createOnce(): Promise<void> {
    if (await api.hasDocument(url)) return;
    try {
      await api.createDocument(url);
    } catch (caught) {
      // Another caller (e.g. a second service-worker instance) may have won the race.
      if (!(await api.hasDocument(url))) throw caught;
    }
  }

  return {
    ensure() {
      creating ??= createOnce().finally(() => {
        creating = undefined;
      });
      return creating;
    },
  };
}

/** The real API (Chrome only: Firefox has no offscreen documents). */
export function chromeOffscreenApi(): OffscreenApi {
  return {
    async hasDocument(url) {
      const contexts = await browser.runtime.getContexts({
        contextTypes: ['OFFSCREEN_DOCUMENT' as Browser.runtime.ContextType],
        documentUrls: [url],
      });
      return contexts.length > 0;
    },
    async createDocument(url) {
      await browser.offscreen.createDocument({
        url,
        reasons: ['WORKERS' as Browser.offscreen.Reason],
        justification: 'Runs the on-device swipe-typing model (WebAssembly), which cannot run in a service worker.',
      });
    },
  };
}
