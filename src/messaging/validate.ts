/**
 * Receiver-side validation. Every context checks what it receives instead of trusting the
 * sender's types, so a malformed message gets a clear `bad-request` value, never a crash.
 */
import {
  CHANNEL,
  REQUEST_TYPES,
  SELF_TEST_INPUT_SIZE,
  type RequestEnvelope,
  type RequestPayload,
  type RequestType,
  type ResponseEnvelope,
  type Result,
  type Settings,
  type DecodeOptions,
  LEARN_KINDS,
} from './protocol';
import { DEFAULT_SETTINGS, isModelDefaultKey } from '../storage/settings';
import { err, ok } from './result';

/** Bounds the message size; far above a real swipe (a few hundred points) so none is refused. */
export const MAX_TRACE_POINTS = 20_000;
export const MAX_WORD_LENGTH = 64;

type Check<T> = (raw: Record<string, unknown>) => string | T;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

const checkDecode: Check<RequestPayload<'decode'>> = (raw) => {
  const { points, width, height, layout } = raw;
  if (!Array.isArray(points)) return 'points must be an array of [x, y, t_ms]';
  if (points.length > MAX_TRACE_POINTS) return `points has ${points.length} entries, more than ${MAX_TRACE_POINTS}`;
  for (let i = 0; i < points.length; i++) {
    const point: unknown = points[i];
    if (!Array.isArray(point) || point.length !== 3) return `points[${i}] must be [x, y, t_ms]`;
    const bad = point.findIndex((v) => !isFiniteNumber(v));
    if (bad >= 0) return `points[${i}][${bad}] is not a finite number: ${String(point[bad])}`;
  }
  if (!isFiniteNumber(width) || width <= 0) return `width must be a positive number, got ${String(width)}`;
  if (!isFiniteNumber(height) || height <= 0) return `height must be a positive number, got ${String(height)}`;
  if (typeof layout !== 'string' || layout === '') return 'layout must be a non-empty string';
  const out: RequestPayload<'decode'> = { points: points as RequestPayload<'decode'>['points'], width, height, layout };
  if (raw.options !== undefined) {
    if (!isRecord(raw.options)) return 'options must be an object';
    const o: Partial<DecodeOptions> = {};
    for (const key of ['beamSize', 'priorWeight', 'suggestionCount'] as const) {
      const v = raw.options[key];
      if (v === undefined && key !== 'suggestionCount') continue; // the model's own
      if (!isFiniteNumber(v) || v < 0) return `options.${key} must be a non-negative number`;
      o[key] = v;
    }
    out.options = o as DecodeOptions;
  }
  return out;
};

const checkLearnWord: Check<RequestPayload<'learnWord'>> = (raw) => {
  const { word } = raw;
  if (typeof word !== 'string' || word.trim() === '') return 'word must be a non-empty string';
  if (word.length > MAX_WORD_LENGTH) return `word is longer than ${MAX_WORD_LENGTH} characters`;
  const { kind } = raw;
  if (kind === undefined) return { word };
  if (typeof kind !== 'string' || !(LEARN_KINDS as readonly string[]).includes(kind)) return `kind must be one of ${LEARN_KINDS.join(', ')}`;
  return { word, kind: kind as RequestPayload<'learnWord'>['kind'] & string };
};

const checkEmpty: Check<Record<string, never>> = () => ({});

/**
 * A settings patch: only known keys, each of its default's JSON type. Ranges are clamped and
 * values repaired by the store (validateSettings in src/storage/settings.ts).
 */
const checkSetSettings: Check<Partial<Settings>> = (raw) => {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.prototype.hasOwnProperty.call(DEFAULT_SETTINGS, key)) return `unknown setting: ${key}`;
    if (isModelDefaultKey(key)) {
      // a number, or null for the model's own value
      if (value !== null && typeof value !== 'number') return `${key} must be a number or null`;
      patch[key] = value;
      continue;
    }
    const def: unknown = DEFAULT_SETTINGS[key as keyof Settings];
    const want = isRecord(def) ? 'object' : typeof def;
    const got = isRecord(value) ? 'object' : Array.isArray(value) || value === null ? 'other' : typeof value;
    if (want !== got) return `${key} must be a${want === 'object' ? 'n' : ''} ${want}`;
    patch[key] = value;
  }
  return patch as Partial<Settings>;
};

const checkSelfTest: Check<RequestPayload<'selfTest'>> = (raw) => {
  const { input } = raw;
  if (!Array.isArray(input) || input.length !== SELF_TEST_INPUT_SIZE || !input.every(isFiniteNumber)) {
    return `input must be ${SELF_TEST_INPUT_SIZE} finite numbers`;
  }
  return { input };
};

const PAYLOAD_CHECKS: { readonly [K in RequestType]: Check<RequestPayload<K>> } = {
  decode: checkDecode,
  learnWord: checkLearnWord,
  getSettings: checkEmpty,
  setSettings: checkSetSettings,
  status: checkEmpty,
  selfTest: checkSelfTest,
};

/** True when the message belongs to this protocol at all (other messages are not ours to answer). */
export function isOurs(raw: unknown): raw is { channel: typeof CHANNEL } {
  return isRecord(raw) && raw.channel === CHANNEL;
}

export function isRequestType(value: unknown): value is RequestType {
  return typeof value === 'string' && (REQUEST_TYPES as string[]).includes(value);
}

/** Parses a request envelope, returning a typed copy holding only known fields. */
export function parseRequest(raw: unknown): Result<RequestEnvelope> {
  if (!isRecord(raw) || raw.channel !== CHANNEL) return err('bad-request', `not a ${CHANNEL} message`);
  const { id, type, target, payload } = raw;
  if (typeof id !== 'string' || id === '') return err('bad-request', 'id must be a non-empty string');
  if (!isRequestType(type)) return err('bad-request', `unknown request type: ${String(type)}`);
  if (target !== 'background' && target !== 'host') return err('bad-request', `unknown target: ${String(target)}`);
  if (!isRecord(payload)) return err('bad-request', `${type}: payload must be an object`);
  const checked = PAYLOAD_CHECKS[type](payload);
  if (typeof checked === 'string') return err('bad-request', `${type}: ${checked}`);
  return ok({ channel: CHANNEL, id, type, target, payload: checked } as RequestEnvelope);
}

/** Checks a response's envelope; the value inside is trusted as far as its `ok` flag. */
export function parseResponse(raw: unknown, expectedId: string): Result<unknown> {
  if (!isRecord(raw) || raw.channel !== CHANNEL) {
    return err('internal', `no ${CHANNEL} response (got ${raw === undefined ? 'nothing' : typeof raw})`);
  }
  const response = raw as unknown as ResponseEnvelope;
  if (response.id !== expectedId) return err('internal', `response id ${String(response.id)} does not match request ${expectedId}`);
  const result: unknown = response.result;
  if (!isRecord(result) || typeof result.ok !== 'boolean') return err('internal', 'response has no result');
  if (!result.ok) {
    const error = result.error;
    if (!isRecord(error) || typeof error.code !== 'string' || typeof error.message !== 'string') {
      return err('internal', 'response error is malformed');
    }
  }
  return result as Result<unknown>;
}
