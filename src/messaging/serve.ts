/**
 * The receiving side of the protocol: validate, dispatch, and always answer with a
 * ResponseEnvelope whose result is a value (a handler that throws becomes `internal`).
 */
import { CHANNEL, type RequestEnvelope, type ResponseEnvelope, type Result, type Target } from './protocol';
import { err, errorFromUnknown } from './result';
import { parseRequest } from './validate';

export type RequestHandler = (envelope: RequestEnvelope) => Promise<Result<unknown>>;

export async function answer(raw: unknown, expectedTarget: Target, handle: RequestHandler): Promise<ResponseEnvelope> {
  const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
    ? (raw as { id: string }).id
    : '';
  const result = await dispatch(raw, expectedTarget, handle);
  return { channel: CHANNEL, id, result } as ResponseEnvelope;
}

async function dispatch(raw: unknown, expectedTarget: Target, handle: RequestHandler): Promise<Result<unknown>> {
  const parsed = parseRequest(raw);
  if (!parsed.ok) return parsed;
  if (parsed.value.target !== expectedTarget) {
    return err('bad-request', `${parsed.value.type} is addressed to ${parsed.value.target}, not ${expectedTarget}`);
  }
  try {
    return await handle(parsed.value);
  } catch (caught) {
    return errorFromUnknown('internal', caught);
  }
}
