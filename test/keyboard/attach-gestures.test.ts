// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { attachGestures } from '../../src/keyboard/gesture';
import type { GestureTracker } from '../../src/keyboard/gesture';

function fakeTracker() {
  return { busy: true, down: vi.fn(), move: vi.fn(), up: vi.fn(), cancel: vi.fn() };
}

function pointer(type: string, x: number, y: number): PointerEvent {
  return new PointerEvent(type, { pointerId: 1, clientX: x, clientY: y, button: 0, bubbles: true, cancelable: true });
}

describe('attachGestures', () => {
  it('should feed pointer events to the tracker and keep focus by cancelling mousedown', () => {
    const el = document.createElement('div');
    document.body.append(el);
    const t = fakeTracker();
    attachGestures(el, t as unknown as GestureTracker);
    el.dispatchEvent(pointer('pointerdown', 10, 20));
    el.dispatchEvent(pointer('pointermove', 30, 20));
    el.dispatchEvent(pointer('pointerup', 30, 20));
    el.dispatchEvent(pointer('pointercancel', 30, 20));
    expect([t.down.mock.calls.length, t.move.mock.calls.length, t.up.mock.calls.length, t.cancel.mock.calls.length]).toEqual([1, 1, 1, 1]);
    expect(t.down.mock.calls[0]?.[0]).toMatchObject({ pointerId: 1, x: 10, y: 20 });
    const md = new MouseEvent('mousedown', { bubbles: true, cancelable: true });
    el.dispatchEvent(md);
    expect(md.defaultPrevented).toBe(true);
    el.remove();
  });

  it('should remove every listener when detached', () => {
    const el = document.createElement('div');
    document.body.append(el);
    const t = fakeTracker();
    const detach = attachGestures(el, t as unknown as GestureTracker);
    detach();
    for (const type of ['pointerdown', 'pointermove', 'pointerup', 'pointercancel', 'lostpointercapture']) el.dispatchEvent(pointer(type, 5, 5));
    const md = new MouseEvent('mousedown', { bubbles: true, cancelable: true });
    const cm = new MouseEvent('contextmenu', { bubbles: true, cancelable: true });
    el.dispatchEvent(md);
    el.dispatchEvent(cm);
    expect([t.down, t.move, t.up, t.cancel].map((f) => f.mock.calls.length)).toEqual([0, 0, 0, 0]);
    expect([md.defaultPrevented, cm.defaultPrevented]).toEqual([false, false]);
    el.remove();
  });
});
