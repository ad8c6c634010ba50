/**
 * The sending side of the protocol: request ids, per-type timeouts, and a newer decode
 * superseding an older pending one. Every outcome resolves to a Result; nothing rejects.
 */
import {
  CHANNEL,
  DEFAULT_TIMEOUT_MS,
  type RequestEnvelope,
  type RequestPayload,
  type RequestType,
  type ResponseValue,
  type Result,
  type Target,
} from './protocol';
import { err, errorFromUnknown } from './result';
import { parseResponse } from './validate';

/** Delivers one envelope and resolves with whatever the receiver answered. */
export type Send = (envelope: RequestEnvelope) => Promise<unknown>;

export interface ClientOptions {
  send: Send;
  /** Who answers this client's requests (content scripts talk to the background). */
  target: Target;
  /** Makes ids unique across contexts, e.g. "cs" or "bg"; helps when reading logs. */
  idPrefix: string;
  timeoutMs?: Partial<Record<RequestType, number>>;
}

export interface Client {
  request<K extends RequestType>(type: K, payload: RequestPayload<K>): Promise<Result<ResponseValue<K>>>;
}

/** Only one swipe can be on screen at a time, so only the newest decode is worth an answer. */
const SUPERSEDED_BY_NEWER: ReadonlySet<RequestType> = new Set<RequestType>(['decode']);

interface Pending {
  id: string;
  settle: (result: Result<never>) => void;
}

export function createClient(options: ClientOptions): Client {
  let counter = 0;
  const latestPending = new Map<RequestType, Pending>();

  async function request<K extends RequestType>(
    type: K,
    payload: RequestPayload<K>,
  ): Promise<Result<ResponseValue<K>>> {
    counter += 1;
    const id = `${options.idPrefix}-${counter}`;
    const envelope = { channel: CHANNEL, id, type, target: options.target, payload } as RequestEnvelope;
    const timeoutMs = options.timeoutMs?.[type] ?? DEFAULT_TIMEOUT_MS[type];

    return new Promise<Result<ResponseValue<K>>>((resolve) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (result: Result<ResponseValue<K>>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (latestPending.get(type)?.id === id) latestPending.delete(type);
        resolve(result);
      };

      if (SUPERSEDED_BY_NEWER.has(type)) {
        latestPending.get(type)?.settle(err('cancelled', `${type} superseded by newer request ${id}`));
        latestPending.set(type, { id, settle });
      }

      timer = setTimeout(() => settle(err('timeout', `${type} ${id}: no answer within ${timeoutMs} ms`)), timeoutMs);

      options.send(envelope).then(
        (raw) => settle(parseResponse(raw, id) as Result<ResponseValue<K>>),
        (caught: unknown) => settle(errorFromUnknown('host-unavailable', caught)),
      );
    });
  }

  return { request };
}
