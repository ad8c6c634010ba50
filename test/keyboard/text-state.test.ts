import { describe, expect, it } from 'vitest';
import type { KeyKind } from '../../src/keyboard/geometry';
import {
  initialTextState,
  isSentenceStart,
  reduceText,
  type Edit,
  type LearnEvent,
  type TextAction,
  type TextOptions,
  type TextState,
} from '../../src/keyboard/text-state';

/** A fake field that applies edits, so sequences are checked by the resulting text. */
function session(before = '', opts: TextOptions = {}) {
  let state: TextState = initialTextState(before, opts);
  let text = before;
  const learn: LearnEvent[] = [];
  const allEdits: Edit[] = [];
  let t = 0;
  const run = (a: TextAction) => {
    const r = reduceText(state, a, opts);
    state = r.state;
    learn.push(...r.learn);
    allEdits.push(...r.edits);
    for (const e of r.edits) {
      if (e.type === 'enter') text += '\n';
      else text = [...text].slice(0, Math.max(0, [...text].length - e.deleteBackward)).join('') + e.insert;
    }
    return r;
  };
  const key = (kind: KeyKind, char?: string, dt = 1000) => {
    t += dt;
    return run({ type: 'key', kind, char, t });
  };
  const api = {
    get state() {
      return state;
    },
    get text() {
      return text;
    },
    learn,
    edits: allEdits,
    run,
    key,
    type(s: string) {
      for (const ch of s) {
        if (ch === ' ') key('space');
        else if (/[a-z]/.test(ch)) key('letter', ch);
        else key('char', ch);
      }
    },
    swipe: (...candidates: string[]) => run({ type: 'swipe', candidates }),
    pick: (index: number) => run({ type: 'pick', index }),
  };
  return api;
}

describe('text state: capitalisation', () => {
  it('should capitalise the first letter of the field and of each sentence', () => {
    const s = session();
    expect(s.state.shift).toBe('once');
    s.type('hi. you');
    expect(s.text).toBe('Hi. You');
    s.type('! ok? yes');
    expect(s.text).toBe('Hi. You! Ok? Yes');
  });

  it('should capitalise after a newline but not mid-sentence', () => {
    const s = session('see');
    expect(s.state.shift).toBe('off');
    s.key('enter');
    s.type('it');
    expect(s.text).toBe('see\nIt');
    expect(s.edits).toContainEqual({ type: 'enter' });
  });

  it('should not auto-capitalise when disabled (email / url fields)', () => {
    const s = session('', { autoCapitalize: false });
    s.type('me');
    expect(s.text).toBe('me');
  });

  it('should let a shift tap turn auto-capitalisation off for one letter', () => {
    const s = session();
    s.key('shift');
    s.type('ab');
    expect(s.text).toBe('ab');
  });

  it('should detect sentence starts', () => {
    expect(isSentenceStart('')).toBe(true);
    expect(isSentenceStart('Hi. ')).toBe(true);
    expect(isSentenceStart('He said "no." ')).toBe(true);
    expect(isSentenceStart('e.g')).toBe(false);
    expect(isSentenceStart('Hi.')).toBe(false);
    expect(isSentenceStart('hello ')).toBe(false);
  });
});

describe('text state: shift and caps lock', () => {
  it('should make shift one-shot', () => {
    const s = session('x ');
    s.key('shift');
    expect(s.state.shift).toBe('once');
    s.type('ab');
    expect(s.text).toBe('x Ab');
    expect(s.state.shift).toBe('off');
  });

  it('should lock caps on a double tap and unlock on the next tap', () => {
    const s = session('x ');
    s.key('shift', undefined, 1000);
    s.key('shift', undefined, 200);
    expect(s.state.shift).toBe('lock');
    s.type('abc');
    s.key('space');
    s.type('d');
    expect(s.text).toBe('x ABC D');
    expect(s.state.shift).toBe('lock');
    s.key('shift');
    expect(s.state.shift).toBe('off');
    s.type('e');
    expect(s.text).toBe('x ABC De');
  });

  it('should not lock on two slow shift taps', () => {
    const s = session('x ');
    s.key('shift', undefined, 1000);
    s.key('shift', undefined, 1000);
    expect(s.state.shift).toBe('off');
  });

  it('should upper-case a swiped word under caps lock', () => {
    const s = session('x ');
    s.key('shift');
    s.key('shift', undefined, 100);
    s.swipe('hello');
    expect(s.text).toBe('x HELLO ');
  });
});

describe('text state: swipes', () => {
  it('should insert the top word with a trailing space, capitalised at sentence start', () => {
    const s = session();
    const r = s.swipe('hello', 'hell', 'jello');
    expect(r.edits).toEqual([{ type: 'text', deleteBackward: 0, insert: 'Hello ' }]);
    expect(s.state.suggestions).toEqual(['hello', 'hell', 'jello']);
    expect(s.state.selected).toBe(0);
    s.swipe('world');
    expect(s.text).toBe('Hello world ');
  });

  it('should add a leading space when the previous character is not a space', () => {
    const s = session('Typed');
    s.swipe('word');
    expect(s.text).toBe('Typed word ');
    const t = session('Say (');
    t.swipe('hi');
    expect(t.text).toBe('Say (hi ');
  });

  it('should delete the whole swiped word and its space on backspace right after, and demote it', () => {
    const s = session('I said ');
    s.swipe('hello', 'help');
    const r = s.key('backspace');
    expect(r.edits).toEqual([{ type: 'text', deleteBackward: 6, insert: '' }]);
    expect(s.text).toBe('I said ');
    expect(s.learn).toEqual([{ type: 'demote', word: 'hello' }]);
    expect(s.state.suggestions).toEqual([]);
    s.key('backspace');
    expect(s.text).toBe('I said');
  });

  it('should delete only one character when backspace does not follow a swipe', () => {
    const s = session('I ');
    s.swipe('am');
    s.type('x');
    s.key('backspace');
    expect(s.text).toBe('I am ');
  });

  it('should replace the inserted word when another candidate is tapped', () => {
    const s = session();
    s.swipe('gone', 'home', 'hone');
    const r = s.pick(1);
    expect(r.edits).toEqual([{ type: 'text', deleteBackward: 5, insert: 'Home ' }]);
    expect(s.text).toBe('Home ');
    s.pick(2);
    expect(s.text).toBe('Hone ');
    expect(s.state.selected).toBe(2);
    expect(s.pick(2).edits).toEqual([]);
    s.swipe('again');
    expect(s.text).toBe('Hone again ');
    expect(s.learn).toEqual([{ type: 'accept', word: 'hone' }]);
  });

  it('should move the auto space after tapped punctuation and swallow one space', () => {
    const s = session();
    s.swipe('hello');
    s.type(',');
    expect(s.text).toBe('Hello, ');
    s.swipe('world');
    s.type('.');
    expect(s.text).toBe('Hello, world. ');
    expect(s.state.shift).toBe('once');
    s.swipe('next');
    s.key('space');
    expect(s.text).toBe('Hello, world. Next ');
    s.key('space');
    expect(s.text).toBe('Hello, world. Next  ');
  });

  it('should ignore an empty candidate list', () => {
    const s = session('a');
    const r = s.swipe();
    expect(r.edits).toEqual([]);
    expect(s.swipe('', '  ').edits).toEqual([]);
  });

  it('should not replace after the user moved on', () => {
    const s = session();
    s.swipe('one', 'ore');
    s.type('x');
    expect(s.pick(1).edits).toEqual([]);
    expect(s.state.suggestions).toEqual([]);
  });
});

describe('text state: learning', () => {
  const known = new Set(['the', 'cat']);
  const opts: TextOptions = { isKnownWord: (w) => known.has(w) };

  it('should accept a swiped word once the user moves on', () => {
    const s = session('', opts);
    s.swipe('cat');
    expect(s.learn).toEqual([]);
    s.swipe('sat');
    expect(s.learn).toEqual([{ type: 'accept', word: 'cat' }]);
    s.run({ type: 'commit' });
    expect(s.learn).toEqual([
      { type: 'accept', word: 'cat' },
      { type: 'accept', word: 'sat' },
    ]);
  });

  it('should report tapped words the lexicon does not know, lower-cased', () => {
    const s = session('', opts);
    s.type('the zorblax cat qi');
    s.key('enter');
    expect(s.learn).toEqual([
      { type: 'typed', word: 'zorblax' },
      { type: 'typed', word: 'qi' },
    ]);
  });

  it('should follow backspaces inside a tapped word', () => {
    const s = session('', opts);
    s.type('thx');
    s.key('backspace');
    s.type('e ');
    expect(s.text).toBe('The ');
    expect(s.learn).toEqual([]);
  });

  it('should not learn a word the user only appended to', () => {
    const s = session('prefix', opts);
    s.type('abc ');
    expect(s.learn).toEqual([]);
  });
});

describe('text state: layers and context', () => {
  it('should switch to the symbols layer and back', () => {
    const s = session('a ');
    s.key('layer');
    expect(s.state.layer).toBe('symbols');
    s.key('char', '4');
    s.key('layer');
    expect(s.state.layer).toBe('letters');
    expect(s.text).toBe('a 4');
  });

  it('should start over on reset and commit what was pending', () => {
    const s = session();
    s.swipe('word');
    const r = s.run({ type: 'reset', before: 'Elsewhere. ' });
    expect(r.learn).toEqual([{ type: 'accept', word: 'word' }]);
    expect(s.state.shift).toBe('once');
    expect(s.state.suggestions).toEqual([]);
    expect(s.key('backspace').edits).toEqual([{ type: 'text', deleteBackward: 1, insert: '' }]);
  });
});
