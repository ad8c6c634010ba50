/**
 * The content script's logic (entrypoints/content.ts only wires browser APIs to it):
 *
 * - tracks focus on eligible fields (isEligibleField) in this frame, through open shadow roots
 *   (deepActiveElement); never password / one-time-code / credit-card fields;
 * - shows the keyboard (createKeyboardController) docked at the bottom of this frame's viewport
 *   and scrolls the focused field above it; the hide button dismisses it until the next focus;
 * - the toolbar button / shortcut turn it on or off for this site (settings.sites, by host);
 * - decodes through the messaging client (content script -> background -> engine host) and
 *   sends learning events (accepted, typed-unknown, demoted words) to the personal store;
 * - applies theme, height, suggestion count and site choices live (storage change events).
 */
import type { Client } from '../messaging/client';
import type { LearnKind } from '../messaging/protocol';
import { deepActiveElement, isEligibleField } from '../insert';
import { createKeyboardController, type KeyboardController } from '../keyboard/controller';
import type { Trace } from '../keyboard/gesture';
import type { LearnEvent } from '../keyboard/text-state';
import { createSettingsStore, isSiteEnabled, sitePatch, siteKey, type Settings } from '../storage/settings';
import type { StorageAreaLike } from '../storage/storage-area';
import { shouldHandleToggle } from './toggle';

export const HOST_TAG = 'swipe-anywhere-keyboard';
const SPACER_TAG = 'swipe-anywhere-spacer';

export interface OverlayDeps {
  client: Client;
  storage: StorageAreaLike;
  win?: Window;
  /** test builds only: sees the keyboard's host element before the shadow root is attached */
  onHostCreated?: (host: HTMLElement) => void;
  /** test builds only: every decode answer the keyboard received, with the trace it answered */
  onDecoded?: (words: string[], trace: Trace) => void;
  /** test builds only: the keyboard was shown / hidden */
  onVisibility?: (visible: boolean) => void;
}

export interface Overlay {
  /** the toolbar button or shortcut was used (already filtered by shouldHandleToggle) */
  toggle(): Promise<void>;
  readonly visible: boolean;
  destroy(): void;
}

/** The site this frame belongs to: its own host, or its parent's for about:blank/srcdoc frames. */
export function frameSite(win: Window): string {
  let w: Window | null = win;
  for (let i = 0; w && i < 8; i++) {
    try {
      if (w.location.host) return w.location.host;
    } catch {
      return '';
    }
    w = w === w.parent ? null : w.parent;
  }
  return '';
}

export async function startOverlay(deps: OverlayDeps): Promise<Overlay> {
  const win = deps.win ?? window;
  const doc = win.document;
  const store = createSettingsStore(deps.storage);
  let settings: Settings = await store.load();
  const site = frameSite(win);
  let field: HTMLElement | null = null;
  let dismissed = false;
  let visible = false;
  let controller: KeyboardController | null = null;
  let host: HTMLElement | null = null;
  let spacer: HTMLElement | null = null;
  let warmed = false;

  const siteOn = (): boolean => isSiteEnabled(settings, site);

  /**
   * Key-area height: the user's setting, capped so the keyboard (plus its ~50 px bar) takes at
   * most 60% of this frame's viewport (small windows, iframes); never below 120 px.
   */
  const keyHeight = (): number => Math.min(settings.keyboardHeight, Math.max(120, Math.floor(win.innerHeight * 0.6) - 50));
  const view = () => ({ theme: settings.theme, height: keyHeight(), maxSuggestions: settings.suggestionCount });

  const decode = async (trace: Trace): Promise<string[]> => {
    const r = await deps.client.request('decode', { points: trace.points, width: trace.width, height: trace.height, layout: settings.layout });
    if (r.ok) {
      deps.onDecoded?.(r.value.words, trace);
      return r.value.words.slice(0, settings.suggestionCount);
    }
    // A newer swipe superseded this one: its own answer will land; this one never does.
    if (r.error.code === 'cancelled') return new Promise<string[]>(() => undefined);
    throw new Error(r.error.message);
  };

  const learn = (events: LearnEvent[]): void => {
    for (const e of events) void deps.client.request('learnWord', { word: e.word, kind: e.type as LearnKind });
  };

  const ensureController = (): KeyboardController => {
    if (controller) return controller;
    host = doc.createElement(HOST_TAG);
    deps.onHostCreated?.(host);
    doc.documentElement.append(host);
    controller = createKeyboardController(
      host,
      {
        decode,
        learn,
        // the engine host decides (it has the lexicon): every tapped word is offered as "typed"
        isKnownWord: () => false,
        onResize: (h) => void store.save({ keyboardHeight: h }),
        onDismiss: () => {
          dismissed = true;
          hide();
        },
        onError: (e) => console.warn('SwipeAnywhere:', e),
      },
      view(),
    );
    new ResizeObserver(() => visible && makeRoom()).observe(host);
    return controller;
  };

  /** Leaves room below the page for the keyboard and scrolls the field above it. */
  const makeRoom = (): void => {
    if (!host || !field) return;
    const kb = host.getBoundingClientRect().height;
    if (!spacer) {
      spacer = doc.createElement(SPACER_TAG);
      spacer.setAttribute('aria-hidden', 'true');
      doc.documentElement.append(spacer);
    }
    spacer.style.setProperty('display', 'block', 'important');
    spacer.style.setProperty('height', `${Math.ceil(kb)}px`, 'important');
    const r = field.getBoundingClientRect();
    const limit = win.innerHeight - kb - 8;
    if (r.bottom > limit) win.scrollBy(0, Math.min(r.bottom - limit, r.top - 8));
  };

  const show = (): void => {
    if (!field) return;
    const c = ensureController();
    host!.style.setProperty('display', 'block', 'important');
    c.attachField(field);
    if (!visible) {
      visible = true;
      deps.onVisibility?.(true);
    }
    makeRoom();
    if (!warmed) {
      warmed = true;
      void deps.client.request('status', {}); // starts the engine host (and its model) early
    }
  };

  function hide(): void {
    controller?.detachField();
    host?.style.setProperty('display', 'none', 'important');
    spacer?.style.setProperty('display', 'none', 'important');
    if (visible) {
      visible = false;
      deps.onVisibility?.(false);
    }
  }

  const focusedField = (): HTMLElement | null => {
    const el = deepActiveElement(doc);
    // a field inside a child frame belongs to that frame's own content script
    return el && el !== host && el.ownerDocument === doc && isEligibleField(el) ? (el as HTMLElement) : null;
  };

  const onFocusIn = (): void => {
    const el = focusedField();
    if (!el) return;
    if (el !== field) dismissed = false;
    field = el;
    if (siteOn() && !dismissed) show();
  };
  const onFocusOut = (): void => {
    // wait for focus to land: moving between two fields must not flicker the keyboard
    setTimeout(() => {
      const el = focusedField();
      if (el) return onFocusIn();
      if (doc.hasFocus() || !field?.isConnected) {
        field = null;
        hide();
      }
    }, 0);
  };
  doc.addEventListener('focusin', onFocusIn, true);
  doc.addEventListener('focusout', onFocusOut, true);
  const onWindowResize = (): void => controller?.updateView(view());
  win.addEventListener('resize', onWindowResize);

  const unsubscribe = store.subscribe((next) => {
    settings = next;
    controller?.updateView(view());
    if (!siteOn()) hide();
    else if (field && !dismissed && !visible && focusedField() === field) show();
    if (visible) makeRoom();
  });

  // a field may already have focus when the script starts (document_idle)
  onFocusIn();

  return {
    get visible() {
      return visible;
    },
    async toggle() {
      const on = !(visible || (siteOn() && !dismissed && field !== null));
      if (siteKey(site) !== null) settings = await store.save(sitePatch(settings, site, on));
      if (on) {
        dismissed = false;
        field ??= focusedField();
        if (field) show();
      } else hide();
    },
    destroy() {
      unsubscribe();
      doc.removeEventListener('focusin', onFocusIn, true);
      doc.removeEventListener('focusout', onFocusOut, true);
      win.removeEventListener('resize', onWindowResize);
      controller?.destroy();
      host?.remove();
      spacer?.remove();
    },
  };
}

export { shouldHandleToggle };
