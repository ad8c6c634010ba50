import { describe, expect, it } from 'vitest';
import { CHANNEL } from '@/src/messaging/protocol';
import { MAX_TRACE_POINTS, parseRequest, parseResponse } from '@/src/messaging/validate';

const envelope = (type: string, payload: unknown, extra: Record<string, unknown> = {}) => ({
  channel: CHANNEL,
  id: 'cs-1',
  type,
  target: 'background',
  payload,
  ...extra,
});

const decode = (overrides: Record<string, unknown>) =>
  envelope('decode', { points: [[0, 0, 0], [10, 5, 16]], width: 320, height: 120, layout: 'qwerty', ...overrides });

function errorOf(raw: unknown): string {
  const result = parseRequest(raw);
  if (result.ok) throw new Error('expected a bad-request');
  expect(result.error.code).toBe('bad-request');
  return result.error.message;
}

describe('parseRequest', () => {
  it('should accept a well-formed decode and copy only known fields', () => {
    const result = parseRequest({ ...decode({ extra: 'dropped' }), junk: true });
    expect(result).toEqual({
      ok: true,
      value: {
        channel: CHANNEL,
        id: 'cs-1',
        type: 'decode',
        target: 'background',
        payload: { points: [[0, 0, 0], [10, 5, 16]], width: 320, height: 120, layout: 'qwerty' },
      },
    });
  });

  it('should reject messages from another channel or of unknown type', () => {
    expect(errorOf({ ...decode({}), channel: 'other' })).toBe(`not a ${CHANNEL} message`);
    expect(errorOf(envelope('format-disk', {}))).toBe('unknown request type: format-disk');
    expect(errorOf(envelope('status', {}, { target: 'page' }))).toBe('unknown target: page');
    expect(errorOf(envelope('status', {}, { id: 7 }))).toBe('id must be a non-empty string');
  });

  it('should name the bad point when a coordinate is not a finite number', () => {
    // Chrome's JSON messaging turns NaN into null, Firefox keeps NaN: both must be refused.
    expect(errorOf(decode({ points: [[0, 0, 0], [1, null, 2]] }))).toBe('decode: points[1][1] is not a finite number: null');
    expect(errorOf(decode({ points: [[Number.NaN, 0, 0]] }))).toBe('decode: points[0][0] is not a finite number: NaN');
    expect(errorOf(decode({ points: [[0, 0]] }))).toBe('decode: points[0] must be [x, y, t_ms]');
  });

  it('should refuse typed arrays, which do not survive extension messaging', () => {
    expect(errorOf(decode({ points: new Float32Array(6) }))).toBe('decode: points must be an array of [x, y, t_ms]');
  });

  it('should bound the number of points', () => {
    const points = Array.from({ length: MAX_TRACE_POINTS + 1 }, (_, i) => [i, 0, i]);
    expect(errorOf(decode({ points }))).toBe(`decode: points has ${MAX_TRACE_POINTS + 1} entries, more than ${MAX_TRACE_POINTS}`);
  });

  it('should accept an empty trace, leaving the engine to answer it', () => {
    expect(parseRequest(decode({ points: [] })).ok).toBe(true);
  });

  it('should check the decode options the background attaches', () => {
    expect(parseRequest(decode({ options: { beamSize: 8, priorWeight: 0.5, suggestionCount: 4 } })).ok).toBe(true);
    // no beam or λ: the model's own (the settings' default)
    expect(parseRequest(decode({ options: { suggestionCount: 4 } }))).toMatchObject({ ok: true, value: { payload: { options: { suggestionCount: 4 } } } });
    expect(errorOf(decode({ options: { priorWeight: 0.5 } }))).toBe('decode: options.suggestionCount must be a non-negative number');
    expect(errorOf(decode({ options: { beamSize: 'x', priorWeight: 0.5, suggestionCount: 4 } }))).toBe('decode: options.beamSize must be a non-negative number');
  });

  it('should reject a zero-size keyboard and a missing layout', () => {
    expect(errorOf(decode({ width: 0 }))).toBe('decode: width must be a positive number, got 0');
    expect(errorOf(decode({ layout: '' }))).toBe('decode: layout must be a non-empty string');
  });

  it('should check settings patches field by field', () => {
    expect(parseRequest(envelope('setSettings', { enabledByDefault: false }))).toMatchObject({ ok: true, value: { payload: { enabledByDefault: false } } });
    expect(errorOf(envelope('setSettings', { enabledByDefault: 'no' }))).toBe('setSettings: enabledByDefault must be a boolean');
    expect(errorOf(envelope('setSettings', { sites: [] }))).toBe('setSettings: sites must be an object');
    expect(errorOf(envelope('setSettings', { enabled: true }))).toBe('setSettings: unknown setting: enabled');
    expect(parseRequest(envelope('setSettings', { theme: 'dark', beamSize: 8 })).ok).toBe(true);
  });

  it('should check learnWord and selfTest payloads', () => {
    expect(errorOf(envelope('learnWord', { word: '  ' }))).toBe('learnWord: word must be a non-empty string');
    expect(errorOf(envelope('learnWord', { word: 'hi', kind: 'forget' }))).toBe('learnWord: kind must be one of accept, typed, demote, add, remove');
    expect(parseRequest(envelope('learnWord', { word: 'hi', kind: 'remove' })).ok).toBe(true);
    expect(errorOf(envelope('selfTest', { input: [1, 2, 3] }))).toBe('selfTest: input must be 4 finite numbers');
    expect(parseRequest(envelope('selfTest', { input: [1, 2, 3, 4] })).ok).toBe(true);
  });
});

describe('parseResponse', () => {
  it('should return the result when the id matches', () => {
    expect(parseResponse({ channel: CHANNEL, id: 'a-1', result: { ok: true, value: 3 } }, 'a-1')).toEqual({ ok: true, value: 3 });
  });

  it('should flag malformed error values as internal', () => {
    const result = parseResponse({ channel: CHANNEL, id: 'a-1', result: { ok: false, error: 'boom' } }, 'a-1');
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'response error is malformed' } });
  });
});
