/**
 * Runs the tiny fixture model (test/fixtures/tiny-model, copied to /fixtures/ in the build)
 * through onnxruntime-web, proving the whole path from a content script to ORT and back.
 */
import type { EngineHostKind, Result, SelfTestRequest, SelfTestResult } from '../messaging/protocol';
import { SELF_TEST_INPUT_SIZE } from '../messaging/protocol';
import { errorFromUnknown, ok } from '../messaging/result';
import { wasmJointAvailable } from '../engine/affine-kernel';
import { networkKernelKind } from '../engine/network-kernel';
import { yieldToEventLoop } from '../engine/errors';
import type { Ort } from './ort-runtime';

export const SELF_TEST_MODEL_PATH = '/fixtures/tiny.onnx';
const INPUT_NAME = 'x';
const OUTPUT_NAME = 'y';

export interface SelfTestDeps {
  kind: EngineHostKind;
  ort: () => Ort;
  loadBytes: (path: string) => Promise<Uint8Array>;
}

export function createSelfTest(deps: SelfTestDeps): (request: SelfTestRequest) => Promise<Result<SelfTestResult>> {
  // The session is created once and kept warm, like the real model.
  let session: Promise<Awaited<ReturnType<Ort['InferenceSession']['create']>>> | undefined;

  return async ({ input }) => {
    const started = performance.now();
    try {
      const ort = deps.ort();
      session ??= deps.loadBytes(SELF_TEST_MODEL_PATH).then((bytes) =>
        ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] }),
      );
      const x = new ort.Tensor('float32', Float32Array.from(input), [1, SELF_TEST_INPUT_SIZE]);
      const outputs = await (await session).run({ [INPUT_NAME]: x });
      const y = outputs[OUTPUT_NAME];
      if (!y) return errorFromUnknown('engine-error', `tiny model has no output "${OUTPUT_NAME}"`);
      return ok({
        output: Array.from(y.data as Float32Array),
        dims: [...y.dims],
        ms: performance.now() - started,
        ortVersion: ort.env.versions.web ?? 'unknown',
        host: deps.kind,
        jointKernel: wasmJointAvailable() ? 'wasm' : 'js',
        networkKernel: networkKernelKind(),
        yieldLetsTasksIn: await queuedTaskRunsDuringYield(),
      });
    } catch (caught) {
      session = undefined; // a failed load is retried on the next request
      return errorFromUnknown('engine-error', caught);
    }
  };
}

/**
 * Whether a task queued before the engine's yield (as a newer swipe's message is, mid-decode)
 * runs before the decode goes on: what lets a decode be cancelled in this host.
 */
export async function queuedTaskRunsDuringYield(): Promise<boolean> {
  const key = `swipe-anywhere-yield-check-${Math.random()}`;
  let ran = false;
  const onMessage = (e: MessageEvent): void => {
    if (e.data === key) ran = true;
  };
  const target = globalThis as unknown as Window;
  if (typeof target.postMessage !== 'function' || typeof target.addEventListener !== 'function') return false;
  target.addEventListener('message', onMessage);
  try {
    target.postMessage(key, '*');
    await yieldToEventLoop();
    return ran;
  } finally {
    target.removeEventListener('message', onMessage);
  }
}
