/** All keyboard CSS; injected inside the closed shadow root only. */

const LIGHT = `
  --kb-bg: #d3d6dc; --kb-key: #ffffff; --kb-key-fn: #adb3bc; --kb-key-pressed: #c4c9d1;
  --kb-text: #15171a; --kb-muted: #4b5563; --kb-accent: #1a73e8; --kb-accent-text: #ffffff;
  --kb-shadow: 0 1px 0 rgba(0, 0, 0, 0.28); --kb-trail: rgba(26, 115, 232, 0.75); --kb-bar: #e6e8eb;`;

const DARK = `
  --kb-bg: #1f2124; --kb-key: #44474c; --kb-key-fn: #2e3136; --kb-key-pressed: #5c6067;
  --kb-text: #f1f3f4; --kb-muted: #a8adb4; --kb-accent: #8ab4f8; --kb-accent-text: #14171a;
  --kb-shadow: 0 1px 0 rgba(0, 0, 0, 0.6); --kb-trail: rgba(138, 180, 248, 0.8); --kb-bar: #282a2e;`;

export const KEYBOARD_CSS = `
:host { all: initial; display: block; }
.kb {${LIGHT}
  box-sizing: border-box; display: flex; flex-direction: column; width: 100%;
  background: var(--kb-bg); color: var(--kb-text);
  font: 400 16px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  user-select: none; -webkit-user-select: none; -webkit-touch-callout: none;
  -webkit-tap-highlight-color: transparent; touch-action: none;
  box-shadow: 0 -1px 4px rgba(0, 0, 0, 0.25);
}
.kb[data-theme="dark"] {${DARK} }
@media (prefers-color-scheme: dark) { .kb[data-theme="system"] {${DARK} } }
.kb *, .kb *::before, .kb *::after { box-sizing: border-box; }
.handle { height: 14px; cursor: ns-resize; display: flex; align-items: center; justify-content: center; touch-action: none; }
.handle::before { content: ""; width: 40px; height: 4px; border-radius: 2px; background: var(--kb-muted); opacity: 0.6; }
.bar { display: flex; align-items: stretch; height: 40px; background: var(--kb-bar); }
.suggestions { flex: 1; display: flex; min-width: 0; }
.suggestion { flex: 1 1 0; min-width: 0; display: flex; align-items: center; justify-content: center;
  padding: 0 6px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; cursor: pointer;
  font-size: 16px; color: var(--kb-text); border-radius: 6px; margin: 4px 2px; }
.suggestion[aria-pressed="true"] { font-weight: 600; background: var(--kb-key); }
.suggestion:hover { background: var(--kb-key-pressed); }
.status { flex: 1; display: flex; align-items: center; padding: 0 12px; color: var(--kb-muted); font-size: 14px;
  overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.status[data-kind="error"] { color: #d93025; }
.dismiss { width: 44px; display: flex; align-items: center; justify-content: center; cursor: pointer; color: var(--kb-muted); font-size: 18px; }
.dismiss:hover { color: var(--kb-text); }
.keys { position: relative; width: 100%; margin: 0 auto; touch-action: none; cursor: default; }
.key { position: absolute; padding: 3px 2.5px; touch-action: none; }
.cap { width: 100%; height: 100%; display: flex; align-items: center; justify-content: center;
  border-radius: 6px; background: var(--kb-key); box-shadow: var(--kb-shadow); color: var(--kb-text);
  font-size: 20px; pointer-events: none; }
.key[data-kind="shift"] .cap, .key[data-kind="backspace"] .cap, .key[data-kind="layer"] .cap,
.key[data-kind="enter"] .cap { background: var(--kb-key-fn); font-size: 16px; }
.key[data-kind="space"] .cap { font-size: 13px; color: var(--kb-muted); }
.key[data-pressed="true"] .cap { background: var(--kb-key-pressed); }
.key[data-kind="shift"][aria-pressed="true"] .cap { background: var(--kb-accent); color: var(--kb-accent-text); }
.key[data-kind="shift"][data-lock="true"] .cap { text-decoration: underline; }
.trail { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; overflow: visible; }
.trail polyline { fill: none; stroke: var(--kb-trail); stroke-width: 6px; stroke-linecap: round; stroke-linejoin: round;
  opacity: 1; transition: opacity 0s; }
.trail.fading polyline { opacity: 0; transition: opacity 350ms ease-out; }
@media (prefers-reduced-motion: reduce) { .trail.fading polyline { transition: none; } }
`;
