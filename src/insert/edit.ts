/**
 * Putting text into the focused field.
 *
 * Order of preference, for every edit:
 * 1. `document.execCommand('insertText' | 'delete')` while the field has focus: a trusted
 *    edit the browser puts on its undo stack (Ctrl+Z works) and that editors (React, Vue,
 *    ProseMirror, Draft…) see as ordinary typing.
 * 2. Fallback: for input/textarea, the native value setter from the prototype (bypassing a
 *    framework's instance-level value tracker, so React-controlled inputs notice the change),
 *    caret restore, then `beforeinput` (cancelable) and `input` events; for contenteditable,
 *    the Selection/Range APIs and the same events.
 *
 * Counts (`n` in deleteBackward) are in code points, as the text state machine counts them.
 */
import { hasFocusWithin } from './deep-active';
import { isContentEditable, isTextControl } from './eligibility';

type TextControl = HTMLInputElement | HTMLTextAreaElement;

export type FieldEdit = { type: 'text'; deleteBackward: number; insert: string } | { type: 'enter' };

/** Insert `text` at the caret (replacing the selection). Returns whether the field changed. */
export function insertText(el: HTMLElement, text: string): boolean {
  return replaceBeforeCaret(el, 0, text);
}

/**
 * Like Backspace pressed `n` times: deletes the selection if there is one, else `n` code
 * points before the caret.
 */
export function deleteBackward(el: HTMLElement, n = 1): boolean {
  return replaceBeforeCaret(el, Math.max(0, n), '');
}

/**
 * Replace `oldText`, which must sit right before the caret, by `newText` in one edit.
 * Returns false (and changes nothing) when the text before the caret is not `oldText`
 * (the user moved the caret or edited in between).
 */
export function replaceLastInserted(el: HTMLElement, oldText: string, newText: string): boolean {
  const before = textBeforeCaret(el, [...oldText].length + 1);
  if (!before.endsWith(oldText)) return false;
  return replaceBeforeCaret(el, [...oldText].length, newText) || oldText === newText;
}

/** Apply one edit from the text state machine. */
export function applyEdit(el: HTMLElement, edit: FieldEdit): boolean {
  if (edit.type === 'enter') return pressEnter(el);
  return replaceBeforeCaret(el, edit.deleteBackward, edit.insert);
}

/**
 * Enter: a keydown/keypress/keyup Enter goes to the field first (chat boxes send on it and
 * cancel the keydown); if not cancelled, textarea and contenteditable get a line break and
 * a single-line input submits its form.
 */
export function pressEnter(el: HTMLElement): boolean {
  const win = el.ownerDocument.defaultView ?? window;
  const init: KeyboardEventInit = { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true, composed: true };
  const legacy = { keyCode: 13, which: 13, charCode: 13 };
  const down = new win.KeyboardEvent('keydown', init);
  defineLegacy(down, legacy);
  const handled = !el.dispatchEvent(down);
  if (!handled) {
    const press = new win.KeyboardEvent('keypress', init);
    defineLegacy(press, legacy);
    el.dispatchEvent(press);
  }
  let changed = handled;
  if (!handled) {
    if (el.tagName === 'TEXTAREA') {
      changed = insertText(el, '\n');
    } else if (el.tagName === 'INPUT') {
      const form = (el as HTMLInputElement).form;
      if (form) {
        if (typeof form.requestSubmit === 'function') form.requestSubmit();
        else form.submit();
        changed = true;
      }
    } else if (isContentEditable(el)) {
      changed = exec(el, 'insertParagraph') || insertText(el, '\n');
    }
  }
  const up = new win.KeyboardEvent('keyup', init);
  defineLegacy(up, legacy);
  el.dispatchEvent(up);
  return changed;
}

/** Up to `max` characters before the caret (for auto-capitalisation and spacing only). */
export function textBeforeCaret(el: HTMLElement, max = 64): string {
  if (isTextControl(el)) {
    const [start] = selectionOf(el);
    return el.value.slice(Math.max(0, start - max), start);
  }
  const sel = selectionFor(el);
  const range = sel && sel.rangeCount > 0 ? sel.getRangeAt(0) : null;
  if (!range || !el.contains(range.startContainer)) return '';
  const r = el.ownerDocument.createRange();
  r.selectNodeContents(el);
  r.setEnd(range.startContainer, range.startOffset);
  // editors store a trailing typed space as U+00A0 so it stays visible; it is a space to us
  return r.toString().slice(-max).replace(/\u00a0/g, ' ');
}

/** Delete `n` code points before the caret (or the selection) and insert `text`, as one edit. */
export function replaceBeforeCaret(el: HTMLElement, n: number, text: string): boolean {
  if (isTextControl(el)) return editTextControl(el, n, text);
  if (isContentEditable(el)) return editContentEditable(el, n, text);
  return false;
}

// ---------------------------------------------------------------- input / textarea

function selectionOf(el: TextControl): [number, number] {
  let start: number | null = null;
  let end: number | null = null;
  try {
    start = el.selectionStart;
    end = el.selectionEnd;
  } catch {
    // type=email etc. have no selection API; edit at the end
  }
  const len = el.value.length;
  if (start === null || end === null) return [len, len];
  return [Math.min(start, end), Math.max(start, end)];
}

function setCaret(el: TextControl, from: number, to = from): void {
  try {
    el.setSelectionRange(from, to);
  } catch {
    // no selection API on this input type
  }
}

/** UTF-16 index `n` code points before `pos`. */
function backCodePoints(s: string, pos: number, n: number): number {
  let i = pos;
  for (let k = 0; k < n && i > 0; k++) {
    const lo = s.charCodeAt(i - 1);
    const hi = i > 1 ? s.charCodeAt(i - 2) : 0;
    i -= lo >= 0xdc00 && lo <= 0xdfff && hi >= 0xd800 && hi <= 0xdbff ? 2 : 1;
  }
  return i;
}

function editTextControl(el: TextControl, n: number, text: string): boolean {
  const value = el.value;
  const [start, end] = selectionOf(el);
  const from = start === end ? backCodePoints(value, start, n) : start;
  const to = end;
  if (from === to && text === '') return false;

  if (hasFocusWithin(el)) {
    if (from !== start || to !== end) setCaret(el, from, to);
    const ok = text === '' ? exec(el, 'delete') : exec(el, 'insertText', text);
    if (ok) return true;
    if (from !== start || to !== end) setCaret(el, start, end);
  }

  let insert = text;
  const maxLength = el.maxLength;
  if (typeof maxLength === 'number' && maxLength >= 0) {
    const room = maxLength - (value.length - (to - from));
    if (room < insert.length) insert = [...insert].slice(0, Math.max(0, room)).join('');
  }
  const inputType = insert === '' ? 'deleteContentBackward' : from !== to ? 'insertReplacementText' : 'insertText';
  if (!fire(el, 'beforeinput', inputType, insert, true)) return false;
  nativeSetValue(el, value.slice(0, from) + insert + value.slice(to));
  setCaret(el, from + insert.length);
  fire(el, 'input', inputType, insert, false);
  return true;
}

/** The prototype's value setter, so a framework's per-instance value tracker is bypassed. */
function nativeSetValue(el: TextControl, value: string): void {
  const win = el.ownerDocument.defaultView;
  const proto = el.tagName === 'TEXTAREA' ? win?.HTMLTextAreaElement.prototype : win?.HTMLInputElement.prototype;
  const setter = proto ? Object.getOwnPropertyDescriptor(proto, 'value')?.set : undefined;
  if (setter) setter.call(el, value);
  else el.value = value;
}

// ---------------------------------------------------------------- contenteditable

function selectionFor(el: HTMLElement): Selection | null {
  const root = el.getRootNode() as Node & { getSelection?: () => Selection | null };
  // Chromium exposes a shadow root's own selection; elsewhere the document's is right
  if (root.nodeType === 11 && typeof root.getSelection === 'function') return root.getSelection();
  return el.ownerDocument.getSelection();
}

function caretRange(el: HTMLElement, sel: Selection | null): Range {
  const range = sel && sel.rangeCount > 0 ? sel.getRangeAt(0) : null;
  if (range && el.contains(range.startContainer) && el.contains(range.endContainer)) return range.cloneRange();
  const r = el.ownerDocument.createRange();
  r.selectNodeContents(el);
  r.collapse(false);
  return r;
}

function textNodes(el: HTMLElement): Text[] {
  const out: Text[] = [];
  const walker = el.ownerDocument.createTreeWalker(el, 4 /* NodeFilter.SHOW_TEXT */);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) out.push(n as Text);
  return out;
}

/** Move the range's start `n` code points back through the text nodes of `el`. */
function extendBack(el: HTMLElement, range: Range, n: number): void {
  const nodes = textNodes(el);
  let idx: number;
  let off: number;
  const c = range.startContainer;
  if (c.nodeType === 3) {
    idx = nodes.indexOf(c as Text);
    off = range.startOffset;
  } else {
    // boundary between children: the caret sits after the last text node before it
    const prev = c.childNodes[range.startOffset - 1];
    const scope = prev ? textNodesIn(prev, nodes) : [];
    const lastBefore = scope[scope.length - 1];
    if (lastBefore) {
      idx = nodes.indexOf(lastBefore);
      off = lastBefore.data.length;
    } else {
      const next = c.childNodes[range.startOffset];
      const after = next ? textNodesIn(next, nodes)[0] : undefined;
      idx = after ? nodes.indexOf(after) : nodes.length;
      off = 0;
    }
  }
  let remaining = n;
  while (remaining > 0) {
    const node = nodes[idx];
    if (node && off > 0) {
      const next = backCodePoints(node.data, off, 1);
      off = next;
      remaining--;
      continue;
    }
    if (idx <= 0) break;
    idx--;
    off = nodes[idx]?.data.length ?? 0;
  }
  const node = nodes[idx];
  if (node) range.setStart(node, off);
}

function textNodesIn(node: Node, all: Text[]): Text[] {
  if (node.nodeType === 3) return [node as Text];
  return all.filter((t) => node.contains(t));
}

function editContentEditable(el: HTMLElement, n: number, text: string): boolean {
  const sel = selectionFor(el);
  const range = caretRange(el, sel);
  if (range.collapsed && n > 0) extendBack(el, range, n);
  if (range.collapsed && text === '') return false;

  if (hasFocusWithin(el) && sel) {
    sel.removeAllRanges();
    sel.addRange(range.cloneRange());
    if (text === '' ? exec(el, 'delete') : exec(el, 'insertText', text)) return true;
  }

  const inputType = text === '' ? 'deleteContentBackward' : range.collapsed ? 'insertText' : 'insertReplacementText';
  if (!fire(el, 'beforeinput', inputType, text, true)) return false;
  range.deleteContents();
  if (text !== '') {
    const c = range.startContainer;
    if (c.nodeType === 3) {
      const t = c as Text;
      t.insertData(range.startOffset, text);
      range.setStart(t, range.startOffset + text.length);
    } else {
      const node = el.ownerDocument.createTextNode(text);
      range.insertNode(node);
      range.setStart(node, node.data.length);
    }
  }
  range.collapse(true);
  if (sel) {
    sel.removeAllRanges();
    sel.addRange(range);
  }
  fire(el, 'input', inputType, text, false);
  return true;
}

// ---------------------------------------------------------------- shared

function exec(el: HTMLElement, command: string, value?: string): boolean {
  const doc = el.ownerDocument as Document & { execCommand?: Document['execCommand'] };
  if (typeof doc.execCommand !== 'function') return false;
  try {
    return doc.execCommand(command, false, value);
  } catch {
    return false;
  }
}

/** Dispatch beforeinput/input; returns false if a cancelable event was cancelled. */
function fire(el: HTMLElement, type: string, inputType: string, data: string, cancelable: boolean): boolean {
  const win = el.ownerDocument.defaultView ?? window;
  const init = { bubbles: true, cancelable, composed: true, inputType, data: data === '' ? null : data };
  const ev = typeof win.InputEvent === 'function' ? new win.InputEvent(type, init) : new win.Event(type, init);
  return el.dispatchEvent(ev);
}

function defineLegacy(ev: Event, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    try {
      Object.defineProperty(ev, k, { get: () => v });
    } catch {
      // read-only in this engine; key/code are still set
    }
  }
}
