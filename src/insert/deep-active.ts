/**
 * The element that really has focus: follows open shadow roots and same-origin iframes
 * (a cross-origin iframe runs its own content script, so it is not followed here).
 */
export function deepActiveElement(doc: Document = document): Element | null {
  let el: Element | null = doc.activeElement;
  for (let depth = 0; el && depth < 32; depth++) {
    const shadow = (el as HTMLElement).shadowRoot; // null for closed roots, as it should be
    if (shadow?.activeElement) {
      el = shadow.activeElement;
      continue;
    }
    if (el.tagName === 'IFRAME' || el.tagName === 'FRAME') {
      let inner: Document | null = null;
      try {
        inner = (el as HTMLIFrameElement).contentDocument;
      } catch {
        inner = null; // cross-origin
      }
      const active = inner?.activeElement;
      if (active && active !== inner?.body) {
        el = active;
        continue;
      }
    }
    break;
  }
  return el;
}

/** Whether `el` is the focused element of its own document or shadow root. */
export function hasFocusWithin(el: Element): boolean {
  const root = el.getRootNode() as Document | ShadowRoot;
  const active = root.activeElement ?? null;
  return active !== null && (active === el || el.contains(active));
}
