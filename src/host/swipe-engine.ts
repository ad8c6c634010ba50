/**
 * The EngineHandler backed by the real decoder (src/engine's `createEngine`), used by both
 * engine hosts (Chrome offscreen document, Firefox background page).
 *
 * - The model loads once per host (started eagerly by `preload`, warmed up) and stays warm.
 *   A load failure (missing or corrupt model/lexicon) becomes the typed value
 *   `{code: 'not-ready', message: 'model could not be loaded: …'}`, which the keyboard shows in
 *   its status line; the next request tries again, so a transient failure recovers.
 * - Each decode takes its search settings from the request (the background attaches the
 *   user's settings), so changes apply to the next swipe without a reload.
 * - Personal words live in IndexedDB (the engine's `IdbPersonalWordStore`) in the extension's
 *   origin. The host writes learnt words itself; other extension pages (the options page) write
 *   the same database and then post on the `PERSONAL_WORDS_CHANNEL` BroadcastChannel, and the
 *   host reloads the list before its next decode. A broken database never blocks decoding.
 */
import type { Engine } from '../engine/engine';
import { createEngine, lexiconFromBytes } from '../engine/engine';
import type { LexiconTrie } from '../engine/lexicon-trie';
import { parseManifest } from '../engine/manifest';
import type { OrtModule } from '../engine/ort-session';
import type { PersonalWordStore } from '../engine/personal-words';
import type { DecodeRequest, DecodeResult, ErrorCode, LearnWordRequest, LearnWordResult, ModelState, Result } from '../messaging/protocol';
import { err, ok } from '../messaging/result';
import type { EngineHandler } from './engine-handler';

/** Posted (any message) on this BroadcastChannel after personal words change outside the host. */
export const PERSONAL_WORDS_CHANNEL = 'swipe-anywhere-personal-words';

export interface SwipeEngineDeps {
  /** bytes of a file in the model folder (model.json, encoder.onnx, ...) */
  loadFile: (name: string) => Promise<Uint8Array>;
  ort: () => OrtModule;
  openStore: () => Promise<PersonalWordStore>;
  /** lexicon file to use instead of model.json's */
  lexiconFile?: string | undefined;
  /** run the engine's warm-up decodes after loading, then its tier-up in the background (default true) */
  warmup?: boolean;
  /** tells other extension pages (the options page) that personal words changed */
  notifyChange?: () => void;
  /** the engine factory (tests inject a fake) */
  create?: typeof createEngine;
}

export interface SwipeEngineHandler extends EngineHandler {
  /** start loading now (the host calls it at start so the first swipe finds the model warm) */
  preload(): Promise<void>;
  /** personal words changed elsewhere: reload them before the next decode */
  personalWordsChanged(): void;
}

const INPUT_ERRORS = new Set(['empty-trace', 'bad-size', 'bad-layout', 'unknown-layout', 'bad-options']);

const clampInt = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createSwipeEngineHandler(deps: SwipeEngineDeps): SwipeEngineHandler {
  let state: ModelState = 'not-loaded';
  let detail: string | undefined;
  let loading: Promise<Engine> | undefined;
  let store: Promise<PersonalWordStore | null> | undefined;
  let personal: Promise<void> = Promise.resolve();
  let lexicon: Promise<LexiconTrie | null> | undefined;
  let runtime: Engine['runtime'] | undefined;

  /**
   * The lexicon, for deciding whether a tapped word is unknown (and so worth learning). The
   * engine facade does not expose its own trie, so this is a second, lazily loaded copy.
   */
  const getLexicon = (): Promise<LexiconTrie | null> =>
    (lexicon ??= (async () => {
      const m = parseManifest(JSON.parse(new TextDecoder().decode(await deps.loadFile('model.json'))));
      const file = deps.lexiconFile ?? m.lexicon.file;
      return lexiconFromBytes(file, await deps.loadFile(file), m.vocab);
    })().catch(() => null));

  const getStore = (): Promise<PersonalWordStore | null> =>
    (store ??= deps.openStore().catch((e: unknown) => {
      console.warn('SwipeAnywhere: personal words unavailable', e);
      store = undefined; // try again next time
      return null;
    }));

  async function loadPersonal(engine: Engine): Promise<void> {
    const s = await getStore();
    if (!s) return;
    try {
      engine.setPersonalWords(await s.list());
    } catch (e) {
      console.warn('SwipeAnywhere: could not read personal words', e);
    }
  }

  function ensure(): Promise<Engine> {
    if (loading) return loading;
    state = 'loading';
    detail = undefined;
    const run = (async () => {
      const raw: unknown = JSON.parse(new TextDecoder().decode(await deps.loadFile('model.json')));
      const engine = await (deps.create ?? createEngine)({
        manifest: raw,
        loadFile: deps.loadFile,
        ort: deps.ort(),
        ...(deps.lexiconFile ? { lexiconFile: deps.lexiconFile } : {}),
      });
      await loadPersonal(engine);
      if (deps.warmup ?? true) {
        await engine.warmup();
        // Not awaited: the host is ready now, and a swipe that comes meanwhile waits for one
        // synthetic decode at most.
        engine.tierUp().catch((e: unknown) => console.warn('SwipeAnywhere: tier-up stopped', e));
      }
      return engine;
    })();
    loading = run;
    run.then(
      (engine) => {
        state = 'ready';
        runtime = engine.runtime;
      },
      (e: unknown) => {
        state = 'error';
        detail = `model could not be loaded: ${messageOf(e)}`;
        if (loading === run) loading = undefined; // the next request retries
      },
    );
    return run;
  }

  async function engineOrError(): Promise<{ engine: Engine } | { error: Result<never> }> {
    try {
      const engine = await ensure();
      await personal;
      return { engine };
    } catch (e) {
      return { error: err('not-ready', `model could not be loaded: ${messageOf(e)}`) };
    }
  }

  const refreshPersonal = (): void => {
    personal = personal.then(async () => {
      if (loading && state === 'ready') await loadPersonal(await loading);
    });
  };

  return {
    preload: () => ensure().then(() => undefined, () => undefined),
    personalWordsChanged: refreshPersonal,

    async decode(request: DecodeRequest, signal: AbortSignal): Promise<Result<DecodeResult>> {
      const got = await engineOrError();
      if ('error' in got) return got.error;
      const o = request.options;
      const r = await got.engine.tryDecode(
        { points: request.points, width: request.width, height: request.height, layout: request.layout },
        o
          ? {
              ...(o.beamSize === undefined ? {} : { beam: clampInt(o.beamSize, 1, 256) }),
              ...(o.priorWeight === undefined ? {} : { priorWeight: Math.max(0, o.priorWeight) }),
              topK: clampInt(o.suggestionCount, 1, 64),
            }
          : {},
        signal,
      );
      if (!r.ok) {
        const code: ErrorCode = r.code === 'cancelled' ? 'cancelled' : INPUT_ERRORS.has(r.code) ? 'bad-request' : 'engine-error';
        return err(code, r.message);
      }
      return ok({ words: r.words.map((w) => w.word), ms: r.timings.totalMs });
    },

    async learnWord(request: LearnWordRequest): Promise<Result<LearnWordResult>> {
      const s = await getStore();
      if (!s) return err('engine-error', 'the personal word store (IndexedDB) cannot be opened');
      const kind = request.kind ?? 'accept';
      try {
        if (kind === 'typed') {
          // only words the lexicon lacks (a tapped "hello" is nothing to learn)
          const lex = await getLexicon();
          if (!lex || !Number.isNaN(lex.priorOfWord(request.word.trim()))) return ok({ word: request.word });
          await s.add(request.word);
        } else if (kind === 'remove') await s.remove(request.word);
        else if (kind === 'demote') {
          // Forget a word the keyboard learnt only once and the user deleted right away.
          const w = (await s.list()).find((p) => p.word === request.word.trim());
          if (w && w.count <= 1) await s.remove(w.word);
        } else await s.add(request.word);
      } catch (e) {
        return err('engine-error', `personal words: ${messageOf(e)}`);
      }
      refreshPersonal();
      deps.notifyChange?.();
      return ok({ word: request.word });
    },

    status: () => ({ model: state, ...(detail ? { detail } : {}), ...(runtime ? { runtime } : {}) }),
  };
}
