/**
 * Gesture capture: turns pointer events (mouse, touch, pen) over the key area into taps and
 * swipe traces.
 *
 * `GestureTracker` is pure: it takes points already relative to the key area (pixels,
 * origin top-left) with a timestamp, so it is tested without a DOM. `attachGestures` binds it
 * to an element with pointer capture and `preventDefault` (the page's field keeps focus).
 *
 * Trace contract (DESIGN.md, shared/data): `{points: [[x, y, t_ms]], width, height}` with
 * t measured from the first point, x/y in key-area pixels, width/height the key-area size.
 */
import type { KeyDef, Size } from './geometry';

export interface Trace {
  points: Array<[number, number, number]>;
  width: number;
  height: number;
}

/** A pointer sample relative to the key area. */
export interface GesturePoint {
  pointerId: number;
  x: number;
  y: number;
  /** ms, any monotonic clock (event.timeStamp) */
  t: number;
}

export interface GestureOptions {
  /** key under a key-area pixel point */
  hitTest: (x: number, y: number) => KeyDef | null;
  /** current key-area size in pixels */
  size: () => Size;
  /** whether a gesture starting on this key may become a swipe (letters layer, letter keys) */
  canSwipeFrom: (key: KeyDef) => boolean;
  /** the pointer must also move at least this far (px) from its start to count as a swipe */
  minSwipeDistance?: () => number;
  /** points kept per trace; longer traces are decimated (every other point dropped) */
  maxPoints?: number;
}

export interface GestureCallbacks {
  /** a short press on one key (fires on release) */
  onTap: (key: KeyDef) => void;
  /** a finished swipe */
  onSwipe: (trace: Trace) => void;
  /** a key is pressed / released (for highlighting); null when nothing is pressed */
  onPress?: (key: KeyDef | null) => void;
  /** a swipe started or got a new point (for drawing the trail) */
  onSwipeMove?: (points: ReadonlyArray<readonly [number, number, number]>) => void;
  /** the active gesture was abandoned (pointercancel, or a function-key press slid off) */
  onCancel?: () => void;
}

export const DEFAULT_MAX_POINTS = 2000;

interface Active {
  pointerId: number;
  startKey: KeyDef | null;
  startX: number;
  startY: number;
  t0: number;
  swiping: boolean;
  points: Array<[number, number, number]>;
}

export class GestureTracker {
  private active: Active | null = null;
  private readonly maxPoints: number;

  constructor(
    private readonly opts: GestureOptions,
    private readonly cb: GestureCallbacks,
  ) {
    this.maxPoints = Math.max(2, opts.maxPoints ?? DEFAULT_MAX_POINTS);
  }

  /** whether a gesture is in progress */
  get busy(): boolean {
    return this.active !== null;
  }

  /** whether the gesture in progress is a swipe */
  get swiping(): boolean {
    return this.active?.swiping ?? false;
  }

  down(p: GesturePoint): void {
    if (!finite(p)) return;
    if (this.active) {
      // Fast two-thumb typing: a new finger lands while the previous one is still down.
      // A pending tap is committed now; a swipe in progress keeps going and the new finger is ignored.
      if (this.active.swiping) return;
      const prev = this.active;
      this.active = null;
      if (prev.startKey) this.cb.onTap(prev.startKey);
    }
    const key = this.opts.hitTest(p.x, p.y);
    this.active = {
      pointerId: p.pointerId,
      startKey: key,
      startX: p.x,
      startY: p.y,
      t0: p.t,
      swiping: false,
      points: [[p.x, p.y, 0]],
    };
    this.cb.onPress?.(key);
  }

  move(p: GesturePoint): void {
    const a = this.active;
    if (!a || a.pointerId !== p.pointerId || !finite(p)) return;
    this.addPoint(a, p);
    if (!a.swiping && a.startKey && this.opts.canSwipeFrom(a.startKey)) {
      const here = this.opts.hitTest(p.x, p.y);
      const dist = Math.hypot(p.x - a.startX, p.y - a.startY);
      const minDist = this.opts.minSwipeDistance?.() ?? 0;
      if (here !== a.startKey && dist >= minDist) {
        a.swiping = true;
        this.cb.onPress?.(null);
      }
    }
    if (a.swiping) this.cb.onSwipeMove?.(a.points);
  }

  up(p: GesturePoint): void {
    const a = this.active;
    if (!a || a.pointerId !== p.pointerId) return;
    if (finite(p)) this.addPoint(a, p);
    this.active = null;
    this.cb.onPress?.(null);
    if (a.swiping) {
      const { width, height } = this.opts.size();
      this.cb.onSwipe({ points: a.points, width, height });
      return;
    }
    if (!a.startKey) return;
    // A press on a function key that slid off it is abandoned, as with a button.
    const end = finite(p) ? this.opts.hitTest(p.x, p.y) : a.startKey;
    if (end !== a.startKey && !this.opts.canSwipeFrom(a.startKey)) {
      this.cb.onCancel?.();
      return;
    }
    this.cb.onTap(a.startKey);
  }

  cancel(pointerId?: number): void {
    const a = this.active;
    if (!a || (pointerId !== undefined && a.pointerId !== pointerId)) return;
    this.active = null;
    this.cb.onPress?.(null);
    this.cb.onCancel?.();
  }

  private addPoint(a: Active, p: GesturePoint): void {
    const t = Math.max(0, Math.round(p.t - a.t0));
    const last = a.points[a.points.length - 1];
    if (last && last[0] === p.x && last[1] === p.y) return;
    // Keep time non-decreasing even if a coalesced sample arrives slightly out of order.
    a.points.push([p.x, p.y, last ? Math.max(last[2], t) : t]);
    if (a.points.length > this.maxPoints) {
      // Decimate rather than truncate: the end of the word matters as much as its start.
      a.points = a.points.filter((_, i) => i % 2 === 0 || i === a.points.length - 1);
    }
  }
}

function finite(p: GesturePoint): boolean {
  return Number.isFinite(p.x) && Number.isFinite(p.y) && Number.isFinite(p.t);
}

/**
 * Wires a tracker to an element's pointer events. Coordinates are taken relative to
 * `el.getBoundingClientRect()` (the key area). Returns a function that detaches everything.
 */
export function attachGestures(el: HTMLElement, tracker: GestureTracker): () => void {
  let rect: DOMRect | null = null;
  const toPoint = (e: PointerEvent): GesturePoint => {
    const r = rect ?? el.getBoundingClientRect();
    return { pointerId: e.pointerId, x: e.clientX - r.left, y: e.clientY - r.top, t: e.timeStamp };
  };
  const onDown = (e: PointerEvent) => {
    if (e.button !== undefined && e.button > 0) return; // primary button / touch / pen tip only
    e.preventDefault(); // keep focus (and the caret) in the page's field
    e.stopPropagation();
    rect = el.getBoundingClientRect();
    try {
      el.setPointerCapture(e.pointerId);
    } catch {
      // pointer already gone; the tracker copes with a missing up
    }
    tracker.down(toPoint(e));
  };
  const onMove = (e: PointerEvent) => {
    if (!tracker.busy) return;
    e.preventDefault();
    const samples = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    if (samples.length > 0) for (const s of samples) tracker.move(toPoint(s));
    else tracker.move(toPoint(e));
  };
  const onUp = (e: PointerEvent) => {
    e.preventDefault();
    e.stopPropagation();
    tracker.up(toPoint(e));
    rect = null;
  };
  const onCancel = (e: PointerEvent) => {
    tracker.cancel(e.pointerId);
    rect = null;
  };
  const stop = (e: Event) => {
    e.preventDefault();
    e.stopPropagation();
  };
  // One abort removes every listener: the list cannot drift between attach and detach.
  const detach = new AbortController();
  const opts = { signal: detach.signal };
  el.addEventListener('pointerdown', onDown, opts);
  el.addEventListener('pointermove', onMove, opts);
  el.addEventListener('pointerup', onUp, opts);
  el.addEventListener('pointercancel', onCancel, opts);
  el.addEventListener('lostpointercapture', onCancel, opts);
  el.addEventListener('mousedown', stop, opts);
  el.addEventListener('contextmenu', stop, opts);
  return () => detach.abort();
}
