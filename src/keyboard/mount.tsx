/** @jsxImportSource preact */
/**
 * Mounts the keyboard into a CLOSED shadow root on `host`, so the page's scripts cannot
 * reach its DOM and neither side's styles leak into the other.
 */
import { render } from 'preact';
import { Keyboard, type KeyboardProps } from './Keyboard';
import { KEYBOARD_CSS } from './styles';

export interface KeyboardHandle {
  /** re-render with some props changed */
  update(patch: Partial<KeyboardProps>): void;
  /** remove the keyboard (the host element stays; remove it too if it was yours) */
  unmount(): void;
}

export interface MountOptions {
  /** pin the host to the bottom of the viewport, above everything (default true) */
  docked?: boolean;
}

const DOCK_STYLE: Record<string, string> = {
  position: 'fixed',
  left: '0',
  right: '0',
  bottom: '0',
  'z-index': '2147483647',
  display: 'block',
  margin: '0',
  padding: '0',
  border: '0',
};

/** `host` must not have a shadow root yet (a shadow root cannot be attached twice). */
export function mountKeyboard(host: HTMLElement, props: KeyboardProps, opts: MountOptions = {}): KeyboardHandle {
  const shadow = host.attachShadow({ mode: 'closed' });
  const doc = host.ownerDocument;
  const win = doc.defaultView;
  // A constructed stylesheet is not subject to the page's CSP style-src; <style> is the fallback.
  let styleEl: HTMLStyleElement | null = null;
  try {
    if (!win || typeof win.CSSStyleSheet !== 'function' || !('adoptedStyleSheets' in shadow)) throw new Error('unsupported');
    const sheet = new win.CSSStyleSheet();
    sheet.replaceSync(KEYBOARD_CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    styleEl = doc.createElement('style');
    styleEl.textContent = KEYBOARD_CSS;
    shadow.append(styleEl);
  }
  const container = doc.createElement('div');
  shadow.append(container);
  if (opts.docked ?? true) {
    for (const [k, v] of Object.entries(DOCK_STYLE)) host.style.setProperty(k, v, 'important');
  }
  let current = props;
  render(<Keyboard {...current} />, container);
  return {
    update(patch) {
      current = { ...current, ...patch };
      render(<Keyboard {...current} />, container);
    },
    unmount() {
      render(null, container);
      container.remove();
      styleEl?.remove();
    },
  };
}
