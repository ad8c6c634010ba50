/**
 * The typing state machine, pure: key taps, swipe results and suggestion picks in; edit
 * operations for the insertion layer and learning events out. No DOM, no clock (callers
 * pass event times), so every sequence is unit-tested.
 *
 * Behaviour, as on phone keyboards:
 * - shift is one-shot; two shift taps within `doubleTapMs` lock caps; a tap on lock unlocks;
 * - at a sentence start (field start, after a newline, after . ! ? and a space) shift turns
 *   on by itself; tapping it turns it off for that letter;
 * - a swiped word is inserted with a trailing space (and a leading one when the previous
 *   character is not a space); punctuation tapped right after it replaces that auto space
 *   ("word ." becomes "word. "); a space tapped right after it is swallowed once;
 * - right after a swipe, backspace deletes the whole word and its auto space and the word
 *   is demoted; tapping another suggestion replaces the inserted word;
 * - an inserted word is accepted (learning event) once the user moves on; a word typed by
 *   taps is reported when it is finished and not in the lexicon.
 */
import type { KeyKind, Layer } from './geometry';

export type ShiftState = 'off' | 'once' | 'lock';

/** One edit at the caret: delete `deleteBackward` code points before it, then insert `insert`. */
export type Edit = { type: 'text'; deleteBackward: number; insert: string } | { type: 'enter' };

export type LearnEvent =
  /** a swiped word the user kept */
  | { type: 'accept'; word: string }
  /** a word typed by taps that the lexicon does not know */
  | { type: 'typed'; word: string }
  /** a swiped word deleted right after it was inserted */
  | { type: 'demote'; word: string };

interface Pending {
  /** the candidate as the engine returned it */
  raw: string;
  /** what was inserted for it (cased), without spaces */
  text: string;
  /** how the first insertion was cased; replacements keep it */
  caseMode: 'as-is' | 'capitalize' | 'upper';
}

export interface TextState {
  /** tail of the text before the caret, as far as the keyboard knows (≤ CONTEXT_CHARS) */
  before: string;
  shift: ShiftState;
  /** time of the last shift tap, for caps-lock double tap */
  lastShiftTap: number;
  layer: Layer;
  /** candidates in the suggestion bar (engine order) */
  suggestions: string[];
  /** index of the inserted candidate, -1 when none */
  selected: number;
  /** the swiped word just inserted, still replaceable / deletable as a whole */
  pending: Pending | null;
  /** `before` ends with a space the keyboard added after a swiped word */
  autoSpace: boolean;
  /** letters tapped since a word boundary; null when the word did not start at a boundary */
  typed: string | null;
}

export interface TextOptions {
  /** whether a word is in the lexicon (lower case); unknown tapped words are learnt */
  isKnownWord?: (word: string) => boolean;
  /** capitalise at sentence start (off for email / url fields) */
  autoCapitalize?: boolean;
  /** two shift taps closer than this lock caps */
  doubleTapMs?: number;
}

export type TextAction =
  /** a key tap; `t` is the event time in ms (needed for shift double tap) */
  | { type: 'key'; kind: KeyKind; char?: string; t?: number }
  /** the engine's ranked words for a swipe; the first is inserted */
  | { type: 'swipe'; candidates: readonly string[] }
  /** the user tapped suggestion `index` */
  | { type: 'pick'; index: number }
  /** focus or caret moved: start over from this text before the caret (commits pending) */
  | { type: 'reset'; before: string }
  /** refresh the text before the caret without ending the current word */
  | { type: 'context'; before: string }
  /** the field lost focus / the keyboard closes: report what is pending */
  | { type: 'commit' };

export interface TextResult {
  state: TextState;
  edits: Edit[];
  learn: LearnEvent[];
}

export const CONTEXT_CHARS = 64;
export const DOUBLE_TAP_MS = 350;
const AUTO_SPACE_PUNCT = new Set(['.', ',', '!', '?', ';', ':']);

export function initialTextState(before = '', opts: TextOptions = {}): TextState {
  const s: TextState = {
    before: tail(before),
    shift: 'off',
    lastShiftTap: -Infinity,
    layer: 'letters',
    suggestions: [],
    selected: -1,
    pending: null,
    autoSpace: false,
    typed: null,
  };
  return { ...s, shift: autoShift(s, opts) };
}

/** Whether the next letter starts a sentence. */
export function isSentenceStart(before: string): boolean {
  if (before === '' || /\n[ \t]*$/.test(before)) return true;
  if (/^\s+$/.test(before)) return true;
  return /[.!?]["'”’)\]]*\s+$/.test(before);
}

export function reduceText(state: TextState, action: TextAction, opts: TextOptions = {}): TextResult {
  const r = new Builder(state, opts);
  switch (action.type) {
    case 'key':
      r.key(action.kind, action.char, action.t ?? 0);
      break;
    case 'swipe':
      r.swipe(action.candidates);
      break;
    case 'pick':
      r.pick(action.index);
      break;
    case 'reset':
      r.commitPending();
      r.flushTyped();
      r.s = { ...initialTextState(action.before, opts), layer: r.s.layer, lastShiftTap: r.s.lastShiftTap };
      if (state.shift === 'lock') r.s.shift = 'lock';
      break;
    case 'context':
      r.s.before = tail(action.before);
      break;
    case 'commit':
      r.commitPending();
      r.flushTyped();
      break;
  }
  return { state: r.s, edits: r.edits, learn: r.learn };
}

class Builder {
  s: TextState;
  edits: Edit[] = [];
  learn: LearnEvent[] = [];

  constructor(
    state: TextState,
    private readonly opts: TextOptions,
  ) {
    this.s = { ...state, suggestions: state.suggestions.slice() };
  }

  key(kind: KeyKind, char: string | undefined, t: number): void {
    switch (kind) {
      case 'shift':
        this.shiftTap(t);
        return;
      case 'layer':
        this.s.layer = this.s.layer === 'letters' ? 'symbols' : 'letters';
        return;
      case 'backspace':
        this.backspace();
        return;
      case 'space':
        this.commitPending();
        this.flushTyped();
        if (this.s.autoSpace) this.s.autoSpace = false; // swallow: the swipe already added it
        else this.text(0, ' ');
        this.afterText();
        return;
      case 'enter':
        this.commitPending();
        this.flushTyped();
        this.edits.push({ type: 'enter' });
        this.s.before = tail(this.s.before + '\n');
        this.s.autoSpace = false;
        this.afterText();
        return;
      case 'letter':
      case 'char':
        if (char) this.char(kind, char);
        return;
    }
  }

  private shiftTap(t: number): void {
    const doubleTap = t - this.s.lastShiftTap <= (this.opts.doubleTapMs ?? DOUBLE_TAP_MS);
    this.s.lastShiftTap = doubleTap ? -Infinity : t;
    if (doubleTap && this.s.shift !== 'lock') this.s.shift = 'lock';
    else this.s.shift = this.s.shift === 'off' ? 'once' : 'off';
  }

  private char(kind: KeyKind, c: string): void {
    this.commitPending();
    const letter = /^\p{L}$/u.test(c);
    const out = kind === 'letter' && this.s.shift !== 'off' ? c.toUpperCase() : c;
    if (this.s.autoSpace && AUTO_SPACE_PUNCT.has(c)) {
      // "word |" + "." → "word. |": the auto space moves after the punctuation.
      this.flushTyped();
      this.text(1, out + ' ');
      this.afterText();
      this.s.autoSpace = true;
      return;
    }
    if (letter) {
      if (this.s.typed !== null) this.s.typed += out;
      else if (isWordBoundary(this.s.before)) this.s.typed = out;
    } else {
      this.flushTyped();
    }
    this.text(0, out);
    this.afterText();
  }

  private backspace(): void {
    const p = this.s.pending;
    if (p) {
      // Right after a swipe: the whole word and its auto space go, and the word is demoted.
      this.learn.push({ type: 'demote', word: p.raw });
      this.s.pending = null;
      this.clearSuggestions();
      this.text(cpLen(p.text) + (this.s.autoSpace ? 1 : 0), '');
      this.afterText();
      return;
    }
    if (this.s.typed !== null) {
      this.s.typed = dropLast(this.s.typed);
      if (this.s.typed === '') this.s.typed = null;
    }
    this.text(1, '');
    this.afterText();
  }

  swipe(candidates: readonly string[]): void {
    const words = candidates.filter((w) => typeof w === 'string' && w.trim() !== '').map((w) => w.trim());
    const top = words[0];
    if (top === undefined) return;
    this.commitPending();
    this.flushTyped();
    const caseMode: Pending['caseMode'] =
      this.s.shift === 'lock' ? 'upper' : this.s.shift === 'once' ? 'capitalize' : 'as-is';
    const text = applyCase(top, caseMode);
    const lead = needsLeadingSpace(this.s.before) ? ' ' : '';
    this.text(0, lead + text + ' ');
    this.s.pending = { raw: top, text, caseMode };
    this.s.suggestions = words;
    this.s.selected = 0;
    this.afterText();
    this.s.autoSpace = true;
  }

  pick(index: number): void {
    const p = this.s.pending;
    const word = this.s.suggestions[index];
    if (!p || word === undefined || index === this.s.selected) return;
    const text = applyCase(word, p.caseMode);
    const trailing = this.s.autoSpace ? 1 : 0;
    this.text(cpLen(p.text) + trailing, text + (trailing ? ' ' : ''));
    this.s.pending = { ...p, raw: word, text };
    this.s.selected = index;
    this.s.autoSpace = trailing === 1;
  }

  commitPending(): void {
    const p = this.s.pending;
    if (!p) return;
    this.learn.push({ type: 'accept', word: p.raw });
    this.s.pending = null;
    this.clearSuggestions();
  }

  flushTyped(): void {
    const w = this.s.typed?.toLowerCase();
    this.s.typed = null;
    if (!w || cpLen(w) < 2 || !/^\p{L}+$/u.test(w)) return;
    if (this.opts.isKnownWord && !this.opts.isKnownWord(w)) this.learn.push({ type: 'typed', word: w });
  }

  private clearSuggestions(): void {
    this.s.suggestions = [];
    this.s.selected = -1;
  }

  /** record an edit and apply it to the known context */
  private text(deleteBackward: number, insert: string): void {
    this.edits.push({ type: 'text', deleteBackward, insert });
    const kept = deleteBackward > 0 ? dropLast(this.s.before, deleteBackward) : this.s.before;
    this.s.before = tail(kept + insert);
    this.s.autoSpace = false;
    if (this.s.pending === null && this.s.suggestions.length > 0) this.clearSuggestions();
  }

  /** after text changed: one-shot shift is used up, auto-capitalisation re-evaluated */
  private afterText(): void {
    if (this.s.shift !== 'lock') this.s.shift = autoShift(this.s, this.opts);
  }
}

function autoShift(s: TextState, opts: TextOptions): ShiftState {
  return (opts.autoCapitalize ?? true) && isSentenceStart(s.before) ? 'once' : 'off';
}

function applyCase(word: string, mode: Pending['caseMode']): string {
  if (mode === 'upper') return word.toUpperCase();
  if (mode === 'capitalize') {
    const [first = '', ...rest] = [...word];
    return first.toUpperCase() + rest.join('');
  }
  return word;
}

function needsLeadingSpace(before: string): boolean {
  if (before === '' || /\s$/u.test(before)) return false;
  // an opening bracket or quote (itself after a space or at the start) takes no space
  return !/(^|\s)[(\[{"'“‘¿¡]$/u.test(before);
}

function isWordBoundary(before: string): boolean {
  return before === '' || !/[\p{L}\p{N}'’-]$/u.test(before);
}

function tail(s: string): string {
  const cps = [...s];
  return cps.length <= CONTEXT_CHARS ? s : cps.slice(-CONTEXT_CHARS).join('');
}

function cpLen(s: string): number {
  return [...s].length;
}

function dropLast(s: string, n = 1): string {
  const cps = [...s];
  return cps.slice(0, Math.max(0, cps.length - n)).join('');
}
