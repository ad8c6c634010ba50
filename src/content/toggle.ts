/** The on/off toggle (toolbar button, `commands` shortcut) sent from the background to a tab. */
export const TOGGLE_COMMAND = 'toggle-keyboard';
export const TOGGLE_MESSAGE = 'swipeAnywhereToggle';
export const TOGGLE_SHORTCUT = 'Alt+Shift+K';

/**
 * Every frame of the tab gets the toggle; exactly one acts on it: the innermost frame that has
 * focus (its active element is not an iframe), or the top frame when no frame has focus (the
 * user clicked the toolbar button).
 */
export function shouldHandleToggle(win: Window = window): boolean {
  const doc = win.document;
  const active = doc.activeElement;
  const focusedHere = doc.hasFocus() && !(active && (active.tagName === 'IFRAME' || active.tagName === 'FRAME'));
  if (focusedHere) return true;
  if (win !== win.top) return false;
  return !doc.hasFocus();
}
