// @vitest-environment happy-dom
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKeyboardController, type ControllerDeps, type KeyboardController } from '../../src/keyboard/controller';
import type { Trace } from '../../src/keyboard/gesture';
import { QWERTY } from '../../src/keyboard/layout';
import type { LearnEvent } from '../../src/keyboard/text-state';

const SIZE = { width: 400, height: 200 };
let shadow: ShadowRoot;
let kb: KeyboardController | null = null;

beforeEach(() => {
  const original = HTMLElement.prototype.attachShadow;
  vi.spyOn(HTMLElement.prototype, 'attachShadow').mockImplementation(function (this: HTMLElement, init) {
    shadow = original.call(this, init);
    return shadow;
  });
});

afterEach(() => {
  act(() => kb?.destroy());
  kb = null;
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

/** A decoder whose answers the test releases by hand. */
function manualDecoder() {
  const pending: Array<{ trace: Trace; resolve: (w: string[]) => void; reject: (e: unknown) => void }> = [];
  const decode = (trace: Trace) => new Promise<string[]>((resolve, reject) => pending.push({ trace, resolve, reject }));
  return { decode, pending };
}

function setup(deps: Partial<ControllerDeps> = {}) {
  const input = document.createElement('input');
  document.body.append(input);
  input.focus();
  const host = document.createElement('div');
  document.body.append(host);
  const dec = manualDecoder();
  const learnt: LearnEvent[] = [];
  act(() => {
    kb = createKeyboardController(host, { decode: dec.decode, learn: (e) => learnt.push(...e), ...deps }, { theme: 'light', height: 200 });
  });
  const area = shadow.querySelector('.keys') as HTMLElement;
  area.getBoundingClientRect = () => ({ x: 0, y: 0, left: 0, top: 0, right: 400, bottom: 200, ...SIZE, toJSON() {} }) as DOMRect;
  act(() => kb!.attachField(input));
  const at = (id: string): [number, number] => {
    const k = QWERTY.keys.find((l) => l.key === id);
    if (k) return [k.x * SIZE.width, k.y * SIZE.height];
    const el = shadow.querySelector(`[data-key="${CSS.escape(id)}"]`) as HTMLElement;
    return [(parseFloat(el.style.left) + parseFloat(el.style.width) / 2) * 4, (parseFloat(el.style.top) + parseFloat(el.style.height) / 2) * 2];
  };
  const ev = (type: string, [x, y]: [number, number]) =>
    act(() => {
      area.dispatchEvent(new PointerEvent(type, { pointerId: 1, clientX: x, clientY: y, bubbles: true, cancelable: true, button: 0 }));
    });
  const tap = (id: string) => {
    ev('pointerdown', at(id));
    ev('pointerup', at(id));
  };
  const swipe = (...letters: string[]) => {
    ev('pointerdown', at(letters[0]!));
    for (const l of letters.slice(1)) ev('pointermove', at(l));
    ev('pointerup', at(letters[letters.length - 1]!));
  };
  const settle = async () => {
    await act(async () => {
      await Promise.resolve();
    });
  };
  return { input, dec, learnt, tap, swipe, settle };
}

describe('createKeyboardController', () => {
  it('should type taps into the field with sentence capitalisation', () => {
    const { input, tap } = setup();
    for (const k of ['h', 'i', '.', 'space', 'o', 'k']) tap(k);
    expect(input.value).toBe('Hi. Ok');
  });

  it('should insert the decoded word, replace it from the suggestion bar, and delete it whole', async () => {
    const { input, dec, learnt, swipe, tap, settle } = setup();
    swipe('h', 'e', 'l', 'o');
    expect(dec.pending).toHaveLength(1);
    expect(dec.pending[0]!.trace.width).toBe(400);
    dec.pending[0]!.resolve(['hello', 'help', 'hell']);
    await settle();
    expect(input.value).toBe('Hello ');
    const items = [...shadow.querySelectorAll('.suggestion')] as HTMLElement[];
    expect(items.map((i) => i.textContent)).toEqual(['hello', 'help', 'hell']);
    act(() => items[1]!.click());
    expect(input.value).toBe('Help ');
    tap('backspace');
    expect(input.value).toBe('');
    expect(learnt).toEqual([{ type: 'demote', word: 'help' }]);
  });

  it('should insert only the newest swipe when an older decode finishes late', async () => {
    const { input, dec, swipe, settle } = setup();
    swipe('a', 's', 'd');
    swipe('q', 'w', 'e');
    dec.pending[1]!.resolve(['second']);
    await settle();
    dec.pending[0]!.resolve(['first']);
    await settle();
    expect(input.value).toBe('Second ');
  });

  it('should start over when the caret moved, so backspace deletes one character', async () => {
    const { input, dec, swipe, tap, settle } = setup();
    swipe('h', 'e', 'l', 'o');
    dec.pending[0]!.resolve(['hello']);
    await settle();
    input.setSelectionRange(2, 2);
    tap('backspace');
    expect(input.value).toBe('Hllo ');
  });

  it('should show a decode failure in the status line', async () => {
    const { dec, swipe, settle, input } = setup({ onError: () => {} });
    swipe('h', 'e', 'l', 'o');
    dec.pending[0]!.reject(new Error('Model not loaded'));
    await settle();
    expect(shadow.querySelector('[role="status"]')?.textContent).toBe('Model not loaded');
    expect(shadow.querySelector('[role="status"]')?.getAttribute('data-kind')).toBe('error');
    expect(input.value).toBe('');
  });

  it('should learn accepted words when the field is left', async () => {
    const { dec, learnt, swipe, settle } = setup();
    swipe('h', 'e', 'l', 'o');
    dec.pending[0]!.resolve(['hello']);
    await settle();
    act(() => kb!.detachField());
    expect(learnt).toEqual([{ type: 'accept', word: 'hello' }]);
  });

  it('should not capitalise in email fields', () => {
    const { tap } = setup();
    const email = document.createElement('input');
    email.type = 'email';
    document.body.append(email);
    email.focus();
    act(() => kb!.attachField(email));
    for (const k of ['m', 'e']) tap(k);
    expect(email.value).toBe('me');
  });
});

describe('createKeyboardController status', () => {
  it('should say when a swipe found no word, until the next key', async () => {
    const { dec, swipe, tap, settle } = setup();
    swipe('q', 'p');
    dec.pending[0]!.resolve([]);
    await settle();
    expect(shadow.querySelector('[role="status"]')?.textContent).toMatch(/No word found/);
    tap('a');
    expect(shadow.querySelector('[role="status"]')?.textContent).toBe('');
  });
});
