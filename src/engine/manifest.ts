/**
 * model.json, format version 1 (docs/model-json.md). The types are defined here once and
 * exported: messaging/host code imports them rather than redeclaring. `parseManifest` validates
 * every field the runtime reads and names the bad one in a `model-corrupt` error (sherpa-onnx's
 * "errors quote the bad value").
 */
import type { SearchParams } from './params';
import type { RescoreSpec } from './rescore';
import { RERANK_SPEC } from './rerank';
import type { RerankRef } from './rerank';
import { EngineError } from './errors';

export interface FeaturesSpec {
  spec: 'swipe-features-v1';
  numFeatures: number;
  maxFrames: number;
  proxScale: number;
  dtCapMs: number;
}

export interface EncoderSpec {
  /** shipped default file, relative to the model folder */
  file: string;
  variants?: Record<string, string>;
  inputs: { features: string; lengths: string };
  outputs: { encoded: string; lengths: string };
  subsampling: number;
  dim: number;
  /** the files already hold ORT-optimized graphs (e.g. "ORT_ENABLE_EXTENDED"): load them unoptimized */
  preOptimized?: string;
}

export interface StepSpec {
  file: string;
  inputs: { token: string; h: string; c: string; enc: string };
  outputs: { logits: string; h: string; c: string };
  layers: number;
  hidden: number;
  /** token fed to the predictor before any symbol (blank, as NeMo) */
  startToken: number;
}

/** predictor.onnx: the predictor plus the joint's predictor projection (swipe-beam-v2). */
export interface PredictorSpec {
  file: string;
  inputs: { token: string; h: string; c: string };
  outputs: { pred: string; h: string; c: string };
  layers: number;
  hidden: number;
  /** J, floats per pred_proj row */
  jointDim: number;
  startToken: number;
  /** e.g. { fp32: 'predictor.onnx', int8: 'predictor.int8.onnx' } */
  variants?: Record<string, string>;
  /** as EncoderSpec.preOptimized */
  preOptimized?: string;
  /**
   * a stateless predictor: its output depends on the last `context` tokens only (its h carries
   * the ones before the token fed), so prefixes that end alike share one output. Absent = LSTM:
   * the output depends on the whole prefix.
   */
  context?: number;
}

/** joint.bin: the rest of the joint's weights (format swipe-joint-v1, docs/model-json.md). */
export interface JointSpec {
  file: string;
  format: 'swipe-joint-v1';
  /** J */
  dim: number;
  /** D (= encoder.dim) */
  encDim: number;
  /** V (= vocab.length) */
  vocabSize: number;
}

/**
 * weights.bin (swipe-weights-v1): the encoder's and predictor's weights for the engine's own
 * WebAssembly runtime (native-network.ts), which needs no onnxruntime-web. `default`: the engine
 * runs the network this way unless told otherwise (else in ORT, from encoder.file and predictor.file).
 */
export interface NativeSpec {
  file: string;
  format: 'swipe-weights-v1';
  default: boolean;
  /** why `default` is what it is (the measured figures) */
  defaultChoice?: string;
}

/** model.json `decoding`: the search knobs (params.ts, documented there once) plus the rescoring */
export interface DecodingSpec extends SearchParams {
  /** optional: geometric rescoring of the final list (swipe-beam-v4, rescore.ts; absent = v3) */
  rescore?: RescoreSpec;
  /** optional: the learnt reranker of the final list (swipe-beam-v5, rerank.ts); it supersedes `rescore` */
  rerank?: RerankRef;
}

export interface ModelMetrics {
  data?: string;
  traces?: number;
  top1?: number;
  top4?: number;
  mrr?: number;
  lexiconSize?: number;
  command?: string;
  [extra: string]: unknown;
}

export interface ModelManifest {
  formatVersion: 1;
  name: string;
  features: FeaturesSpec;
  /** token strings, index = token id */
  vocab: string[];
  blankId: number;
  encoder: EncoderSpec;
  /** kept for compatibility (Android, reference tools); the web engine uses predictor + joint */
  step: StepSpec;
  predictor: PredictorSpec;
  joint: JointSpec;
  /** optional: absent = ORT only */
  native?: NativeSpec;
  lexicon: { file: string; source?: string };
  /** key geometry file beside model.json */
  layout: string;
  decoding: DecodingSpec;
  metrics?: ModelMetrics;
}

type Obj = Record<string, unknown>;

function bad(field: string, value: unknown, why: string): never {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  throw new EngineError('model-corrupt', `model.json ${field} = ${shown}: ${why}`);
}

function obj(o: Obj, field: string, path: string): Obj {
  const v = o[field];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, v, 'expected an object');
  return v as Obj;
}

function str(o: Obj, field: string, path: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v.length === 0) bad(path, v, 'expected a non-empty string');
  return v;
}

/** Rejects absolute paths and `..` so a manifest can only name files in its own folder. */
function file(o: Obj, field: string, path: string): string {
  const v = str(o, field, path);
  if (v.startsWith('/') || v.split(/[\\/]/).includes('..') || /^[a-z]+:/i.test(v)) bad(path, v, 'expected a file inside the model folder');
  return v;
}

function num(o: Obj, field: string, path: string, min: number, integer = true): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(path, v, 'expected a finite number');
  if (integer && !Number.isInteger(v)) bad(path, v, 'expected an integer');
  if (v < min) bad(path, v, `expected >= ${min}`);
  return v;
}

/** `<what>.variants`: variant key -> file, or undefined when absent. */
function variantsOf(o: Obj, what: string): Record<string, string> | undefined {
  if (o.variants === undefined) return undefined;
  const vo = obj(o, 'variants', `${what}.variants`);
  const out: Record<string, string> = {};
  for (const k of Object.keys(vo)) out[k] = file(vo, k, `${what}.variants.${k}`);
  return out;
}

function preOptimizedOf(o: Obj, what: string): { preOptimized?: string } {
  return o.preOptimized === undefined ? {} : { preOptimized: str(o, 'preOptimized', `${what}.preOptimized`) };
}

export function parseManifest(raw: unknown): ModelManifest {
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (e) {
      throw new EngineError('model-corrupt', 'model.json is not valid JSON', { cause: e });
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('(root)', raw, 'expected an object');
  const r = raw as Obj;
  if (r.formatVersion !== 1) bad('formatVersion', r.formatVersion, 'this runtime reads format version 1');
  const name = str(r, 'name', 'name');

  const f = obj(r, 'features', 'features');
  if (f.spec !== 'swipe-features-v1') bad('features.spec', f.spec, 'unknown feature spec');
  const features: FeaturesSpec = {
    spec: 'swipe-features-v1',
    numFeatures: num(f, 'numFeatures', 'features.numFeatures', 1),
    maxFrames: num(f, 'maxFrames', 'features.maxFrames', 2),
    proxScale: num(f, 'proxScale', 'features.proxScale', 0, false),
    dtCapMs: num(f, 'dtCapMs', 'features.dtCapMs', 0, false),
  };
  if (features.numFeatures !== 35) bad('features.numFeatures', features.numFeatures, 'swipe-features-v1 has 35');

  const vocab = r.vocab;
  if (!Array.isArray(vocab) || vocab.length < 2) bad('vocab', vocab, 'expected an array of >= 2 token strings');
  vocab.forEach((tok: unknown, i) => {
    if (typeof tok !== 'string' || tok.length === 0) bad(`vocab[${i}]`, tok, 'expected a non-empty string');
  });
  if (new Set(vocab).size !== vocab.length) bad('vocab', vocab, 'tokens are not distinct');
  const blankId = num(r, 'blankId', 'blankId', 0);
  if (blankId >= vocab.length) bad('blankId', blankId, `outside vocab (size ${vocab.length})`);

  const e = obj(r, 'encoder', 'encoder');
  const ei = obj(e, 'inputs', 'encoder.inputs');
  const eo = obj(e, 'outputs', 'encoder.outputs');
  const variants = variantsOf(e, 'encoder');
  const encoder: EncoderSpec = {
    file: file(e, 'file', 'encoder.file'),
    ...(variants ? { variants } : {}),
    ...preOptimizedOf(e, 'encoder'),
    inputs: { features: str(ei, 'features', 'encoder.inputs.features'), lengths: str(ei, 'lengths', 'encoder.inputs.lengths') },
    outputs: { encoded: str(eo, 'encoded', 'encoder.outputs.encoded'), lengths: str(eo, 'lengths', 'encoder.outputs.lengths') },
    subsampling: num(e, 'subsampling', 'encoder.subsampling', 1),
    dim: num(e, 'dim', 'encoder.dim', 1),
  };

  const s = obj(r, 'step', 'step');
  const si = obj(s, 'inputs', 'step.inputs');
  const so = obj(s, 'outputs', 'step.outputs');
  const step: StepSpec = {
    file: file(s, 'file', 'step.file'),
    inputs: {
      token: str(si, 'token', 'step.inputs.token'),
      h: str(si, 'h', 'step.inputs.h'),
      c: str(si, 'c', 'step.inputs.c'),
      enc: str(si, 'enc', 'step.inputs.enc'),
    },
    outputs: { logits: str(so, 'logits', 'step.outputs.logits'), h: str(so, 'h', 'step.outputs.h'), c: str(so, 'c', 'step.outputs.c') },
    layers: num(s, 'layers', 'step.layers', 1),
    hidden: num(s, 'hidden', 'step.hidden', 1),
    startToken: num(s, 'startToken', 'step.startToken', 0),
  };
  if (step.startToken >= vocab.length) bad('step.startToken', step.startToken, `outside vocab (size ${vocab.length})`);

  const pr = obj(r, 'predictor', 'predictor');
  const pi = obj(pr, 'inputs', 'predictor.inputs');
  const po = obj(pr, 'outputs', 'predictor.outputs');
  const predictorVariants = variantsOf(pr, 'predictor');
  const predictor: PredictorSpec = {
    file: file(pr, 'file', 'predictor.file'),
    inputs: { token: str(pi, 'token', 'predictor.inputs.token'), h: str(pi, 'h', 'predictor.inputs.h'), c: str(pi, 'c', 'predictor.inputs.c') },
    outputs: { pred: str(po, 'pred', 'predictor.outputs.pred'), h: str(po, 'h', 'predictor.outputs.h'), c: str(po, 'c', 'predictor.outputs.c') },
    layers: num(pr, 'layers', 'predictor.layers', 1),
    hidden: num(pr, 'hidden', 'predictor.hidden', 1),
    jointDim: num(pr, 'jointDim', 'predictor.jointDim', 1),
    startToken: num(pr, 'startToken', 'predictor.startToken', 0),
    ...(predictorVariants ? { variants: predictorVariants } : {}),
    ...preOptimizedOf(pr, 'predictor'),
    ...(pr.context === undefined ? {} : { context: num(pr, 'context', 'predictor.context', 1) }),
  };
  if (predictor.startToken >= vocab.length) bad('predictor.startToken', predictor.startToken, `outside vocab (size ${vocab.length})`);
  const jo = obj(r, 'joint', 'joint');
  if (jo.format !== 'swipe-joint-v1') bad('joint.format', jo.format, 'this runtime reads swipe-joint-v1');
  const joint: JointSpec = {
    file: file(jo, 'file', 'joint.file'),
    format: 'swipe-joint-v1',
    dim: num(jo, 'dim', 'joint.dim', 1),
    encDim: num(jo, 'encDim', 'joint.encDim', 1),
    vocabSize: num(jo, 'vocabSize', 'joint.vocabSize', 2),
  };
  if (joint.dim !== predictor.jointDim) bad('joint.dim', joint.dim, `predictor.jointDim is ${predictor.jointDim}`);
  if (joint.encDim !== encoder.dim) bad('joint.encDim', joint.encDim, `encoder.dim is ${encoder.dim}`);
  if (joint.vocabSize !== vocab.length) bad('joint.vocabSize', joint.vocabSize, `vocab has ${vocab.length} tokens`);

  let native: NativeSpec | undefined;
  if (r.native !== undefined) {
    const n = obj(r, 'native', 'native');
    if (n.format !== 'swipe-weights-v1') bad('native.format', n.format, 'this runtime reads swipe-weights-v1');
    if (typeof n.default !== 'boolean') bad('native.default', n.default, 'expected true or false');
    native = { file: file(n, 'file', 'native.file'), format: 'swipe-weights-v1', default: n.default, ...(typeof n.defaultChoice === 'string' ? { defaultChoice: n.defaultChoice } : {}) };
  }

  const l = obj(r, 'lexicon', 'lexicon');
  const lexicon = { file: file(l, 'file', 'lexicon.file'), ...(typeof l.source === 'string' ? { source: l.source } : {}) };
  const layout = file(r, 'layout', 'layout');

  const d = obj(r, 'decoding', 'decoding');
  const decoding: DecodingSpec = {
    beam: num(d, 'beam', 'decoding.beam', 1),
    prune: num(d, 'prune', 'decoding.prune', 1),
    maxSymbolsPerFrame: num(d, 'maxSymbolsPerFrame', 'decoding.maxSymbolsPerFrame', 1),
    priorWeight: num(d, 'priorWeight', 'decoding.priorWeight', 0, false),
    topK: num(d, 'topK', 'decoding.topK', 1),
  };
  if (d.scoreMargin !== undefined) decoding.scoreMargin = num(d, 'scoreMargin', 'decoding.scoreMargin', 0, false);
  if (d.floorMargin !== undefined) decoding.floorMargin = num(d, 'floorMargin', 'decoding.floorMargin', 0, false);
  if (d.rescore !== undefined) {
    const rs = obj(d, 'rescore', 'decoding.rescore');
    const points = num(rs, 'points', 'decoding.rescore.points', 2);
    if (points > 1024) bad('decoding.rescore.points', points, 'expected <= 1024');
    decoding.rescore = {
      points,
      loc: num(rs, 'loc', 'decoding.rescore.loc', 0, false),
      shape: num(rs, 'shape', 'decoding.rescore.shape', 0, false),
      ends: num(rs, 'ends', 'decoding.rescore.ends', 0, false),
      // absent in swipe-rescore-v1 manifests
      letter: rs.letter === undefined ? 0 : num(rs, 'letter', 'decoding.rescore.letter', 0, false),
    };
  }
  if (d.rerank !== undefined) {
    const rr = obj(d, 'rerank', 'decoding.rerank');
    if (rr.spec !== RERANK_SPEC) bad('decoding.rerank.spec', rr.spec, `expected ${RERANK_SPEC}`);
    decoding.rerank = { file: str(rr, 'file', 'decoding.rerank.file'), spec: RERANK_SPEC };
  }
  const m: ModelManifest = { formatVersion: 1, name, features, vocab: vocab as string[], blankId, encoder, step, predictor, joint, ...(native ? { native } : {}), lexicon, layout, decoding };
  // null: exported with --eval-limit 0 (docs/model-json.md), so no figures
  if (r.metrics !== undefined && r.metrics !== null) m.metrics = obj(r, 'metrics', 'metrics') as ModelMetrics;
  return m;
}
