import { EngineError } from '../../src/engine/errors';

/** 'ok', or the EngineError code f threw; any other throw fails the test as it is. */
export function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e.code;
    throw e;
  }
  return 'ok';
}

/** The same for a promise; an untyped rejection becomes a code no test expects. */
export function errorCodeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e) => (e instanceof EngineError ? e.code : `untyped: ${String(e)}`),
  );
}
