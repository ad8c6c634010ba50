/**
 * Picks the swipe and the word for the personal-word e2e test from the engine itself (in Node,
 * on the model the extension ships), so the test asserts what the product promises: a personal
 * word wins over a close competitor. Which competitor is close depends on the model and its
 * decoding (the geometric rescoring can leave the second word far behind the first), so a fixed
 * "take the second suggestion" is not a promise the engine makes.
 */
import { chooseModel } from '../../../src/host/model-choice';
import { DEFAULT_PERSONAL } from '../../../src/engine/params';
import { nodeEngine } from '../../../scripts/lib/node-engine';
import { loadDevTraces, type DevTrace } from './swipe';

export interface PersonalCase {
  trace: DevTrace;
  /** the engine's best word for the trace with no personal words */
  top: string;
  /** a word of the top `suggestions` that the personal-word bonus should lift to rank 1 */
  target: string;
  /** top score − target score (nats) */
  gap: number;
}

/**
 * The first dev trace whose best and second words are apart by 35-65 % of the bonus λ·bonus:
 * far enough that the baseline order survives the replay (a swipe replayed through real pointer
 * events is captured with other points and times: scores move by up to ~2 nats, seen in
 * Chromium), close enough that the bonus decides with the same margin.
 */
export async function findPersonalCase(priorWeight: number, suggestions: number, pool = 80): Promise<PersonalCase> {
  const model = chooseModel();
  const engine = await nodeEngine(model.dir, model.lexiconFile ? { lexicon: model.lexiconFile } : {});
  const bonus = priorWeight * DEFAULT_PERSONAL.bonus;
  try {
    for (const trace of loadDevTraces(pool)) {
      const r = await engine.decode(trace, { priorWeight, topK: suggestions });
      const [first, second] = r.words;
      if (!first || !second) continue;
      const gap = first.score - second.score;
      if (gap > 0.35 * bonus && gap < 0.65 * bonus) return { trace, top: first.word, target: second.word, gap };
    }
  } finally {
    await engine.release();
  }
  throw new Error(`no dev trace among the first ${pool} has a second word ${0.35 * bonus}-${0.65 * bonus} nats behind the first`);
}
