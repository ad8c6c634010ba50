/** An engine over a model folder on disk, with onnxruntime-web (WASM) as the extension uses it (for the 'ort' runtime). */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { createEngine } from '../../src/engine/engine';
import type { Engine } from '../../src/engine/engine';
import type { RuntimeKind } from '../../src/engine/network';
import type { JointKernel } from '../../src/engine/rnnt-model';

export interface NodeEngineOptions {
  /** encoder variant key ("fp32", "int8"); '' = model.json's default */
  variant?: string;
  /** predictor variant key ("fp32", "int8"); '' = model.json's default */
  predictorVariant?: string;
  /** lexicon file in the model folder overriding model.json's ('' = model.json's) */
  lexicon?: string;
  threads?: number;
  /** the engine's prefix cache size (0 = off); default the engine's */
  prefixCacheEntries?: number;
  /** the joint's matrix products: 'wasm' or 'js'; default the engine's */
  jointKernel?: JointKernel;
  /** 'native' or 'ort'; '' = model.json's default */
  runtime?: RuntimeKind | '';
}

export async function nodeEngine(dir: string, o: NodeEngineOptions = {}): Promise<Engine> {
  if (o.threads) ort.env.wasm.numThreads = o.threads;
  const manifest = JSON.parse(readFileSync(resolve(dir, 'model.json'), 'utf8'));
  return createEngine({
    manifest,
    ort,
    loadFile: async (name) => new Uint8Array(readFileSync(resolve(dir, name))),
    ...(o.variant ? { encoderVariant: o.variant } : {}),
    ...(o.predictorVariant ? { predictorVariant: o.predictorVariant } : {}),
    ...(o.lexicon ? { lexiconFile: o.lexicon } : {}),
    ...(o.prefixCacheEntries !== undefined ? { prefixCacheEntries: o.prefixCacheEntries } : {}),
    ...(o.jointKernel ? { jointKernel: o.jointKernel } : {}),
    ...(o.runtime ? { runtime: o.runtime } : {}),
  });
}

export function ortInfo(): { version: string; threads: number; simd: unknown } {
  return { version: ort.env.versions.web ?? '?', threads: ort.env.wasm.numThreads ?? 0, simd: ort.env.wasm.simd };
}

export { existsSync };
