/**
 * The RNN-T joint of `swipe-beam-v2` (training/BEAM_SEARCH.md "Joint"), computed here in
 * float64 from the float32 weights of joint.bin (format `swipe-joint-v1`, docs/model-json.md):
 *
 *   enc_proj[t][j] = b_enc[j] + Σ_d W_enc[j][d]·enc[t][d]          (d in order; once per frame)
 *   z_j            = tanh(enc_proj[t][j] + pred_proj[j])
 *   logits_k       = b_out[k] + Σ_j W_out[k][j]·z_j               (j in order)
 *
 * pred_proj = joint_pred(predictor output) comes from predictor.onnx. Loops are tight over typed
 * arrays; `logits` writes into caller-owned buffers (no allocation per call).
 */
import { EngineError } from './errors';

export const JOINT_MAGIC = 'SWJ1';

export interface JointWeights {
  /** joint dimension J */
  J: number;
  /** encoder dimension D */
  D: number;
  /** vocabulary size V (logits per row) */
  V: number;
  // The float32 weights of joint.bin held as float64 (each value converted exactly, so the
  // sums are the spec's): the hot loops then read doubles, with no float32 -> float64 widening
  // on every multiply (measured: the joint took ~40 % of a decode before).
  /** (J, D) row-major */
  wEnc: Float64Array;
  /** (J) */
  bEnc: Float64Array;
  /** (V, J) row-major */
  wOut: Float64Array;
  /** (V) */
  bOut: Float64Array;
}

/** Parses joint.bin: 16-byte header ("SWJ1", uint32 J, D, V little-endian) then float32 LE
 * W_enc (J,D), b_enc (J), W_out (V,J), b_out (V). */
export function parseJoint(bytes: Uint8Array, expect?: { J?: number; D?: number; V?: number }): JointWeights {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 16 || String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0, bytes[3] ?? 0) !== JOINT_MAGIC) {
    throw new EngineError('model-corrupt', 'joint.bin: not a swipe-joint-v1 file (bad magic)');
  }
  const J = dv.getUint32(4, true);
  const D = dv.getUint32(8, true);
  const V = dv.getUint32(12, true);
  const n = J * D + J + V * J + V;
  if (bytes.byteLength !== 16 + 4 * n) throw new EngineError('model-corrupt', `joint.bin: ${bytes.byteLength} bytes, its header (J ${J}, D ${D}, V ${V}) says ${16 + 4 * n}`);
  for (const [k, v] of [['J', J], ['D', D], ['V', V]] as const) {
    const want = expect?.[k];
    if (want !== undefined && want !== v) throw new EngineError('model-corrupt', `joint.bin: ${k} = ${v}, model.json says ${want}`);
  }
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = dv.getFloat32(16 + 4 * i, true);
  let o = 0;
  const wEnc = f.subarray(o, (o += J * D));
  const bEnc = f.subarray(o, (o += J));
  const wOut = f.subarray(o, (o += V * J));
  const bOut = f.subarray(o, (o += V));
  return { J, D, V, wEnc, bEnc, wOut, bOut };
}

/**
 * out[outOff + r] = b[r] + Σ_c W[r][c]·x[xOff + c] for the `rows` rows of row-major W (rows, cols),
 * each sum from its bias in c order (the spec's order). Four rows at once: four independent sums,
 * where a single running sum is bound by the add latency (a joint row: 8.6 -> 5.6 us).
 */
export function affine(W: Float64Array, b: Float64Array, rows: number, cols: number, x: Float64Array, xOff: number, out: Float64Array, outOff: number): Float64Array {
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const w0 = r * cols;
    const w1 = w0 + cols;
    const w2 = w1 + cols;
    const w3 = w2 + cols;
    let s0 = b[r] as number;
    let s1 = b[r + 1] as number;
    let s2 = b[r + 2] as number;
    let s3 = b[r + 3] as number;
    for (let c = 0; c < cols; c++) {
      const xc = x[xOff + c] as number;
      s0 += (W[w0 + c] as number) * xc;
      s1 += (W[w1 + c] as number) * xc;
      s2 += (W[w2 + c] as number) * xc;
      s3 += (W[w3 + c] as number) * xc;
    }
    out[outOff + r] = s0;
    out[outOff + r + 1] = s1;
    out[outOff + r + 2] = s2;
    out[outOff + r + 3] = s3;
  }
  for (; r < rows; r++) {
    const wo = r * cols;
    let s = b[r] as number;
    for (let c = 0; c < cols; c++) s += (W[wo + c] as number) * (x[xOff + c] as number);
    out[outOff + r] = s;
  }
  return out;
}

/** enc_proj for all `frames` frames of (T', D) float32 `enc` -> (T', J) float64. */
export function encProjAll(w: JointWeights, enc: Float32Array, frames: number): Float64Array {
  const { J, D, wEnc, bEnc } = w;
  const out = new Float64Array(frames * J);
  // float64 copy of the frames (exact): affine() then reads one array type only
  const x = Float64Array.from(enc.subarray(0, frames * D));
  for (let t = 0; t < frames; t++) affine(wEnc, bEnc, J, D, x, t * D, out, t * J);
  return out;
}

/** tanh of each of `n` values of `x` from `offset`, into a new Float64Array. */
export function tanhOf(x: Float64Array | Float32Array, offset: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.tanh(x[offset + i] as number);
  return out;
}

/** Below this 1 + tanh(a)·tanh(b), tanh(a + b) is computed directly (see jointHidden). */
export const ADDITION_FORMULA_MIN_DENOMINATOR = 1e-4;

/**
 * z_j = tanh(enc_proj[t][j] + pred[j]) for one (frame, prefix), into `z` (J).
 *
 * With `encTanh` (tanh of enc_proj, per frame) and `predTanh` (tanh of the pred row, per prefix)
 * it uses tanh(a + b) = (tanh a + tanh b) / (1 + tanh a · tanh b): no transcendental per joint
 * row (Math.tanh was 40 % of the joint). Its error is below 6e-16 / (1 + tanh a · tanh b), so
 * where that denominator is small (a, b large with opposite signs) tanh(a + b) is computed
 * directly: the error stays below 1e-11, far inside BEAM_SEARCH.md's score tolerance.
 */
export function jointHidden(
  J: number,
  encProj: Float64Array,
  encTanh: Float64Array,
  t: number,
  pred: Float32Array,
  predOffset: number,
  predTanh: Float64Array,
  z: Float64Array,
): Float64Array {
  const eo = t * J;
  for (let j = 0; j < J; j++) {
    const ta = encTanh[eo + j] as number;
    const tb = predTanh[j] as number;
    const den = 1 + ta * tb;
    z[j] = den > ADDITION_FORMULA_MIN_DENOMINATOR ? (ta + tb) / den : Math.tanh((encProj[eo + j] as number) + (pred[predOffset + j] as number));
  }
  return z;
}

/** logits_k = b_out[k] + Σ_j W_out[k][j]·z_j (j in order) for k < V, into `out`. */
export function jointOutput(w: JointWeights, z: Float64Array, out: Float64Array): Float64Array {
  return affine(w.wOut, w.bOut, w.V, w.J, z, 0, out, 0);
}

/**
 * logits (float64, V) of frame t for one pred_proj row, computed as the spec writes it
 * (Math.tanh per element): `encProj` from encProjAll, `pred` row at `predOffset` (J floats),
 * `z` a scratch Float64Array(J), result in `out` (V). The decoder's fast path is
 * jointHidden + jointOutput; this is its reference in the tests.
 */
export function jointLogits(w: JointWeights, encProj: Float64Array, t: number, pred: Float32Array, predOffset: number, z: Float64Array, out: Float64Array): Float64Array {
  const { J } = w;
  const eo = t * J;
  for (let j = 0; j < J; j++) z[j] = Math.tanh((encProj[eo + j] as number) + (pred[predOffset + j] as number));
  return jointOutput(w, z, out);
}
