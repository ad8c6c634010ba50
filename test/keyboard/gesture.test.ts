import { describe, expect, it } from 'vitest';
import { buildKeys, hitTestPx, type KeyDef } from '../../src/keyboard/geometry';
import { GestureTracker, type Trace } from '../../src/keyboard/gesture';
import { QWERTY } from '../../src/keyboard/layout';

const SIZE = { width: 400, height: 200 };
const keys = buildKeys('letters');
const centre = (ch: string): [number, number] => {
  const k = QWERTY.keys.find((l) => l.key === ch)!;
  return [k.x * SIZE.width, k.y * SIZE.height];
};

function setup(maxPoints?: number) {
  const taps: string[] = [];
  const swipes: Trace[] = [];
  const events: string[] = [];
  const tracker = new GestureTracker(
    {
      hitTest: (x, y) => hitTestPx(keys, x, y, SIZE),
      size: () => SIZE,
      canSwipeFrom: (k: KeyDef) => k.kind === 'letter',
      minSwipeDistance: () => 12,
      ...(maxPoints ? { maxPoints } : {}),
    },
    {
      onTap: (k) => taps.push(k.id),
      onSwipe: (t) => swipes.push(t),
      onCancel: () => events.push('cancel'),
      onPress: (k) => events.push(`press:${k?.id ?? '-'}`),
      onSwipeMove: () => events.push('move'),
    },
  );
  return { tracker, taps, swipes, events };
}

describe('GestureTracker', () => {
  it('should report a tap when the pointer stays on one key', () => {
    const { tracker, taps, swipes } = setup();
    const [x, y] = centre('g');
    tracker.down({ pointerId: 1, x, y, t: 1000 });
    tracker.move({ pointerId: 1, x: x + 4, y: y + 3, t: 1030 });
    tracker.up({ pointerId: 1, x: x + 4, y: y + 3, t: 1060 });
    expect(taps).toEqual(['g']);
    expect(swipes).toEqual([]);
  });

  it('should report a tap for a tiny slip over a key edge', () => {
    const { tracker, taps, swipes } = setup();
    tracker.down({ pointerId: 1, x: 38, y: 20, t: 0 }); // q, near its right edge (40)
    tracker.move({ pointerId: 1, x: 42, y: 20, t: 10 });
    tracker.up({ pointerId: 1, x: 42, y: 20, t: 20 });
    expect(taps).toEqual(['q']);
    expect(swipes).toHaveLength(0);
  });

  it('should emit a swipe trace in key-area pixels with times from the first point', () => {
    const { tracker, taps, swipes } = setup();
    const path = ['h', 'e', 'l', 'o'].map(centre);
    tracker.down({ pointerId: 7, x: path[0]![0], y: path[0]![1], t: 5000 });
    path.slice(1).forEach(([x, y], i) => tracker.move({ pointerId: 7, x, y, t: 5000 + 100 * (i + 1) }));
    tracker.up({ pointerId: 7, x: path[3]![0], y: path[3]![1], t: 5400 });
    expect(taps).toEqual([]);
    expect(swipes).toHaveLength(1);
    const trace = swipes[0]!;
    expect(trace.width).toBe(400);
    expect(trace.height).toBe(200);
    expect(trace.points[0]).toEqual([...path[0]!, 0]);
    expect(trace.points.map((p) => p[2])).toEqual([0, 100, 200, 300]);
    expect(trace.points[3]).toEqual([...path[3]!, 300]);
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace); // plain arrays, survives messaging
  });

  it('should not swipe from a function key, and drop a press that slides off it', () => {
    const { tracker, taps, swipes, events } = setup();
    tracker.down({ pointerId: 1, x: 200, y: 180, t: 0 }); // space
    tracker.move({ pointerId: 1, x: 200, y: 60, t: 50 });
    tracker.up({ pointerId: 1, x: 200, y: 60, t: 80 });
    expect(swipes).toHaveLength(0);
    expect(taps).toEqual([]);
    expect(events).toContain('cancel');
    tracker.down({ pointerId: 2, x: 200, y: 180, t: 100 });
    tracker.up({ pointerId: 2, x: 205, y: 182, t: 150 });
    expect(taps).toEqual(['space']);
  });

  it('should cancel on pointercancel and emit nothing', () => {
    const { tracker, taps, swipes, events } = setup();
    const [x, y] = centre('a');
    tracker.down({ pointerId: 3, x, y, t: 0 });
    tracker.move({ pointerId: 3, x: x + 100, y, t: 40 });
    tracker.cancel(3);
    tracker.up({ pointerId: 3, x: x + 100, y, t: 80 });
    expect(taps).toEqual([]);
    expect(swipes).toEqual([]);
    expect(events).toContain('cancel');
    expect(tracker.busy).toBe(false);
  });

  it('should ignore moves of other pointers and non-finite points', () => {
    const { tracker, swipes } = setup();
    const [x, y] = centre('a');
    tracker.down({ pointerId: 1, x, y, t: 0 });
    tracker.move({ pointerId: 2, x: 300, y, t: 10 });
    tracker.move({ pointerId: 1, x: Number.NaN, y, t: 20 });
    tracker.move({ pointerId: 1, x: x + 80, y, t: 30 });
    tracker.up({ pointerId: 1, x: x + 80, y, t: 40 });
    expect(swipes[0]!.points).toEqual([
      [x, y, 0],
      [x + 80, y, 30],
    ]);
  });

  it('should commit a pending tap when a second finger lands (two-thumb typing)', () => {
    const { tracker, taps } = setup();
    const [ax, ay] = centre('a');
    const [lx, ly] = centre('l');
    tracker.down({ pointerId: 1, x: ax, y: ay, t: 0 });
    tracker.down({ pointerId: 2, x: lx, y: ly, t: 30 });
    tracker.up({ pointerId: 1, x: ax, y: ay, t: 40 });
    tracker.up({ pointerId: 2, x: lx, y: ly, t: 60 });
    expect(taps).toEqual(['a', 'l']);
  });

  it('should keep at most maxPoints points, keeping the first and last', () => {
    const { tracker, swipes } = setup(100);
    tracker.down({ pointerId: 1, x: 10, y: 10, t: 0 });
    for (let i = 1; i <= 1000; i++) tracker.move({ pointerId: 1, x: 10 + (i % 380), y: 10 + (i % 150), t: i });
    tracker.up({ pointerId: 1, x: 390, y: 150, t: 1001 });
    const pts = swipes[0]!.points;
    expect(pts.length).toBeLessThanOrEqual(100);
    expect(pts.length).toBeGreaterThan(40);
    expect(pts[0]).toEqual([10, 10, 0]);
    expect(pts[pts.length - 1]).toEqual([390, 150, 1001]);
    for (let i = 1; i < pts.length; i++) expect(pts[i]![2]).toBeGreaterThanOrEqual(pts[i - 1]![2]);
  });
});
