import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { createSelfTest, SELF_TEST_MODEL_PATH } from '@/src/host/self-test';

// The same selfTest the engine host runs, with ORT's Node build and the fixture read from disk,
// checked against the numpy answer in expected.json (the e2e tests repeat this in browsers).
const fixtureDir = resolve('test/fixtures/tiny-model');
const expected = JSON.parse(readFileSync(resolve(fixtureDir, 'expected.json'), 'utf8')) as {
  input: { data: number[] };
  output: { data: number[]; dims: number[] };
  tolerance: number;
};

describe('createSelfTest', () => {
  it('should run the tiny model and match the independently computed output', async () => {
    const requested: string[] = [];
    const selfTest = createSelfTest({
      kind: 'offscreen',
      ort: () => ort,
      loadBytes: (path) => {
        requested.push(path);
        return Promise.resolve(new Uint8Array(readFileSync(resolve(fixtureDir, 'tiny.onnx'))));
      },
    });
    const result = await selfTest({ input: expected.input.data });
    if (!result.ok) throw new Error(`selfTest failed: ${result.error.message}`);
    expect(result.value.dims).toEqual(expected.output.dims);
    result.value.output.forEach((y, i) => expect(Math.abs(y - expected.output.data[i]!)).toBeLessThan(expected.tolerance));
    expect(requested).toEqual([SELF_TEST_MODEL_PATH]);
  });

  it('should report a missing model as an engine-error value and retry loading next time', async () => {
    let attempts = 0;
    const selfTest = createSelfTest({
      kind: 'background-page',
      ort: () => ort,
      loadBytes: () => {
        attempts += 1;
        return Promise.reject(new Error('/fixtures/tiny.onnx: HTTP 404'));
      },
    });
    await expect(selfTest({ input: [0, 0, 0, 0] })).resolves.toEqual({
      ok: false,
      error: { code: 'engine-error', message: '/fixtures/tiny.onnx: HTTP 404' },
    });
    await selfTest({ input: [0, 0, 0, 0] });
    expect(attempts).toBe(2);
  });
});
