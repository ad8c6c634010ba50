/** Locates the exported model the golden files were written with (public/models/<name>/). */
import { existsSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { createEngine } from '../../src/engine/engine';
import type { Engine, EngineConfig } from '../../src/engine/engine';

export const GOLDEN_DIR = new URL('../fixtures/golden/', import.meta.url).pathname;
export const goldenBeam = `${GOLDEN_DIR}beam.json`;

export function goldenModelDir(): string | null {
  if (!existsSync(goldenBeam)) return null;
  const name = (JSON.parse(readFileSync(goldenBeam, 'utf8')) as { model: string }).model;
  const dir = new URL(`../../public/models/${name}/`, import.meta.url).pathname;
  return existsSync(`${dir}model.json`) ? dir : null;
}

export function fileLoader(dir: string): EngineConfig['loadFile'] {
  return async (name) => new Uint8Array(readFileSync(`${dir}${name}`));
}

export async function engineFor(dir: string, extra: Partial<EngineConfig> = {}): Promise<Engine> {
  return createEngine({
    manifest: JSON.parse(readFileSync(`${dir}model.json`, 'utf8')),
    ort,
    loadFile: fileLoader(dir),
    // golden files are for the fp32 models, whichever variants model.json ships
    encoderVariant: 'fp32',
    predictorVariant: 'fp32',
    ...extra,
  });
}
