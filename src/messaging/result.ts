/** Helpers to build Result values, so no context ever throws across a message boundary. */
import type { ErrorCode, ErrorValue, Result } from './protocol';

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

/** Turns anything caught (Error, string, DOMException, ...) into an error value. */
export function errorFromUnknown<T = never>(code: ErrorCode, caught: unknown): Result<T> {
  const message = caught instanceof Error ? caught.message : String(caught);
  return err(code, message || code);
}

export function describeError(error: ErrorValue): string {
  return `${error.code}: ${error.message}`;
}
