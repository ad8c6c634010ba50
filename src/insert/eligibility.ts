/**
 * Which fields the keyboard may open on. Privacy rule (DESIGN.md): never on passwords,
 * one-time codes or credit-card numbers, whatever the page calls them.
 */

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'url', 'tel']);

/** Names / ids / autocomplete values that mark secrets even on a type=text input. */
const SENSITIVE_NAME =
  /one[-_ ]?time|(^|[^a-z])(otp|2fa|mfa|totp|pin)(?![a-z])|cvv|cvc|card[-_ ]?num|cc[-_]?(num|number|csc|exp)|credit[-_ ]?card|security[-_ ]?code|verification[-_ ]?code|passw(or)?d|passcode/i;

export type EditableField = HTMLInputElement | HTMLTextAreaElement | HTMLElement;

export function isTextControl(el: Element): el is HTMLInputElement | HTMLTextAreaElement {
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA';
}

export function isContentEditable(el: Element): el is HTMLElement {
  if ((el as HTMLElement).isContentEditable === true) return true;
  // attribute check too: some DOMs (happy-dom) miss contenteditable="" (which means true)
  const host = el.closest('[contenteditable]');
  const v = host?.getAttribute('contenteditable')?.toLowerCase();
  return v === '' || v === 'true' || v === 'plaintext-only';
}

function autocompleteTokens(el: Element): string[] {
  return (el.getAttribute('autocomplete') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

function looksSensitive(el: Element): boolean {
  const tokens = autocompleteTokens(el);
  if (tokens.some((t) => t === 'one-time-code' || t.startsWith('cc-') || t.endsWith('-password'))) return true;
  const names = [el.getAttribute('name'), el.id, el.getAttribute('autocomplete')].filter(Boolean).join(' ');
  return SENSITIVE_NAME.test(names);
}

function isHidden(el: Element): boolean {
  const h = el as HTMLElement;
  if (h.hidden || el.closest('[inert]')) return true;
  const view = el.ownerDocument.defaultView;
  if (!view) return false;
  const style = view.getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden') return true;
  // a text field drawn with bullets is a password field in disguise
  const security = style.getPropertyValue('-webkit-text-security');
  return security !== '' && security !== 'none';
}

/**
 * True only for enabled, writable, visible input[type=text|search|email|url|tel], textarea
 * and contenteditable elements that are not marked as a password, one-time code or card field.
 */
export function isEligibleField(el: Element | null | undefined): el is EditableField {
  if (!el || el.nodeType !== 1) return false;
  if (el.tagName === 'INPUT') {
    const input = el as HTMLInputElement;
    const type = (el.getAttribute('type') ?? 'text').toLowerCase();
    if (!TEXT_INPUT_TYPES.has(type)) return false;
    if (input.disabled || input.readOnly) return false;
    const mode = (el.getAttribute('inputmode') ?? '').toLowerCase();
    if (mode === 'none' || mode === 'numeric' || mode === 'decimal') return false;
  } else if (el.tagName === 'TEXTAREA') {
    const area = el as HTMLTextAreaElement;
    if (area.disabled || area.readOnly) return false;
  } else if (!isContentEditable(el)) {
    return false;
  }
  if (el.getAttribute('aria-disabled') === 'true' || el.getAttribute('aria-readonly') === 'true') return false;
  if (looksSensitive(el)) return false;
  return !isHidden(el);
}
