/** @jsxImportSource preact */
/**
 * The overlay keyboard: resize handle, suggestion bar with dismiss button, and the key area
 * (the box swipe traces are measured in). Presentational: typing state lives in
 * text-state.ts and comes in through props; taps, swipes, picks come out through callbacks.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { attachGestures, GestureTracker, type Trace } from './gesture';
import { buildKeys, hitTestPx, type KeyDef, type Layer } from './geometry';
import { Key } from './Key';
import { QWERTY, type Layout } from './layout';
import { SuggestionBar } from './SuggestionBar';
import { createTrailController, SwipeTrail } from './SwipeTrail';
import type { ShiftState } from './text-state';

export type KeyboardTheme = 'light' | 'dark' | 'system';

export interface KeyboardProps {
  /** letter geometry; must be the layout the model was trained on */
  layout?: Layout;
  theme: KeyboardTheme;
  /** key-area height in CSS px */
  height: number;
  minHeight?: number;
  maxHeight?: number;
  /** the key area is at most this wide (px) and centred; default 900 */
  maxWidth?: number;
  shift: ShiftState;
  layer: Layer;
  suggestions: readonly string[];
  /** index of the inserted suggestion, -1 for none */
  selected: number;
  /** suggestions shown; default 4 */
  maxSuggestions?: number;
  /** shown in the suggestion bar while there are no suggestions */
  status?: { text: string; kind: 'info' | 'error' } | undefined;
  /** a key was tapped; `t` is a performance.now() time (for shift double tap) */
  onKey: (key: KeyDef, t: number) => void;
  /** a swipe finished; the trace is in key-area pixels */
  onSwipe: (trace: Trace) => void;
  onPick: (index: number) => void;
  /** the user finished resizing: the new key-area height, to be saved */
  onResize?: (height: number) => void;
  onDismiss?: () => void;
}

const REPEAT_DELAY_MS = 450;
const REPEAT_EVERY_MS = 70;
/** swipe needs the pointer to leave its key and move this many key widths */
const MIN_SWIPE_KEY_WIDTHS = 0.3;

export function Keyboard(props: KeyboardProps) {
  const layout = props.layout ?? QWERTY;
  const keys = useMemo(() => buildKeys(props.layer, layout), [props.layer, layout]);
  const live = useRef({ props, keys, layout });
  live.current = { props, keys, layout };

  const minH = props.minHeight ?? 120;
  const maxH = props.maxHeight ?? 600;
  const [height, setHeight] = useState(props.height);
  useEffect(() => setHeight(props.height), [props.height]);

  const [pressed, setPressed] = useState<string | null>(null);
  const areaRef = useRef<HTMLDivElement>(null);
  const trail = useMemo(createTrailController, []);

  useEffect(() => {
    const el = areaRef.current;
    if (!el) return;
    const size = () => {
      const r = el.getBoundingClientRect();
      return { width: r.width, height: r.height };
    };
    const repeat = { timer: undefined as ReturnType<typeof setTimeout> | undefined, fired: false };
    const stopRepeat = () => {
      if (repeat.timer !== undefined) clearTimeout(repeat.timer);
      repeat.timer = undefined;
    };
    const tracker = new GestureTracker(
      {
        hitTest: (x, y) => hitTestPx(live.current.keys, x, y, size()),
        size,
        canSwipeFrom: (k) => k.kind === 'letter',
        minSwipeDistance: () => MIN_SWIPE_KEY_WIDTHS * live.current.layout.key_width * size().width,
      },
      {
        onTap: (key) => {
          if (key.kind === 'backspace' && repeat.fired) {
            repeat.fired = false; // the hold already deleted; the release adds nothing
            return;
          }
          live.current.props.onKey(key, performance.now());
        },
        onSwipe: (trace) => {
          trail.fade();
          live.current.props.onSwipe(trace);
        },
        onPress: (key) => {
          setPressed(key?.id ?? null);
          stopRepeat();
          if (key?.kind === 'backspace') {
            repeat.fired = false;
            const tick = (delay: number) => {
              repeat.timer = setTimeout(() => {
                repeat.fired = true;
                live.current.props.onKey(key, performance.now());
                tick(REPEAT_EVERY_MS);
              }, delay);
            };
            tick(REPEAT_DELAY_MS);
          }
        },
        onSwipeMove: (points) => trail.draw(points),
        onCancel: () => trail.fade(),
      },
    );
    const detach = attachGestures(el, tracker);
    return () => {
      stopRepeat();
      detach();
    };
  }, [trail]);

  const onActivate = (key: KeyDef) => live.current.props.onKey(key, performance.now());

  // resize handle: drag up for a taller keyboard
  const drag = useRef<{ id: number; y: number; h: number; last: number } | null>(null);
  const clampH = (h: number) => Math.round(Math.min(maxH, Math.max(minH, h)));
  const onHandleDown = (e: PointerEvent) => {
    e.preventDefault();
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    drag.current = { id: e.pointerId, y: e.clientY, h: height, last: height };
  };
  const onHandleMove = (e: PointerEvent) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    d.last = clampH(d.h - (e.clientY - d.y));
    setHeight(d.last);
  };
  const onHandleUp = (e: PointerEvent) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    drag.current = null;
    if (d.last !== d.h) props.onResize?.(d.last);
  };

  return (
    <div
      class="kb"
      data-theme={props.theme}
      role="group"
      aria-label="Swipe keyboard"
      // keep focus and caret in the page's field whatever part of the keyboard is pressed
      onPointerDown={(e) => e.preventDefault()}
      onMouseDown={(e) => e.preventDefault()}
    >
      <div
        class="handle"
        role="separator"
        aria-orientation="horizontal"
        aria-label="Resize keyboard"
        aria-valuenow={height}
        aria-valuemin={minH}
        aria-valuemax={maxH}
        onPointerDown={onHandleDown}
        onPointerMove={onHandleMove}
        onPointerUp={onHandleUp}
        onPointerCancel={onHandleUp}
      />
      <div class="bar">
        <SuggestionBar
          suggestions={props.suggestions}
          selected={props.selected}
          max={props.maxSuggestions ?? 4}
          status={props.status}
          onPick={(i) => props.onPick(i)}
        />
        <div class="dismiss" role="button" aria-label="Hide keyboard" onClick={() => props.onDismiss?.()}>
          <span aria-hidden="true">⌄</span>
        </div>
      </div>
      <div
        ref={areaRef}
        class="keys"
        role="toolbar"
        aria-label={props.layer === 'letters' ? 'Letters' : 'Numbers and symbols'}
        style={{ height: `${height}px`, maxWidth: `${props.maxWidth ?? 900}px` }}
      >
        {keys.map((k) => (
          <Key key={k.id} def={k} shift={props.shift} pressed={pressed === k.id} onActivate={onActivate} />
        ))}
        <SwipeTrail controller={trail} />
      </div>
    </div>
  );
}
