// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  applyEdit,
  deepActiveElement,
  deleteBackward,
  insertText,
  pressEnter,
  replaceLastInserted,
  textBeforeCaret,
} from '../../src/insert';

afterEach(() => {
  document.body.innerHTML = '';
  delete (document as { execCommand?: unknown }).execCommand;
  vi.restoreAllMocks();
});

function field<T extends HTMLInputElement | HTMLTextAreaElement>(tag: 'input' | 'textarea', value: string, caret = value.length): T {
  const el = document.createElement(tag) as T;
  document.body.append(el);
  el.value = value;
  el.focus();
  el.setSelectionRange(caret, caret);
  return el;
}

function recordInputs(el: Element) {
  const events: Array<{ type: string; inputType: string; data: string | null }> = [];
  for (const type of ['beforeinput', 'input']) {
    el.addEventListener(type, (e) => {
      const ie = e as InputEvent;
      events.push({ type, inputType: ie.inputType, data: ie.data });
    });
  }
  return events;
}

describe('input / textarea (fallback path: no execCommand)', () => {
  it('should insert at the caret, move the caret and fire beforeinput + input', () => {
    const el = field<HTMLInputElement>('input', 'helo world', 3);
    const events = recordInputs(el);
    expect(insertText(el, 'l')).toBe(true);
    expect(el.value).toBe('hello world');
    expect(el.selectionStart).toBe(4);
    expect(events).toEqual([
      { type: 'beforeinput', inputType: 'insertText', data: 'l' },
      { type: 'input', inputType: 'insertText', data: 'l' },
    ]);
  });

  it('should replace the selection', () => {
    const el = field<HTMLTextAreaElement>('textarea', 'one two three');
    el.setSelectionRange(4, 7);
    insertText(el, '2');
    expect(el.value).toBe('one 2 three');
    expect(el.selectionStart).toBe(5);
  });

  it('should delete n code points before the caret, surrogate pairs as one', () => {
    const el = field<HTMLTextAreaElement>('textarea', 'hi 😀 there', 5);
    const events = recordInputs(el);
    deleteBackward(el, 1);
    expect(el.value).toBe('hi  there');
    deleteBackward(el, 2);
    expect(el.value).toBe('h there');
    expect(el.selectionStart).toBe(1);
    expect(events.filter((e) => e.type === 'input').every((e) => e.inputType === 'deleteContentBackward')).toBe(true);
  });

  it('should delete only the selection when there is one', () => {
    const el = field<HTMLInputElement>('input', 'abcdef');
    el.setSelectionRange(2, 4);
    deleteBackward(el, 3);
    expect(el.value).toBe('abef');
  });

  it('should do nothing at the start of the field', () => {
    const el = field<HTMLInputElement>('input', 'abc', 0);
    expect(deleteBackward(el, 1)).toBe(false);
    expect(el.value).toBe('abc');
  });

  it('should respect a cancelled beforeinput', () => {
    const el = field<HTMLInputElement>('input', 'abc');
    el.addEventListener('beforeinput', (e) => e.preventDefault());
    expect(insertText(el, 'x')).toBe(false);
    expect(el.value).toBe('abc');
  });

  it('should respect maxlength', () => {
    const el = field<HTMLInputElement>('input', 'abc');
    el.maxLength = 5;
    insertText(el, 'defgh');
    expect(el.value).toBe('abcde');
  });

  it('should apply text-state edits (delete then insert) as one change', () => {
    const el = field<HTMLInputElement>('input', 'Gone ');
    const events = recordInputs(el);
    applyEdit(el, { type: 'text', deleteBackward: 5, insert: 'Home ' });
    expect(el.value).toBe('Home ');
    expect(events.filter((e) => e.type === 'input')).toHaveLength(1);
  });

  it('should replace the last inserted text only if it is still before the caret', () => {
    const el = field<HTMLInputElement>('input', 'I am gone ');
    expect(replaceLastInserted(el, 'gone ', 'home ')).toBe(true);
    expect(el.value).toBe('I am home ');
    el.setSelectionRange(2, 2);
    expect(replaceLastInserted(el, 'home ', 'here ')).toBe(false);
    expect(el.value).toBe('I am home ');
  });

  it('should edit an email input that has no selection API at its end', () => {
    const el = document.createElement('input');
    el.type = 'email';
    document.body.append(el);
    el.value = 'me@x';
    el.focus();
    insertText(el, '.org');
    expect(el.value).toBe('me@x.org');
  });

  it('should read only a bounded tail before the caret', () => {
    const el = field<HTMLTextAreaElement>('textarea', 'a'.repeat(500) + 'xyz', 503);
    expect(textBeforeCaret(el, 3)).toBe('xyz');
    expect(textBeforeCaret(el).length).toBe(64);
  });
});

describe('React-style controlled input', () => {
  /**
   * React keeps a tracker on the instance: it overrides `value` on the element itself and
   * remembers the last value it set; onChange fires only when an input event finds the real
   * value different from the tracked one. Setting `el.value` would update the tracker too.
   */
  function reactLikeInput(initial: string) {
    const el = document.createElement('input');
    document.body.append(el);
    const proto = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!;
    let tracked = initial;
    proto.set!.call(el, initial);
    Object.defineProperty(el, 'value', {
      configurable: true,
      get() {
        return proto.get!.call(this);
      },
      set(v: string) {
        tracked = v;
        proto.set!.call(this, v);
      },
    });
    const changes: string[] = [];
    el.addEventListener('input', () => {
      const actual = proto.get!.call(el) as string;
      if (actual !== tracked) {
        tracked = actual;
        changes.push(actual);
      }
    });
    el.focus();
    el.setSelectionRange(initial.length, initial.length);
    return { el, changes };
  }

  it('should make the framework see the change (onChange fires)', () => {
    const { el, changes } = reactLikeInput('hi');
    insertText(el, ' there');
    expect(changes).toEqual(['hi there']);
    deleteBackward(el, 6);
    expect(changes).toEqual(['hi there', 'hi']);
  });

  it('should show the problem it avoids: a plain value assignment is invisible', () => {
    const { el, changes } = reactLikeInput('hi');
    el.value = 'hi!';
    el.dispatchEvent(new Event('input', { bubbles: true }));
    expect(changes).toEqual([]);
  });
});

describe('execCommand path (trusted, undoable edit)', () => {
  it('should use execCommand insertText when the field is focused and it works', () => {
    const el = field<HTMLInputElement>('input', 'ab');
    const exec = vi.fn((cmd: string, _ui: boolean, value?: string) => {
      expect(cmd).toBe('insertText');
      const s = el.selectionStart!;
      el.value = el.value.slice(0, s) + value + el.value.slice(el.selectionEnd!);
      return true;
    });
    Object.assign(document, { execCommand: exec });
    const events = recordInputs(el);
    insertText(el, 'c');
    expect(exec).toHaveBeenCalledOnce();
    expect(el.value).toBe('abc');
    expect(events).toEqual([]); // the browser fires its own trusted events
  });

  it('should select the characters to replace before execCommand', () => {
    const el = field<HTMLInputElement>('input', 'I gone ');
    const seen: Array<[number | null, number | null]> = [];
    Object.assign(document, {
      execCommand: vi.fn(() => {
        seen.push([el.selectionStart, el.selectionEnd]);
        return true;
      }),
    });
    applyEdit(el, { type: 'text', deleteBackward: 5, insert: 'home ' });
    expect(seen).toEqual([[2, 7]]);
  });

  it('should fall back when execCommand returns false', () => {
    const el = field<HTMLInputElement>('input', 'ab');
    Object.assign(document, { execCommand: vi.fn(() => false) });
    insertText(el, 'c');
    expect(el.value).toBe('abc');
  });

  it('should not use execCommand on a field that does not have focus', () => {
    const el = field<HTMLInputElement>('input', 'ab');
    el.blur();
    const exec = vi.fn(() => true);
    Object.assign(document, { execCommand: exec });
    insertText(el, 'c');
    expect(exec).not.toHaveBeenCalled();
    expect(el.value).toBe('abc');
  });
});

describe('contenteditable (Selection/Range fallback)', () => {
  function editor(html: string) {
    const el = document.createElement('div');
    el.setAttribute('contenteditable', 'true');
    el.innerHTML = html;
    document.body.append(el);
    el.focus();
    return el;
  }
  function caretAt(node: Node, offset: number) {
    const r = document.createRange();
    r.setStart(node, offset);
    r.collapse(true);
    const sel = document.getSelection()!;
    sel.removeAllRanges();
    sel.addRange(r);
  }

  it('should insert at the caret and fire input', () => {
    const el = editor('hello world');
    caretAt(el.firstChild!, 5);
    const events = recordInputs(el);
    insertText(el, ',');
    expect(el.textContent).toBe('hello, world');
    insertText(el, '!');
    expect(el.textContent).toBe('hello,! world');
    expect(events.filter((e) => e.type === 'input')).toHaveLength(2);
    expect(textBeforeCaret(el)).toBe('hello,!');
  });

  it('should delete backwards across text nodes', () => {
    const el = editor('ab<b>cd</b>ef');
    caretAt(el.lastChild!, 1); // after "e"
    deleteBackward(el, 3);
    expect(el.textContent).toBe('abf');
  });

  it('should replace the word before the caret in one edit', () => {
    const el = editor('I gone ');
    caretAt(el.firstChild!, 7);
    applyEdit(el, { type: 'text', deleteBackward: 5, insert: 'home ' });
    expect(el.textContent).toBe('I home ');
    expect(textBeforeCaret(el)).toBe('I home ');
  });

  it('should read a no-break space before the caret as a space (editors store trailing spaces so)', () => {
    const el = editor('Hi hello\u00a0');
    caretAt(el.firstChild!, 9);
    expect(textBeforeCaret(el)).toBe('Hi hello ');
  });

  it('should insert at the end when the selection is elsewhere', () => {
    const el = editor('abc');
    document.getSelection()!.removeAllRanges();
    insertText(el, 'd');
    expect(el.textContent).toBe('abcd');
  });
});

describe('enter', () => {
  it('should add a newline to a textarea', () => {
    const el = field<HTMLTextAreaElement>('textarea', 'a');
    pressEnter(el);
    expect(el.value).toBe('a\n');
  });

  it('should let the page handle Enter (chat boxes) and then insert nothing', () => {
    const el = field<HTMLTextAreaElement>('textarea', 'send me');
    el.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') e.preventDefault();
    });
    pressEnter(el);
    expect(el.value).toBe('send me');
  });

  it('should submit the form of a single-line input', () => {
    const form = document.createElement('form');
    const el = document.createElement('input');
    form.append(el);
    document.body.append(form);
    el.focus();
    const submitted = vi.fn((e: Event) => e.preventDefault());
    form.addEventListener('submit', submitted);
    pressEnter(el);
    expect(submitted).toHaveBeenCalledOnce();
    expect(el.value).toBe('');
  });
});

describe('deepActiveElement', () => {
  it('should follow open shadow roots', () => {
    const host = document.createElement('div');
    document.body.append(host);
    const root = host.attachShadow({ mode: 'open' });
    const inner = document.createElement('input');
    root.append(inner);
    inner.focus();
    expect(deepActiveElement(document)).toBe(inner);
    insertText(inner, 'x');
    expect(inner.value).toBe('x');
  });

  it('should follow same-origin iframes', () => {
    const frame = document.createElement('iframe');
    document.body.append(frame);
    const doc = frame.contentDocument;
    if (!doc) return; // environment without iframe documents
    const inner = doc.createElement('textarea');
    doc.body.append(inner);
    inner.focus();
    frame.focus();
    const active = deepActiveElement(document);
    expect(active === inner || active === frame).toBe(true);
    insertText(inner as unknown as HTMLElement, 'in frame');
    expect(inner.value).toBe('in frame');
  });
});
