// @vitest-environment happy-dom
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeyboardProps } from '../../src/keyboard/Keyboard';
import { QWERTY } from '../../src/keyboard/layout';
import { mountKeyboard, type KeyboardHandle } from '../../src/keyboard/mount';
import { KEYBOARD_CSS } from '../../src/keyboard/styles';

const SIZE = { width: 400, height: 200 };
let shadow: ShadowRoot;
let handle: KeyboardHandle | null = null;
let host: HTMLElement;

function props(over: Partial<KeyboardProps> = {}): KeyboardProps {
  return {
    theme: 'light',
    height: 200,
    shift: 'off',
    layer: 'letters',
    suggestions: [],
    selected: -1,
    onKey: vi.fn(),
    onSwipe: vi.fn(),
    onPick: vi.fn(),
    onResize: vi.fn(),
    onDismiss: vi.fn(),
    ...over,
  };
}

function mount(p: KeyboardProps): KeyboardHandle {
  act(() => {
    handle = mountKeyboard(host, p);
  });
  const area = shadow.querySelector('.keys') as HTMLElement;
  area.getBoundingClientRect = () => ({ x: 0, y: 0, left: 0, top: 0, right: SIZE.width, bottom: SIZE.height, ...SIZE, toJSON() {} }) as DOMRect;
  return handle!;
}

function pointer(target: Element, type: string, x: number, y: number, id = 1): PointerEvent {
  const e = new PointerEvent(type, { pointerId: id, clientX: x, clientY: y, bubbles: true, cancelable: true, composed: true, button: 0 });
  act(() => {
    target.dispatchEvent(e);
  });
  return e;
}

const centre = (ch: string) => {
  const k = QWERTY.keys.find((l) => l.key === ch)!;
  return [k.x * SIZE.width, k.y * SIZE.height] as const;
};

beforeEach(() => {
  host = document.createElement('div');
  document.body.append(host);
  const original = HTMLElement.prototype.attachShadow;
  vi.spyOn(HTMLElement.prototype, 'attachShadow').mockImplementation(function (this: HTMLElement, init) {
    shadow = original.call(this, init);
    return shadow;
  });
});

afterEach(() => {
  act(() => handle?.unmount());
  handle = null;
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

describe('mountKeyboard', () => {
  it('should mount into a closed shadow root with isolated styles', () => {
    mount(props());
    expect(HTMLElement.prototype.attachShadow).toHaveBeenCalledWith({ mode: 'closed' });
    expect(host.shadowRoot).toBeNull();
    expect(shadow.querySelector('.kb')).not.toBeNull();
    expect(document.querySelector('.kb')).toBeNull(); // nothing leaks into the page's DOM
    expect(KEYBOARD_CSS).toMatch(/:host\s*\{\s*all:\s*initial/);
    const inShadow = shadow.adoptedStyleSheets?.length || shadow.querySelectorAll('style').length;
    expect(inShadow).toBeGreaterThan(0);
    expect(document.head.querySelectorAll('style')).toHaveLength(0);
    expect(host.style.getPropertyValue('position')).toBe('fixed');
  });

  it('should label every key and draw the letter keys on their layout rectangles', () => {
    mount(props());
    const keys = [...shadow.querySelectorAll('[data-key]')] as HTMLElement[];
    expect(keys.length).toBe(26 + 7);
    for (const k of keys) {
      expect(k.getAttribute('role')).toBe('button');
      expect(k.getAttribute('aria-label')?.length).toBeGreaterThan(0);
    }
    const labels = keys.map((k) => k.getAttribute('aria-label'));
    expect(labels).toEqual(expect.arrayContaining(['q', 'm', 'Shift', 'Backspace', 'Space', 'Enter', 'Numbers and symbols', 'comma', 'period']));
    const g = shadow.querySelector('[data-key="g"]') as HTMLElement;
    expect(parseFloat(g.style.left)).toBeCloseTo(45, 6);
    expect(parseFloat(g.style.width)).toBeCloseTo(10, 6);
    expect(parseFloat(g.style.top)).toBeCloseTo(27.027, 3);
    expect(shadow.querySelector('[role="toolbar"]')).not.toBeNull();
    expect(shadow.querySelector('[aria-label="Hide keyboard"]')?.getAttribute('role')).toBe('button');
  });

  it('should show capitals and caps lock state', () => {
    const h = mount(props({ shift: 'once' }));
    expect(shadow.querySelector('[data-key="a"] .cap')?.textContent).toBe('A');
    expect(shadow.querySelector('[data-key="shift"]')?.getAttribute('aria-pressed')).toBe('true');
    act(() => h.update({ shift: 'lock' }));
    expect(shadow.querySelector('[data-key="shift"]')?.getAttribute('aria-label')).toBe('Caps lock');
    act(() => h.update({ layer: 'symbols' }));
    expect(shadow.querySelector('[data-key="1"]')).not.toBeNull();
    expect(shadow.querySelector('[data-key="a"]')).toBeNull();
  });

  it('should switch theme through props', () => {
    const h = mount(props({ theme: 'system' }));
    expect(shadow.querySelector('.kb')?.getAttribute('data-theme')).toBe('system');
    act(() => h.update({ theme: 'dark' }));
    expect(shadow.querySelector('.kb')?.getAttribute('data-theme')).toBe('dark');
  });

  it('should report a tap and keep the page focus (pointerdown default prevented)', () => {
    const p = props();
    mount(p);
    const area = shadow.querySelector('.keys')!;
    const [x, y] = centre('g');
    const down = pointer(area, 'pointerdown', x, y);
    pointer(area, 'pointerup', x, y);
    expect(down.defaultPrevented).toBe(true);
    expect(p.onKey).toHaveBeenCalledTimes(1);
    expect(vi.mocked(p.onKey).mock.calls[0]![0].id).toBe('g');
  });

  it('should report a swipe trace in key-area pixels', () => {
    const p = props();
    mount(p);
    const area = shadow.querySelector('.keys')!;
    const path = ['s', 'w', 'i', 'p', 'e'].map(centre);
    pointer(area, 'pointerdown', path[0]![0], path[0]![1]);
    for (const [x, y] of path.slice(1)) pointer(area, 'pointermove', x, y);
    pointer(area, 'pointerup', path[4]![0], path[4]![1]);
    expect(p.onKey).not.toHaveBeenCalled();
    expect(p.onSwipe).toHaveBeenCalledTimes(1);
    const trace = vi.mocked(p.onSwipe).mock.calls[0]![0];
    expect(trace.width).toBe(400);
    expect(trace.height).toBe(200);
    expect(trace.points.map(([x, y]) => [x, y])).toEqual(path.map(([x, y]) => [x, y]));
    expect(trace.points[0]![2]).toBe(0);
    expect(shadow.querySelector('.trail polyline')?.getAttribute('points')?.split(' ').length).toBe(5);
  });

  it('should pick suggestions and dismiss', () => {
    const p = props({ suggestions: ['hello', 'hell', 'help'], selected: 0 });
    mount(p);
    const items = [...shadow.querySelectorAll('.suggestion')] as HTMLElement[];
    expect(items.map((i) => i.textContent)).toEqual(['hello', 'hell', 'help']);
    expect(items[0]!.getAttribute('aria-pressed')).toBe('true');
    act(() => items[2]!.click());
    expect(p.onPick).toHaveBeenCalledWith(2);
    act(() => (shadow.querySelector('[aria-label="Hide keyboard"]') as HTMLElement).click());
    expect(p.onDismiss).toHaveBeenCalledTimes(1);
  });

  it('should show a status when there are no suggestions', () => {
    mount(props({ status: { text: 'Loading model…', kind: 'info' } }));
    expect(shadow.querySelector('[role="status"]')?.textContent).toBe('Loading model…');
  });

  it('should resize by dragging the handle and report the new height', () => {
    const p = props({ height: 200 });
    mount(p);
    const handleEl = shadow.querySelector('.handle')!;
    pointer(handleEl, 'pointerdown', 10, 100);
    pointer(handleEl, 'pointermove', 10, 60);
    pointer(handleEl, 'pointerup', 10, 60);
    expect(p.onResize).toHaveBeenCalledWith(240);
    expect((shadow.querySelector('.keys') as HTMLElement).style.height).toBe('240px');
  });

  it('should let assistive technology activate keys by click', () => {
    const p = props();
    mount(p);
    act(() => (shadow.querySelector('[data-key="space"]') as HTMLElement).click());
    expect(vi.mocked(p.onKey).mock.calls[0]?.[0].id).toBe('space');
  });

  it('should repeat backspace while held, without an extra delete on release', () => {
    vi.useFakeTimers();
    try {
      const p = props();
      mount(p);
      const area = shadow.querySelector('.keys')!;
      const [x, y] = [0.95 * SIZE.width, 0.675676 * SIZE.height];
      pointer(area, 'pointerdown', x, y);
      act(() => {
        vi.advanceTimersByTime(450 + 70 * 3 + 10);
      });
      pointer(area, 'pointerup', x, y);
      const ids = vi.mocked(p.onKey).mock.calls.map((c) => c[0].id);
      expect(ids).toEqual(['backspace', 'backspace', 'backspace', 'backspace']);
      pointer(area, 'pointerdown', x, y);
      pointer(area, 'pointerup', x, y);
      expect(p.onKey).toHaveBeenCalledTimes(5);
    } finally {
      vi.useRealTimers();
    }
  });

  it('should clean up on unmount', () => {
    const h = mount(props());
    act(() => h.unmount());
    handle = null;
    expect(shadow.querySelector('.kb')).toBeNull();
  });
});
