// @vitest-environment happy-dom
// @vitest-environment-options {"url": "http://example.test/page"}
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { startOverlay, type Overlay } from '../../src/content/overlay';
import type { Client } from '../../src/messaging/client';
import type { RequestType, Result } from '../../src/messaging/protocol';
import { createSettingsStore } from '../../src/storage/settings';
import { createMemoryStorageArea } from '../../src/storage/storage-area';

let overlay: Overlay | null = null;
afterEach(() => {
  act(() => overlay?.destroy());
  overlay = null;
  document.body.innerHTML = '';
});

const tick = () => act(async () => void (await new Promise((r) => setTimeout(r, 5))));

async function setup(decodeAnswer: Result<{ words: string[]; ms: number }> = { ok: true, value: { words: ['hello'], ms: 1 } }) {
  const sent: Array<{ type: RequestType; payload: unknown }> = [];
  const client: Client = {
    request: (async (type: RequestType, payload: unknown) => {
      sent.push({ type, payload });
      if (type === 'decode') return decodeAnswer;
      return { ok: true, value: {} };
    }) as Client['request'],
  };
  const storage = createMemoryStorageArea();
  let root: ShadowRoot | null = null;
  await act(async () => {
    overlay = await startOverlay({
      client,
      storage,
      onHostCreated(host) {
        const attach = host.attachShadow.bind(host);
        host.attachShadow = (init) => (root = attach(init));
      },
    });
  });
  const field = (html: string) => {
    const wrap = document.createElement('div');
    wrap.innerHTML = html;
    document.body.append(wrap);
    return wrap.firstElementChild as HTMLElement;
  };
  return { sent, storage, store: createSettingsStore(storage), field, root: () => root, host: () => document.querySelector('swipe-anywhere-keyboard') as HTMLElement | null };
}

describe('startOverlay', () => {
  it('should show the keyboard on an eligible field and never on a password field', async () => {
    const s = await setup();
    const pw = s.field('<input type="password">');
    act(() => pw.focus());
    await tick();
    expect(overlay!.visible).toBe(false);
    expect(s.host()).toBeNull();
    const text = s.field('<input type="text">');
    act(() => text.focus());
    await tick();
    expect(overlay!.visible).toBe(true);
    expect(s.host()!.style.getPropertyValue('display')).toBe('block');
    expect(s.sent.some((m) => m.type === 'status')).toBe(true); // warms the engine host
    act(() => pw.focus());
    await tick();
    expect(overlay!.visible).toBe(false);
  });

  it('should follow per-site settings live and remember the toggle for the site', async () => {
    const s = await setup();
    const text = s.field('<textarea></textarea>');
    act(() => text.focus());
    await tick();
    expect(overlay!.visible).toBe(true);
    await act(async () => void (await overlay!.toggle()));
    await tick();
    expect(overlay!.visible).toBe(false);
    expect((await s.store.load()).sites).toEqual({ 'example.test': false });
    await act(async () => void (await s.store.save({ sites: {} })));
    await tick();
    expect(overlay!.visible).toBe(true);
    await act(async () => void (await s.store.save({ keyboardHeight: 300 })));
    await tick();
    expect((s.root()!.querySelector('.keys') as HTMLElement).style.height).toBe('300px');
    // a small frame: the keyboard takes at most 60% of it
    const h = window.innerHeight;
    Object.defineProperty(window, 'innerHeight', { value: 300, configurable: true });
    act(() => void window.dispatchEvent(new Event('resize')));
    await tick();
    expect((s.root()!.querySelector('.keys') as HTMLElement).style.height).toBe('130px');
    Object.defineProperty(window, 'innerHeight', { value: h, configurable: true });
  });

  it('should show a decode error (e.g. a model that cannot load) in the keyboard status line', async () => {
    const s = await setup({ ok: false, error: { code: 'not-ready', message: 'model could not be loaded: encoder.onnx: HTTP 404' } });
    const text = s.field('<input type="text">');
    act(() => text.focus());
    await tick();
    const area = s.root()!.querySelector('.keys') as HTMLElement;
    area.getBoundingClientRect = () => ({ x: 0, y: 0, left: 0, top: 0, right: 400, bottom: 200, width: 400, height: 200, toJSON() {} }) as DOMRect;
    const ev = (type: string, x: number, y: number) =>
      act(() => void area.dispatchEvent(new PointerEvent(type, { pointerId: 1, clientX: x, clientY: y, bubbles: true, cancelable: true, button: 0 })));
    ev('pointerdown', 20, 20); // q
    ev('pointermove', 120, 20);
    ev('pointermove', 220, 20);
    ev('pointerup', 220, 20);
    await tick();
    expect(s.sent.find((m) => m.type === 'decode')).toBeDefined();
    expect(s.root()!.querySelector('.status')!.textContent).toContain('model could not be loaded');
    expect((text as HTMLInputElement).value).toBe('');
  });
});
