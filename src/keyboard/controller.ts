/**
 * Glue between the keyboard UI, the typing state machine and the focused field, so the
 * content script (and the demo page) only supply a decoder and storage callbacks:
 *
 *   const kb = createKeyboardController(host, { decode, learn, isKnownWord, onResize, onDismiss }, view);
 *   kb.attachField(el);   // on focus of an eligible field
 *   kb.detachField();     // on blur
 *
 * A newer swipe supersedes an older pending decode: only the latest result is inserted.
 * If the caret moved or the page changed the text since the keyboard's last edit, the
 * typing state starts over from the field (so backspace never deletes the wrong word).
 */
import { applyEdit, textBeforeCaret } from '../insert/edit';
import type { Trace } from './gesture';
import type { KeyDef } from './geometry';
import type { KeyboardProps, KeyboardTheme } from './Keyboard';
import type { Layout } from './layout';
import { mountKeyboard, type KeyboardHandle, type MountOptions } from './mount';
import { CONTEXT_CHARS, initialTextState, reduceText, type LearnEvent, type TextAction, type TextOptions, type TextState } from './text-state';

export interface ControllerDeps {
  /** ranked words for a swipe, best first; reject (or resolve []) when there are none */
  decode: (trace: Trace) => Promise<string[]>;
  /** learning events (accepted / typed-unknown / demoted words) */
  learn?: (events: LearnEvent[]) => void;
  /** lexicon membership, lower case, for learning typed words */
  isKnownWord?: (word: string) => boolean;
  /** the user resized the keyboard: save it */
  onResize?: (height: number) => void;
  /** the user pressed the hide button */
  onDismiss?: () => void;
  /** a decode failed (for logs); the keyboard shows `message` in its status line */
  onError?: (error: unknown) => void;
}

export interface ControllerView {
  theme: KeyboardTheme;
  height: number;
  maxSuggestions?: number;
  maxWidth?: number;
  layout?: Layout;
  status?: KeyboardProps['status'];
}

export interface KeyboardController {
  /** the field edits go to from now on (re-reads its text before the caret) */
  attachField(el: HTMLElement): void;
  /** the field lost focus: pending words are learnt */
  detachField(): void;
  /** change theme / height / suggestion count / status (e.g. from settings) */
  updateView(patch: Partial<ControllerView>): void;
  /** current typing state (for tests and debugging) */
  readonly state: TextState;
  destroy(): void;
}

/** Fields where sentence capitalisation would be wrong. */
function autoCapitalizeFor(el: HTMLElement): boolean {
  const type = (el.getAttribute('type') ?? '').toLowerCase();
  if (el.tagName === 'INPUT' && (type === 'email' || type === 'url')) return false;
  const attr = (el.getAttribute('autocapitalize') ?? '').toLowerCase();
  return attr !== 'none' && attr !== 'off';
}

export function createKeyboardController(
  host: HTMLElement,
  deps: ControllerDeps,
  view: ControllerView,
  mountOptions?: MountOptions,
): KeyboardController {
  let field: HTMLElement | null = null;
  let opts: TextOptions = { ...(deps.isKnownWord ? { isKnownWord: deps.isKnownWord } : {}) };
  let state = initialTextState('', opts);
  let currentView = view;
  let decodeSeq = 0;
  let handle: KeyboardHandle | null = null;
  /** the last decode's outcome when there was no word or an error; overrides view.status */
  let decodeStatus: KeyboardProps['status'];

  const props = (): Partial<KeyboardProps> => ({
    shift: state.shift,
    layer: state.layer,
    suggestions: state.suggestions,
    selected: state.selected,
    theme: currentView.theme,
    height: currentView.height,
    maxSuggestions: currentView.maxSuggestions ?? 4,
    status: decodeStatus ?? currentView.status,
    ...(currentView.maxWidth !== undefined ? { maxWidth: currentView.maxWidth } : {}),
    ...(currentView.layout ? { layout: currentView.layout } : {}),
  });

  /** resync when the field's text before the caret is not what our last edit left */
  const syncWithField = () => {
    if (!field) return;
    const actual = textBeforeCaret(field, CONTEXT_CHARS);
    if (actual.slice(-16) !== state.before.slice(-16)) dispatch({ type: 'reset', before: actual }, false);
  };

  const dispatch = (action: TextAction, render = true) => {
    const r = reduceText(state, action, opts);
    state = r.state;
    if (field) for (const e of r.edits) applyEdit(field, e);
    if (r.learn.length > 0) deps.learn?.(r.learn);
    if (render) handle?.update(props());
  };

  const onKey = (key: KeyDef, t: number) => {
    decodeStatus = undefined;
    syncWithField();
    dispatch({ type: 'key', kind: key.kind, ...(key.char !== undefined ? { char: key.char } : {}), t });
  };

  const onSwipe = (trace: Trace) => {
    const seq = ++decodeSeq;
    deps.decode(trace).then(
      (words) => {
        if (seq !== decodeSeq) return; // a newer swipe superseded this one
        decodeStatus = undefined;
        if (words.length === 0) {
          decodeStatus = { text: 'No word found. Try again', kind: 'info' };
          handle?.update(props());
          return;
        }
        syncWithField();
        dispatch({ type: 'swipe', candidates: words });
      },
      (err: unknown) => {
        if (seq !== decodeSeq) return;
        deps.onError?.(err);
        const message = err instanceof Error ? err.message : String(err);
        decodeStatus = { text: message || 'Decoding failed', kind: 'error' };
        handle?.update(props());
      },
    );
  };

  const onPick = (index: number) => {
    syncWithField();
    dispatch({ type: 'pick', index });
  };

  handle = mountKeyboard(
    host,
    {
      ...(props() as KeyboardProps),
      onKey,
      onSwipe,
      onPick,
      onResize: (h) => {
        currentView = { ...currentView, height: h };
        deps.onResize?.(h);
      },
      onDismiss: () => deps.onDismiss?.(),
    },
    mountOptions,
  );

  return {
    attachField(el) {
      if (field && field !== el) dispatch({ type: 'commit' }, false);
      field = el;
      opts = { ...opts, autoCapitalize: autoCapitalizeFor(el) };
      decodeSeq++; // a result for the previous field must not land in this one
      dispatch({ type: 'reset', before: textBeforeCaret(el, CONTEXT_CHARS) });
    },
    detachField() {
      dispatch({ type: 'commit' });
      field = null;
      decodeSeq++;
    },
    updateView(patch) {
      currentView = { ...currentView, ...patch };
      handle?.update(props());
    },
    get state() {
      return state;
    },
    destroy() {
      if (field) dispatch({ type: 'commit' }, false);
      field = null;
      decodeSeq++;
      handle?.unmount();
      handle = null;
    },
  };
}
