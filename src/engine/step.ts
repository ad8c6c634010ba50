/**
 * The decoders' view of the RNN-T step model (prediction network + joint, one symbol step):
 * an injected function, so the search is tested against toy models and run against ORT alike
 * (sherpa-onnx: the decoder holds the model, the model owns the sessions).
 */

/** Shapes the decoders need; read from model.json by the ORT wrapper. */
export interface StepShape {
  /** predictor LSTM layers, L */
  layers: number;
  /** predictor hidden size, Hd */
  hidden: number;
  /** logits per step, V (includes blank) */
  vocabSize: number;
  blankId: number;
  /** token fed before any symbol (blank, as NeMo) */
  startToken: number;
  /** token strings, index = token id (words are spelled from these) */
  vocab: readonly string[];
  /** a stateless predictor's context in tokens (model.json predictor.context); absent = the whole prefix */
  context?: number;
}

export interface StepInput {
  /** (B) token each hypothesis feeds to the predictor */
  tokens: Int32Array;
  /** (L, B, Hd) predictor state before that token */
  h: Float32Array;
  /** (L, B, Hd) */
  c: Float32Array;
  /** encoder frame index t the joint combines with */
  frame: number;
}

export interface StepOutput {
  /** (B, V) joint logits (not normalized; the decoders take log-softmax) */
  logits: Float32Array;
  /** (L, B, Hd) predictor state after the token */
  h: Float32Array;
  /** (L, B, Hd) */
  c: Float32Array;
}

/** One batched step over all live hypotheses; frames come from the encoder output it closes over. */
export type StepFn = (input: StepInput) => Promise<StepOutput>;

export interface PredictInput {
  /** (B) token each prefix feeds to the predictor (its last token, or startToken) */
  tokens: Int32Array;
  /** (L, B, Hd) predictor state before that token */
  h: Float32Array;
  /** (L, B, Hd) */
  c: Float32Array;
}

export interface PredictOutput {
  /** (B, J) joint_pred(predictor output): depends on the prefix only, never on a frame */
  pred: Float32Array;
  /** (L, B, Hd) predictor state after the token */
  h: Float32Array;
  /** (L, B, Hd) */
  c: Float32Array;
}

export interface DecoderWork {
  /** wall time inside the batched predictor calls (onnxruntime) */
  predictorMs: number;
  /** predictor rows computed (prefixes, summed over calls) */
  predictorRows: number;
  /** joint rows computed (frame, prefix) */
  jointRows: number;
}

/**
 * The split decoder of swipe-beam-v2 (BEAM_SEARCH.md): a batched predictor (predictor.onnx) and
 * the joint, computed by the caller-side code per (frame, prefix). One decoder serves one trace:
 * the joint closes over that trace's encoder frames (enc_proj precomputed once).
 */
export interface Decoder {
  /** J: floats per pred row */
  jointDim: number;
  /** what this decoder has done so far (the benchmark's breakdown of the search) */
  readonly work?: DecoderWork;
  predict(input: PredictInput): Promise<PredictOutput>;
  /** float64 logits (V) of frame t for the pred row at `pred[offset .. offset + J)`, into `out` */
  joint(frame: number, pred: Float32Array, offset: number, out: Float64Array): Float64Array;
}

/** In-place float64 log-softmax of `x` (V), BEAM_SEARCH.md order (m = max, Σ for k = 0..V−1). */
export function logSoftmaxInPlace(x: Float64Array, V: number): Float64Array {
  let m = -Infinity;
  for (let k = 0; k < V; k++) m = Math.max(m, x[k] as number);
  let s = 0;
  for (let k = 0; k < V; k++) s += Math.exp((x[k] as number) - m);
  const ls = Math.log(s);
  for (let k = 0; k < V; k++) x[k] = (x[k] as number) - m - ls;
  return x;
}

/**
 * Natural-log softmax of row `b` of (B, V) logits in float64, in BEAM_SEARCH.md's exact order:
 * m = max, s = Σ exp(x_k − m) for k = 0..V−1, logp_k = x_k − m − log(s).
 */
export function logSoftmaxRow(logits: Float32Array, b: number, V: number, out: Float64Array): Float64Array {
  const o = b * V;
  let m = -Infinity;
  for (let k = 0; k < V; k++) m = Math.max(m, logits[o + k] as number);
  let s = 0;
  for (let k = 0; k < V; k++) s += Math.exp((logits[o + k] as number) - m);
  const ls = Math.log(s);
  for (let k = 0; k < V; k++) out[k] = (logits[o + k] as number) - m - ls;
  return out;
}

/** BEAM_SEARCH.md logAdd: if a < b swap; if b = −∞ return a; else a + log1p(exp(b − a)). */
export function logAddExp(a: number, b: number): number {
  if (a < b) [a, b] = [b, a];
  if (b === -Infinity) return a;
  return a + Math.log1p(Math.exp(b - a));
}

/** Per-hypothesis state slices, (L, Hd) each, gathered into and scattered out of (L, B, Hd). */
export function gatherStates(states: readonly Float32Array[], L: number, Hd: number): Float32Array {
  const B = states.length;
  const out = new Float32Array(L * B * Hd);
  for (let b = 0; b < B; b++) {
    const s = states[b] as Float32Array;
    for (let l = 0; l < L; l++) out.set(s.subarray(l * Hd, (l + 1) * Hd), (l * B + b) * Hd);
  }
  return out;
}

export function scatterState(batch: Float32Array, b: number, B: number, L: number, Hd: number): Float32Array {
  const out = new Float32Array(L * Hd);
  for (let l = 0; l < L; l++) out.set(batch.subarray((l * B + b) * Hd, (l * B + b + 1) * Hd), l * Hd);
  return out;
}
