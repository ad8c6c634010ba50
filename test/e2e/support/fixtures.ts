/** The built extensions under test and the tiny model's expected answer. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import type { SelfTestResult } from '../../../src/messaging/protocol';

/** `npm run build:e2e` writes these (WXT adds the mode as a suffix to the output folder). */
export const CHROME_EXTENSION_DIR = resolve('.output/chrome-mv3-e2e');
export const FIREFOX_EXTENSION_DIR = resolve('.output/firefox-mv2-e2e');

export function requireBuild(dir: string): string {
  if (!existsSync(resolve(dir, 'manifest.json'))) {
    throw new Error(`${dir} has no manifest.json: run \`npm run build:e2e\` first`);
  }
  return dir;
}

export interface Expected {
  input: { data: number[]; dims: number[] };
  output: { data: number[]; dims: number[] };
  tolerance: number;
}

export const expected: Expected = JSON.parse(
  readFileSync(resolve('test/fixtures/tiny-model/expected.json'), 'utf8'),
) as Expected;

/** The shape the content-script bridge writes: the Result of a selfTest request. */
export interface SelfTestAnswer {
  ok: boolean;
  value?: SelfTestResult;
  error?: { code: string; message: string };
}

export function expectTinyModelAnswer(answer: SelfTestAnswer, host: string): void {
  expect(answer.error, `selfTest failed: ${JSON.stringify(answer.error)}`).toBeUndefined();
  expect(answer.ok).toBe(true);
  const value = answer.value!;
  expect(value.host).toBe(host);
  // the engine's joint runs in WebAssembly SIMD there: the extension's CSP allows compiling it
  expect(value.jointKernel).toBe('wasm');
  // and so does the engine's own network runtime (the shipped model's encoder and predictor),
  // in Chromium with relaxed SIMD (fused multiply-adds)
  expect(['relaxed-simd', 'simd']).toContain(value.networkKernel);
  if (host === 'offscreen') expect(value.networkKernel).toBe('relaxed-simd');
  // a newer swipe's message gets in between a decode's frames (not so with scheduler.yield in Chromium)
  expect(value.yieldLetsTasksIn).toBe(true);
  expect(value.dims).toEqual(expected.output.dims);
  expect(value.output).toHaveLength(expected.output.data.length);
  value.output.forEach((y, i) => {
    expect(Math.abs(y - expected.output.data[i]!), `output[${i}] = ${y}, expected ${expected.output.data[i]}`).toBeLessThan(
      expected.tolerance,
    );
  });
}

/** URLs a browser may load in these tests: the local server and the extension's own files. */
export function isAllowedUrl(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (['chrome-extension:', 'moz-extension:', 'data:', 'blob:', 'about:'].includes(protocol)) return true;
  return hostname === '127.0.0.1' || hostname === 'localhost';
}
