/**
 * The Node engine, on the model the extension ships, as the oracle of the personal-word e2e
 * test: it picks the swipe and the word (a personal word should win over a close competitor;
 * which competitor is close depends on the model and its decoding, so a fixed "take the second
 * suggestion" is not a promise the engine makes), and it says what the extension must answer
 * for each trace the page actually captured, with or without the personal word.
 */
import { chooseModel } from '../../../src/host/model-choice';
import { DEFAULT_PERSONAL } from '../../../src/engine/params';
import { nodeEngine } from '../../../scripts/lib/node-engine';
import { loadDevTraces, replayTimeline, type CapturedTrace, type DevTrace } from './swipe';

export interface PersonalCase {
  trace: DevTrace;
  /** the engine's best word for the replayed trace with no personal words */
  top: string;
  /** a word of the top `suggestions` that the personal-word bonus should lift to rank 1 */
  target: string;
  /** top score − target score (nats) */
  gap: number;
}

export interface PersonalOracle {
  /**
   * The first dev trace whose best and second words are apart by 35-65 % of the bonus λ·bonus,
   * decoded as the replay will give it (replayTimeline: long pauses are shortened, which moves
   * scores by a few nats): far enough that the baseline order survives the replay's other
   * changes (points and times captured by real pointer events), close enough that the bonus
   * decides with the same margin.
   */
  find(pool?: number): Promise<PersonalCase>;
  /** the words the extension should show for a captured trace, given its personal words */
  words(trace: CapturedTrace, personal: readonly string[]): Promise<string[]>;
  release(): Promise<void>;
}

export async function personalOracle(priorWeight: number, suggestions: number): Promise<PersonalOracle> {
  const model = chooseModel();
  const engine = await nodeEngine(model.dir, model.lexiconFile ? { lexicon: model.lexiconFile } : {});
  const bonus = priorWeight * DEFAULT_PERSONAL.bonus;
  const options = { priorWeight, topK: suggestions };
  return {
    async find(pool = 80) {
      engine.setPersonalWords([]);
      for (const trace of loadDevTraces(pool)) {
        const r = await engine.decode({ ...trace, points: replayTimeline(trace.points) }, options);
        const [first, second] = r.words;
        if (!first || !second) continue;
        const gap = first.score - second.score;
        if (gap > 0.35 * bonus && gap < 0.65 * bonus) return { trace, top: first.word, target: second.word, gap };
      }
      throw new Error(`no dev trace among the first ${pool} has a second word ${0.35 * bonus}-${0.65 * bonus} nats behind the first`);
    },
    async words(trace, personal) {
      engine.setPersonalWords(personal.map((word, i) => ({ word, lastUsed: personal.length - i, count: 1 })));
      return (await engine.decode(trace, options)).words.map((w) => w.word);
    },
    release: () => engine.release(),
  };
}
