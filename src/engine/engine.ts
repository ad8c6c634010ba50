/**
 * The engine facade: model + lexicon + personal words + features + search behind one
 * `decode()`. Pure: every file comes through the injected `loadFile`, ORT through the injected
 * module, so the extension host, the CLIs, the bench and the tests each pass their own.
 *
 * Decodes run one at a time (an ORT session runs one inference at a time); a queued decode
 * whose signal fires never starts. Input errors throw EngineError; `tryDecode` turns every
 * failure into `{ok: false, code, message}` for callers that must not throw across contexts.
 */
import { DEFAULT_PREFIX_CACHE_ENTRIES, PrefixCache, warmContexts, warmPrefixCache } from './prefix-cache';
import type { PredictFn, WarmTarget } from './prefix-cache';
import { beamSearch, penaltyScorer } from './beam-search';
import type { FinalScorer } from './beam-search';
import { EngineError, isEngineError, throwIfAborted, yieldToEventLoop } from './errors';
import type { EngineErrorCode } from './errors';
import { checkSize, computeFeatures } from './features';
import type { ScoredWord } from './hypothesis';
import { greedySearch } from './greedy';
import { layoutConstants, validateLayout } from './layout';
import type { Layout, LayoutConstants } from './layout';
import { buildLexicon, fnv1a, LexiconTrie, parseLexicon, parseLexiconTsv } from './lexicon-trie';
import type { ModelManifest, NativeSpec } from './manifest';
import { parseManifest } from './manifest';
import { NativeNetwork } from './native-network';
import type { Network, RuntimeKind } from './network';
import { OrtNetwork } from './ort-session';
import type { OrtModule, SessionOptions } from './ort-session';
import { RnntModel } from './rnnt-model';
import type { JointKernel } from './rnnt-model';
import { DEFAULT_PERSONAL, LIMITS } from './params';
import type { PersonalParams, SearchParams } from './params';
import { buildPersonalTrie } from './personal-words';
import type { PersonalWord } from './personal-words';
import { TraceRescorer, tracePolyline } from './rescore';
import { parseRerank, TraceReranker } from './rerank';
import type { RerankForest, RerankRef } from './rerank';
import { TIER_UP_ROUNDS, tierUpTraces } from './tier-up';
import { hasWord, MergedTrie } from './token-trie';
import type { TokenTrie } from './token-trie';

/**
 * warmup() computes the prefixes of up to this many letters. 3 rather than 2 (2026-12-04, Node,
 * shipped model, 500 dev traces, two alternated runs each): predictor calls a swipe p50 / p95
 * 17 / 41 -> 12 / 36, search 7.81 / 18.31 and 7.95 / 18.96 -> 6.40 / 15.48 and 6.56 / 17.06 ms,
 * for 4,425 cached prefixes instead of 637 (the cache grows to 8,521 entries, about 30 MB, from
 * 14.7) and a warm-up 150 ms longer (it runs when the host starts, before the first swipe).
 */
const WARM_PREFIX_LETTERS = 3;

export interface EngineConfig {
  /** parsed or raw model.json */
  manifest: ModelManifest | unknown;
  /** bytes of a file beside model.json (e.g. "encoder.onnx"); reject/throw when missing */
  loadFile: (name: string) => Promise<Uint8Array>;
  /** onnxruntime-web, for the 'ort' runtime (and as the fallback where the native one cannot run) */
  ort?: OrtModule;
  /**
   * how the encoder and predictor run: 'native' (the engine's own WebAssembly over model.json
   * `native.file`) or 'ort' (onnxruntime-web sessions); default: 'native' where model.json's
   * `native.default` says so, else 'ort'. 'native' falls back to 'ort' where WebAssembly SIMD
   * cannot run and `ort` is given.
   */
  runtime?: RuntimeKind;
  /** encoder variant key of manifest.encoder.variants ("fp32", "int8"); default manifest.encoder.file */
  encoderVariant?: string;
  /** predictor variant key of manifest.predictor.variants ("fp32", "int8"); default manifest.predictor.file */
  predictorVariant?: string;
  /** lexicon file to use instead of manifest.lexicon.file (e.g. "lexicon.bin" next to lexicon.tsv) */
  lexiconFile?: string;
  /** extra layouts by name, besides the model's own (manifest.layout) */
  layouts?: Record<string, Layout>;
  personalWords?: readonly PersonalWord[];
  personalParams?: PersonalParams;
  sessionOptions?: SessionOptions;
  /** predictor outputs kept across swipes, in prefixes (prefix-cache.ts); 0 = off; default 4096 */
  prefixCacheEntries?: number;
  /** the joint's matrix products: 'wasm' (default; joint.ts's loops where WebAssembly SIMD is missing) or 'js'; same values */
  jointKernel?: JointKernel;
}

export interface DecodeTrace {
  /** [[x, y, t_ms], ...] in keyboard pixels */
  points: ReadonlyArray<ReadonlyArray<number>>;
  width: number;
  height: number;
  /** a layout name known to the engine, or the geometry itself; default: the model's layout */
  layout?: string | Layout;
}

export interface DecodeOptions extends Partial<SearchParams> {
  /** 'beam' (default, on release) or 'greedy' (live preview) */
  mode?: 'beam' | 'greedy';
  /** false: skip the model's rescoring of the final list (decoding.rerank or .rescore), i.e. swipe-beam-v3 */
  rescore?: boolean;
  /** false: the geometric rescoring (decoding.rescore, swipe-beam-v4) even where the model has a reranker */
  rerank?: boolean;
}

export interface DecodeTimings {
  featuresMs: number;
  encoderMs: number;
  searchMs: number;
  /** the part of searchMs spent in the predictor's onnxruntime calls (the rest: joint + search) */
  predictorMs: number;
  totalMs: number;
}

export interface DecodeResult {
  /** best first; empty when no word fits (e.g. a one-point tap) */
  words: ScoredWord[];
  timings: DecodeTimings;
  /** encoder frames searched */
  frames: number;
  stepCalls: number;
  /** prefixes run through the predictor, and (frame, prefix) joint rows computed */
  predictorRows: number;
  jointRows: number;
  /** prefixes whose predictor output an earlier swipe had computed (the engine's prefix cache) */
  cachedPrefixes: number;
}

export type TryDecodeResult = ({ ok: true } & DecodeResult) | { ok: false; code: EngineErrorCode | 'internal'; message: string };

/** Where engine creation went (the first part of a cold start; the first decode is the rest). */
export interface StartupTimings {
  /** every file through loadFile (in parallel; the network's own overlap the rest, see sessionsMs) */
  filesMs: number;
  /** lexicon.bin parsed, or the trie built from lexicon.tsv */
  lexiconMs: number;
  /**
   * the network made ready once its files were in: both ORT sessions (in parallel; the first in a
   * process also starts ORT's WASM), or the native runtime's weights packed. It runs while the
   * other files still load, so the three parts may add up to more than the whole.
   */
  sessionsMs: number;
}

export interface Engine {
  readonly manifest: ModelManifest;
  /** which runtime computes the encoder and predictor */
  readonly runtime: RuntimeKind;
  readonly startup: StartupTimings;
  readonly lexiconWords: number;
  decode(trace: DecodeTrace, options?: DecodeOptions, signal?: AbortSignal): Promise<DecodeResult>;
  tryDecode(trace: DecodeTrace, options?: DecodeOptions, signal?: AbortSignal): Promise<TryDecodeResult>;
  /** dummy decodes so the first real swipe does not pay ORT's first-run cost (call at host start) */
  warmup(): Promise<void>;
  /**
   * Decodes `rounds` synthetic swipes, one queued decode at a time (a real swipe waits for at most
   * one of them), so V8 has optimized the hot code before the user's first swipes (tier-up.ts).
   * With a stateless predictor it first computes every context the lexicon can ask for, one queued
   * batch at a time (prefix-cache.ts warmContexts). Stops early when `signal` aborts; resolves to
   * the number of swipes decoded. Call after warmup(), in the background.
   */
  tierUp(rounds?: number, signal?: AbortSignal): Promise<number>;
  /** replaces the personal words (rebuilds their small trie) */
  setPersonalWords(words: readonly PersonalWord[]): void;
  release(): Promise<void>;
}

async function load(cfg: EngineConfig, name: string, code: EngineErrorCode = 'model-missing'): Promise<Uint8Array> {
  let bytes: unknown;
  try {
    bytes = await cfg.loadFile(name);
  } catch (e) {
    throw new EngineError(code, `cannot load ${name} (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new EngineError(code, `${name} is empty or not bytes`);
  return bytes;
}

/** Reads lexicon.bin, or builds the trie from a lexicon.tsv (slower: tens of ms for 50k words). */
export function lexiconFromBytes(name: string, bytes: Uint8Array, vocab: readonly string[]): LexiconTrie {
  if (!name.endsWith('.tsv')) return new LexiconTrie(parseLexicon(bytes), vocab);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new EngineError('lexicon-corrupt', `${name} is not UTF-8`, { cause: e });
  }
  const { data } = buildLexicon(parseLexiconTsv(text));
  if (data.wordCount === 0) throw new EngineError('lexicon-corrupt', `${name} has no usable word`);
  return new LexiconTrie(data, vocab);
}

/**
 * model.json names lexicon.tsv (the single source of truth); building its trie costs ~0.3–0.8 s.
 * When a lexicon.bin beside it was built from exactly those bytes (length + FNV-1a in its
 * header, written by `npm run build-lexicon`), it is used instead (~1–5 ms). A missing, stale
 * or corrupt lexicon.bin silently falls back to the TSV: the TSV stays authoritative.
 */
async function loadLexicon(cfg: EngineConfig, name: string, bytes: Uint8Array, vocab: readonly string[]): Promise<LexiconTrie> {
  if (name.endsWith('.tsv') && cfg.lexiconFile === undefined) {
    const bin = await Promise.resolve()
      .then(() => cfg.loadFile(name.replace(/\.tsv$/, '.bin')))
      .catch(() => null);
    if (bin instanceof Uint8Array && bin.length > 0) {
      try {
        const data = parseLexicon(bin);
        if (data.source && data.source.length === bytes.length && data.source.fnv === fnv1a(bytes)) return new LexiconTrie(data, vocab);
      } catch {
        // fall through to the TSV
      }
    }
  }
  return lexiconFromBytes(name, bytes, vocab);
}

function resolveParams(m: ModelManifest, o: DecodeOptions): SearchParams {
  const p: SearchParams = {
    beam: o.beam ?? m.decoding.beam,
    prune: o.prune ?? m.decoding.prune,
    maxSymbolsPerFrame: o.maxSymbolsPerFrame ?? m.decoding.maxSymbolsPerFrame,
    priorWeight: o.priorWeight ?? m.decoding.priorWeight,
    topK: o.topK ?? m.decoding.topK,
  };
  // the optional pruning margins (nats): a call's option, else the model's, else off
  for (const k of ['scoreMargin', 'floorMargin'] as const) {
    const v = o[k] ?? m.decoding[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new EngineError('bad-options', `${k} = ${String(v)}`);
    p[k] = v;
  }
  for (const k of ['beam', 'prune', 'maxSymbolsPerFrame', 'topK'] as const) {
    const v = p[k];
    if (!Number.isInteger(v) || v < 1 || v > LIMITS[k]) throw new EngineError('bad-options', `${k} = ${String(v)} (integer 1..${LIMITS[k]})`);
  }
  if (!Number.isFinite(p.priorWeight) || p.priorWeight < 0) throw new EngineError('bad-options', `priorWeight = ${String(p.priorWeight)}`);
  for (const k of ['rescore', 'rerank'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new EngineError('bad-options', `${k} = ${String(o[k])}`);
  }
  if (o.mode !== undefined && o.mode !== 'beam' && o.mode !== 'greedy') throw new EngineError('bad-options', `mode = ${String(o.mode)}`);
  return p;
}

export async function createEngine(cfg: EngineConfig): Promise<Engine> {
  const manifest = parseManifest(cfg.manifest);
  const cacheEntries = cfg.prefixCacheEntries ?? DEFAULT_PREFIX_CACHE_ENTRIES;
  if (!Number.isInteger(cacheEntries) || cacheEntries < 0) throw new EngineError('bad-options', `prefixCacheEntries ${String(cacheEntries)}: a whole number >= 0`);
  const prefixCache = cacheEntries > 0 ? new PrefixCache(cacheEntries) : undefined;
  // what the cache grows by beyond the warmed prefixes, unless its size was given
  const spareEntries = cfg.prefixCacheEntries === undefined ? DEFAULT_PREFIX_CACHE_ENTRIES : undefined;
  if (cfg.jointKernel !== undefined && cfg.jointKernel !== 'wasm' && cfg.jointKernel !== 'js') throw new EngineError('bad-options', `jointKernel ${String(cfg.jointKernel)}: 'wasm' or 'js'`);
  const runtime = cfg.runtime ?? (manifest.native?.default ? 'native' : 'ort');
  if (runtime !== 'native' && runtime !== 'ort') throw new EngineError('bad-options', `runtime ${String(runtime)}: 'native' or 'ort'`);
  if (runtime === 'native' && !manifest.native) throw new EngineError('model-missing', 'runtime native: model.json has no native weights');
  const encFile = cfg.encoderVariant ? manifest.encoder.variants?.[cfg.encoderVariant] : manifest.encoder.file;
  if (!encFile) throw new EngineError('model-missing', `no encoder variant "${String(cfg.encoderVariant)}" in model.json`);
  const predFile = cfg.predictorVariant ? manifest.predictor.variants?.[cfg.predictorVariant] : manifest.predictor.file;
  if (!predFile) throw new EngineError('model-missing', `no predictor variant "${String(cfg.predictorVariant)}" in model.json`);
  if (runtime === 'ort' && !cfg.ort) throw new EngineError('bad-options', 'runtime ort: no onnxruntime module given');
  const lexFile = cfg.lexiconFile ?? manifest.lexicon.file;
  const s0 = performance.now();
  // The network is made as soon as its own files are in (native: ~40 ms of packing weights), while
  // the lexicon and the rest still load: a cold start's largest parts overlap.
  let networkFilesAt = s0;
  let networkMs = 0;
  const makeNetwork = async (): Promise<Network> => {
    if (runtime === 'native') {
      const bytes = await load(cfg, (manifest.native as NativeSpec).file);
      networkFilesAt = performance.now();
      const native = NativeNetwork.create(bytes, manifest);
      networkMs = performance.now() - networkFilesAt;
      if (native) return native;
    }
    // the 'ort' runtime, or the native one where WebAssembly SIMD cannot run
    if (!cfg.ort) throw new EngineError('model-corrupt', 'the native runtime needs WebAssembly SIMD, and no onnxruntime module was given');
    const [encBytes, predBytes] = await Promise.all([load(cfg, encFile), load(cfg, predFile)]);
    networkFilesAt = performance.now();
    const ortNetwork = await OrtNetwork.create(cfg.ort, manifest, encBytes, predBytes, cfg.sessionOptions);
    networkMs = performance.now() - networkFilesAt;
    return ortNetwork;
  };
  const networkReady = makeNetwork();
  // awaited below, after the other files: until then its failure must not count as unhandled
  networkReady.catch(() => undefined);
  let lexicon: LexiconTrie;
  let lexiconMs: number;
  const layouts = new Map<string, LayoutConstants>();
  let defaultLayout: LayoutConstants;
  let model: RnntModel;
  let s1: number;
  let forest: RerankForest | undefined;
  try {
    const rerankRef = manifest.decoding.rerank;
    const [jointBytes, lexBytes, layoutBytes, rerankBytes] = await Promise.all([
      load(cfg, manifest.joint.file),
      load(cfg, lexFile),
      load(cfg, manifest.layout),
      rerankRef ? load(cfg, rerankRef.file) : undefined,
    ]);
    s1 = performance.now();
    lexicon = await loadLexicon(cfg, lexFile, lexBytes, manifest.vocab);
    lexiconMs = performance.now() - s1;
    let layoutRaw: unknown;
    try {
      layoutRaw = JSON.parse(new TextDecoder().decode(layoutBytes));
    } catch (e) {
      throw new EngineError('bad-layout', `${manifest.layout} is not JSON`, { cause: e });
    }
    if (rerankBytes) {
      try {
        forest = parseRerank(JSON.parse(new TextDecoder().decode(rerankBytes)));
      } catch (e) {
        throw e instanceof EngineError ? e : new EngineError('model-corrupt', `${(rerankRef as RerankRef).file} is not JSON`, { cause: e });
      }
    }
    const modelLayout = validateLayout(layoutRaw);
    defaultLayout = layoutConstants(modelLayout);
    // Known under its own name ("qwerty-hws"), its file ("qwerty.json") and the file stem
    // ("qwerty", what settings and the decode protocol name it).
    for (const alias of [modelLayout.name, manifest.layout, manifest.layout.replace(/\.json$/, '')]) {
      if (alias) layouts.set(alias, defaultLayout);
    }
    for (const [name, l] of Object.entries(cfg.layouts ?? {})) layouts.set(name, layoutConstants(validateLayout(l)));
    model = new RnntModel(await networkReady, manifest, jointBytes, cfg.jointKernel);
  } catch (e) {
    // a failure after the network was started must not leave its sessions behind
    networkReady.then((n) => n.release(), () => undefined);
    throw e;
  }
  const network = model.network;
  const startup: StartupTimings = { filesMs: Math.max(s1, networkFilesAt) - s0, lexiconMs, sessionsMs: networkMs };
  const personalParams = cfg.personalParams ?? DEFAULT_PERSONAL;
  let trie: TokenTrie = lexicon;
  let personal: TokenTrie | undefined;
  const setPersonalWords = (words: readonly PersonalWord[]): void => {
    personal = words.length === 0 ? undefined : buildPersonalTrie(words, lexicon, manifest.vocab, personalParams).trie;
    trie = personal ? new MergedTrie(lexicon, personal) : lexicon;
  };
  /** the bonus in a final word's prior: the personal words' (a merged prior is the personal one) */
  const personalBonus = (key: string): number => (personal && hasWord(personal, key, manifest.vocab) ? personalParams.bonus : 0);
  setPersonalWords(cfg.personalWords ?? []);

  let queue: Promise<unknown> = Promise.resolve();
  /** Runs `f` after everything queued before it: one ORT run at a time. */
  function enqueue<T>(f: () => Promise<T>): Promise<T> {
    const run = queue.then(f);
    queue = run.catch(() => undefined);
    return run;
  }
  const warmTarget = (predict: PredictFn): WarmTarget => ({ trie, shape: model.shape, jointDim: model.joint.J, predict });
  const predictNow: PredictFn = ({ tokens, h, c }) => model.predict(tokens, h, c);
  const fp = { maxFrames: manifest.features.maxFrames, proxScale: manifest.features.proxScale, dtCapMs: manifest.features.dtCapMs };

  /** v5's forest where the model has one, else v4's penalty, else none; `rescore: false` = v3 */
  function finalScorer(trace: DecodeTrace, lc: LayoutConstants, options: DecodeOptions, lambda: number): FinalScorer | undefined {
    if (options.rescore === false) return undefined;
    if (forest && options.rerank !== false) {
      const reranker = new TraceReranker(tracePolyline(trace, lc), lc, forest);
      return (cands) => reranker.finalScores(cands, lambda, personalBonus);
    }
    const spec = manifest.decoding.rescore;
    if (!spec) return undefined;
    const rescorer = new TraceRescorer(tracePolyline(trace, lc), lc, spec);
    return penaltyScorer((key) => rescorer.penalty(key));
  }

  async function decodeNow(trace: DecodeTrace, options: DecodeOptions, signal?: AbortSignal): Promise<DecodeResult> {
    throwIfAborted(signal);
    const t0 = performance.now();
    const params = resolveParams(manifest, options);
    if (typeof trace !== 'object' || trace === null) throw new EngineError('empty-trace', 'no trace');
    checkSize(trace);
    let lc = defaultLayout;
    if (typeof trace?.layout === 'string') {
      const found = layouts.get(trace.layout);
      if (!found) throw new EngineError('unknown-layout', `layout "${trace.layout}" (known: ${[...layouts.keys()].join(', ')})`);
      lc = found;
    } else if (trace?.layout !== undefined) {
      lc = layoutConstants(validateLayout(trace.layout));
    }
    const feats = computeFeatures(trace, lc, fp);
    const t1 = performance.now();
    throwIfAborted(signal);
    const enc = await model.encode(feats);
    const t2 = performance.now();
    if (signal) await yieldToEventLoop();
    throwIfAborted(signal);
    const dec = model.decoderFor(enc);
    let res;
    if (options.mode === 'greedy') {
      res = await greedySearch(dec, model.shape, enc.frames, trie, params, signal);
    } else {
      res = await beamSearch(dec, model.shape, enc.frames, trie, params, signal, prefixCache, finalScorer(trace, lc, options, params.priorWeight));
    }
    const t3 = performance.now();
    const work = dec.work ?? { predictorMs: 0, predictorRows: 0, jointRows: 0 };
    return {
      words: res.words,
      timings: { featuresMs: t1 - t0, encoderMs: t2 - t1, searchMs: t3 - t2, predictorMs: work.predictorMs, totalMs: t3 - t0 },
      frames: enc.frames,
      stepCalls: res.stepCalls,
      predictorRows: work.predictorRows,
      jointRows: work.jointRows,
      cachedPrefixes: res.cachedPrefixes ?? 0,
    };
  }

  const engine: Engine = {
    manifest,
    runtime: network.kind,
    startup,
    lexiconWords: lexicon.data.wordCount,
    decode(trace, options = {}, signal) {
      return enqueue(() => decodeNow(trace, options, signal));
    },
    async tryDecode(trace, options, signal) {
      try {
        return { ok: true, ...(await engine.decode(trace, options, signal)) };
      } catch (e) {
        if (isEngineError(e)) return { ok: false, code: e.code, message: e.message };
        return { ok: false, code: 'internal', message: e instanceof Error ? e.message : String(e) };
      }
    },
    async warmup() {
      // ORT-web pays a first-run cost per new input shape: sweep a synthetic swipe over the
      // three letter rows with the full beam (step batches 1..beam) and one max-length trace.
      const sweep = Array.from({ length: 120 }, (_, i) => [(i % 40) * 9, 20 + Math.floor(i / 40) * 55, i * 12]);
      await engine.decode({ points: sweep, width: 360, height: 215 });
      const long = Array.from({ length: manifest.features.maxFrames }, (_, i) => [(i * 7) % 360, (i * 3) % 170, i * 8]);
      await engine.decode({ points: long, width: 360, height: 215 }, { beam: 1, maxSymbolsPerFrame: 1 });
      // Every prefix of up to WARM_PREFIX_LETTERS letters, so the first swipes start from a warm
      // cache; unless its size was given, the cache grows to hold them and
      // DEFAULT_PREFIX_CACHE_ENTRIES more. A stateless predictor's other contexts follow in
      // tierUp(), in the background.
      if (prefixCache) {
        await enqueue(() => warmPrefixCache(prefixCache, warmTarget(predictNow), WARM_PREFIX_LETTERS, undefined, spareEntries));
      }
    },
    async tierUp(rounds = TIER_UP_ROUNDS, signal) {
      // A stateless predictor: every context it can be asked for, one queued batch at a time with
      // a task between batches, so a real swipe waits for one batch at most; after it a swipe
      // makes no predictor call.
      if (prefixCache && model.shape.context !== undefined && spareEntries !== undefined) {
        const queued: PredictFn = (x) => enqueue(() => predictNow(x));
        await warmContexts(prefixCache, warmTarget(queued), spareEntries, undefined, { between: yieldToEventLoop, signal });
      }
      let done = 0;
      for (const trace of tierUpTraces(rounds, manifest.features.maxFrames)) {
        // ORT's promises resolve as microtasks: without a task between rounds they would hold
        // the event loop for all of them, and a real swipe's message could not get in.
        await yieldToEventLoop();
        if (signal?.aborted) break;
        await engine.decode(trace);
        done++;
      }
      return done;
    },
    setPersonalWords,
    release: () => {
      prefixCache?.clear();
      return model.release();
    },
  };
  return engine;
}
