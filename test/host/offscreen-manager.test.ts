import { describe, expect, it } from 'vitest';
import { createOffscreenManager, type OffscreenApi } from '@/src/host/offscreen-manager';

const URL = 'chrome-extension://abc/offscreen.html';

/** An in-memory stand-in for chrome.offscreen + runtime.getContexts with Chrome's one-document rule. */
function fakeChrome() {
  const state = { open: false, creates: 0 };
  const api: OffscreenApi = {
    hasDocument: () => Promise.resolve(state.open),
    createDocument: async () => {
      state.creates += 1;
      await Promise.resolve();
      if (state.open) throw new Error('Only a single offscreen document may be created.');
      state.open = true;
    },
  };
  return { api, state };
}

describe('createOffscreenManager', () => {
  it('should create the document when none exists and reuse it afterwards', async () => {
    const { api, state } = fakeChrome();
    const manager = createOffscreenManager(api, URL);
    await manager.ensure();
    await manager.ensure();
    expect(state).toEqual({ open: true, creates: 1 });
  });

  it('should create only one document for concurrent callers', async () => {
    const { api, state } = fakeChrome();
    const manager = createOffscreenManager(api, URL);
    await Promise.all([manager.ensure(), manager.ensure(), manager.ensure()]);
    expect(state.creates).toBe(1);
  });

  it('should recreate the document after the browser closed it', async () => {
    const { api, state } = fakeChrome();
    const manager = createOffscreenManager(api, URL);
    await manager.ensure();
    state.open = false; // Chrome closed it
    await manager.ensure();
    expect(state).toEqual({ open: true, creates: 2 });
  });

  it('should accept losing a creation race to another context', async () => {
    const { api, state } = fakeChrome();
    const racing: OffscreenApi = {
      hasDocument: api.hasDocument,
      createDocument: async () => {
        state.open = true; // someone else created it first
        throw new Error('Only a single offscreen document may be created.');
      },
    };
    await expect(createOffscreenManager(racing, URL).ensure()).resolves.toBeUndefined();
  });

  it('should surface a real creation failure and try again on the next call', async () => {
    let fail = true;
    const state = { open: false };
    const api: OffscreenApi = {
      hasDocument: () => Promise.resolve(state.open),
      createDocument: () => (fail ? Promise.reject(new Error('no offscreen permission')) : Promise.resolve(void (state.open = true))),
    };
    const manager = createOffscreenManager(api, URL);
    await expect(manager.ensure()).rejects.toThrow('no offscreen permission');
    fail = false;
    await expect(manager.ensure()).resolves.toBeUndefined();
    expect(state.open).toBe(true);
  });
});
