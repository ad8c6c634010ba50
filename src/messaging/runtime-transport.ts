/**
 * Binds the protocol to browser.runtime messaging. Kept apart from client/serve so those stay
 * testable without a browser.
 */
import { browser, type Browser } from 'wxt/browser';
import type { Send } from './client';
import type { Target } from './protocol';
import { answer, type RequestHandler } from './serve';
import { isOurs } from './validate';

/** Sends through runtime.sendMessage, which reaches the background and extension pages. */
export const sendViaRuntime: Send = (envelope) => browser.runtime.sendMessage(envelope);

export type SenderFilter = (sender: Browser.runtime.MessageSender) => boolean;

/**
 * Answers protocol messages addressed to `target` from senders that pass `accept`.
 * Every extension page receives every runtime message, so a listener stays silent (returns
 * false without responding) for messages that are not its own; otherwise it would race the
 * rightful receiver to answer first.
 */
export function listenOnRuntime(target: Target, accept: SenderFilter, handle: RequestHandler): void {
  browser.runtime.onMessage.addListener((raw: unknown, sender, sendResponse) => {
    if (!isOurs(raw) || (raw as { target?: unknown }).target !== target) return false;
    if (sender.id !== browser.runtime.id || !accept(sender)) return false;
    // sendResponse + `return true` rather than returning a promise: works in Chrome and Firefox alike.
    void answer(raw, target, handle).then(sendResponse);
    return true;
  });
}
