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
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PREFERRED_MODELS = ['swipe-v1', 'dev-random'] as const;
export const MODELS_DIR = 'public/models';

export interface ModelChoice {
  name: string;
  /** absolute folder */
  dir: string;
  /** lexicon file to load instead of the manifest's, or undefined for the manifest's */
  lexiconFile: string | undefined;
}

export function chooseModel(root = resolve(MODELS_DIR), env: NodeJS.ProcessEnv = process.env): ModelChoice {
  const candidates = env.SWIPE_MODEL ? [env.SWIPE_MODEL] : [...PREFERRED_MODELS];
  for (const name of candidates) {
    const dir = join(root, name);
    if (existsSync(join(dir, 'model.json'))) {
      return { name, dir, lexiconFile: existsSync(join(dir, 'lexicon.bin')) ? 'lexicon.bin' : undefined };
    }
  }
  throw new Error(`no model found in ${root} (tried ${candidates.join(', ')})`);
}
