/** @jsxImportSource preact */
/**
 * The swipe trail: an SVG polyline over the key area, updated imperatively (no re-render per
 * pointer move) and faded out after release.
 */
import { useEffect, useRef } from 'preact/hooks';

export const TRAIL_FADE_MS = 350;

export interface TrailController {
  /** draw the trail through these key-area pixel points */
  draw(points: ReadonlyArray<readonly [number, number, number]>): void;
  /** fade the trail out, then clear it */
  fade(): void;
  /** attach the SVG (done by SwipeTrail) */
  attach(svg: SVGSVGElement | null): void;
}

export function createTrailController(): TrailController {
  let svg: SVGSVGElement | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const line = () => svg?.querySelector('polyline') ?? null;
  return {
    attach(el) {
      svg = el;
    },
    draw(points) {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      svg?.classList.remove('fading');
      let s = '';
      for (const p of points) s += `${p[0].toFixed(1)},${p[1].toFixed(1)} `;
      line()?.setAttribute('points', s.trimEnd());
    },
    fade() {
      if (!svg) return;
      svg.classList.add('fading');
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        line()?.setAttribute('points', '');
        svg?.classList.remove('fading');
      }, TRAIL_FADE_MS);
    },
  };
}

export function SwipeTrail({ controller }: { controller: TrailController }) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    controller.attach(ref.current);
    return () => controller.attach(null);
  }, [controller]);
  return (
    <svg ref={ref} class="trail" aria-hidden="true">
      <polyline points="" />
    </svg>
  );
}
