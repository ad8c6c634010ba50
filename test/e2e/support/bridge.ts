/**
 * Page-side half of the e2e bridge (src/messaging/e2e-bridge.ts): wait until the content
 * script says it is listening, post the selfTest input once, and wait for the answer it
 * writes into #selftest-result.
 */
export const BRIDGE_KEY = 'swipeAnywhereE2eSelfTest';

/** Runs inside the page (passed to evaluate), so it must be self-contained. */
export function requestSelfTestInPage([key, input, timeoutMs]: [string, number[], number]): Promise<string> {
  const out = document.getElementById('selftest-result') as HTMLInputElement;
  out.value = '';
  let posted = false;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (out.value) return resolve(out.value);
      if (Date.now() - started > timeoutMs) {
        const stage = posted ? 'the content script did not answer' : 'the content script never became ready';
        return reject(new Error(`selfTest: ${stage} within ${timeoutMs} ms`));
      }
      if (!posted && document.documentElement.dataset.swipeAnywhereE2e === 'ready') {
        window.postMessage({ [key]: input }, '*');
        posted = true;
      }
      setTimeout(tick, 100);
    };
    tick();
  });
}
