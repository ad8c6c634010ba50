// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { isEligibleField } from '../../src/insert';

afterEach(() => {
  document.body.innerHTML = '';
});

function make(html: string): Element {
  const wrap = document.createElement('div');
  wrap.innerHTML = html;
  document.body.append(wrap);
  return wrap.firstElementChild!;
}

describe('isEligibleField', () => {
  it.each([
    '<input>',
    '<input type="text">',
    '<input type="search">',
    '<input type="email">',
    '<input type="url">',
    '<input type="tel">',
    '<input type="TEXT">',
    '<textarea></textarea>',
    '<div contenteditable="true"></div>',
    '<div contenteditable=""></div>',
    '<input name="message" autocomplete="off">',
  ])('should accept %s', (html) => {
    expect(isEligibleField(make(html))).toBe(true);
  });

  it.each([
    ['password', '<input type="password">'],
    ['password autocomplete on a text input', '<input type="text" autocomplete="current-password">'],
    ['password by name', '<input name="user_password">'],
    ['one-time code', '<input autocomplete="one-time-code">'],
    ['one-time code with section token', '<input autocomplete="section-login one-time-code">'],
    ['otp by name', '<input name="otp">'],
    ['otp by id', '<input id="sms-otp-input">'],
    ['card number', '<input autocomplete="cc-number">'],
    ['card csc', '<input type="tel" autocomplete="cc-csc">'],
    ['card by name', '<input name="cardnumber">'],
    ['cvv by name', '<input name="cvv">'],
    ['hidden type', '<input type="hidden">'],
    ['hidden attribute', '<input hidden>'],
    ['display none', '<input style="display:none">'],
    ['readonly', '<input readonly>'],
    ['disabled', '<input disabled>'],
    ['readonly textarea', '<textarea readonly></textarea>'],
    ['number', '<input type="number">'],
    ['checkbox', '<input type="checkbox">'],
    ['date', '<input type="date">'],
    ['numeric inputmode', '<input inputmode="numeric">'],
    ['plain div', '<div></div>'],
    ['contenteditable false', '<div contenteditable="false"></div>'],
    ['button', '<button>x</button>'],
  ])('should reject %s', (_name, html) => {
    expect(isEligibleField(make(html))).toBe(false);
  });

  it('should reject null and non-elements', () => {
    expect(isEligibleField(null)).toBe(false);
    expect(isEligibleField(undefined)).toBe(false);
  });

  it('should accept a field inside a contenteditable editor child', () => {
    const ed = make('<div contenteditable="true"><p>hi</p></div>');
    expect(isEligibleField(ed.firstElementChild)).toBe(true);
  });
});
