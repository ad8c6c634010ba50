/**
 * Which shipped model the build uses: THE one place that names it (build-time, Node).
 * `wxt.config.ts` and the demo's build read `chooseModel()`, copy only that folder into the
 * package, and compile its name into the code as `__SWIPE_MODEL__` / `__SWIPE_LEXICON__`
 * (read at run time through src/host/model.ts).
 *
 * Order: $SWIPE_MODEL if set; else the first of PREFERRED_MODELS whose model.json exists.
 * The lexicon is `lexicon.bin` (the compact trie, loads in ms) when it sits beside model.json,
 * else the manifest's own `lexicon.file` (a .tsv the engine builds a trie from at load).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseManifest } from '../engine/manifest';

export const PREFERRED_MODELS = ['swipe-v1', 'dev-random'] as const;
export const MODELS_DIR = 'public/models';

export interface ModelChoice {
  name: string;
  /** absolute folder */
  dir: string;
  /** lexicon file to load instead of the manifest's, or undefined for the manifest's */
  lexiconFile: string | undefined;
  /** the files of the folder the extension loads at run time (the only ones packaged) */
  files: string[];
}

/**
 * What the engine host reads from a model folder: model.json, the network (weights.bin when the
 * engine's own runtime is the model's default, else the default encoder and predictor ONNX
 * files), the joint, the layout and one lexicon. The rest of an export (the other variants,
 * step.onnx for other runtimes, lexicon.tsv beside lexicon.bin, android/) stays out of the
 * package: it would only make the download bigger. The ONNX files are not needed beside
 * weights.bin: the native runtime needs WebAssembly SIMD, which every browser the extension
 * supports has (Chrome 109+ for the offscreen API, Firefox 128+).
 */
export function runtimeFiles(manifestJson: unknown, lexiconFile: string | undefined): string[] {
  const m = parseManifest(manifestJson);
  const network = m.native?.default ? [m.native.file] : [m.encoder.file, m.predictor.file];
  const rerank = m.decoding.rerank ? [m.decoding.rerank.file] : [];
  return [...new Set(['model.json', ...network, m.joint.file, m.layout, lexiconFile ?? m.lexicon.file, ...rerank])];
}

export function chooseModel(root = resolve(MODELS_DIR), env: NodeJS.ProcessEnv = process.env): ModelChoice {
  const candidates = env.SWIPE_MODEL ? [env.SWIPE_MODEL] : [...PREFERRED_MODELS];
  for (const name of candidates) {
    const dir = join(root, name);
    if (existsSync(join(dir, 'model.json'))) {
      const lexiconFile = existsSync(join(dir, 'lexicon.bin')) ? 'lexicon.bin' : undefined;
      const files = runtimeFiles(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')), lexiconFile);
      return { name, dir, lexiconFile, files };
    }
  }
  throw new Error(`no model found in ${root} (tried ${candidates.join(', ')})`);
}
