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

/** enc_proj for all `frames` frames of (T', D) float32 `enc` -> (T', J) float64. */
export function encProjAll(w: JointWeights, enc: Float32Array, frames: number): Float64Array {
  const { J, D, wEnc, bEnc } = w;
  const out = new Float64Array(frames * J);
  for (let t = 0; t < frames; t++) {
    const eo = t * D;
    const oo = t * J;
    // Four rows of W_enc at once: four independent sums (a single running sum is bound by the
    // add latency), each still summed in d order from its bias, so the values are the spec's.
    let j = 0;
    for (; j + 3 < J; j += 4) {
      const w0 = j * D;
      const w1 = w0 + D;
      const w2 = w1 + D;
      const w3 = w2 + D;
      let s0 = bEnc[j] as number;
      let s1 = bEnc[j + 1] as number;
      let s2 = bEnc[j + 2] as number;
      let s3 = bEnc[j + 3] as number;
      for (let d = 0; d < D; d++) {
        const x = enc[eo + d] as number;
        s0 += (wEnc[w0 + d] as number) * x;
        s1 += (wEnc[w1 + d] as number) * x;
        s2 += (wEnc[w2 + d] as number) * x;
        s3 += (wEnc[w3 + d] as number) * x;
      }
      out[oo + j] = s0;
      out[oo + j + 1] = s1;
      out[oo + j + 2] = s2;
      out[oo + j + 3] = s3;
    }
    for (; j < J; j++) {
      const wo = j * D;
      let s = bEnc[j] as number;
      for (let d = 0; d < D; d++) s += (wEnc[wo + d] as number) * (enc[eo + d] as number);
      out[oo + j] = s;
    }
  }
  return out;
}

/** tanh of each of `n` values of `x` from `offset`, into a new Float64Array. */
export function tanhOf(x: Float64Array | Float32Array, offset: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.tanh(x[offset + i] as number);
  return out;
}

/** Below this 1 + tanh(a)·tanh(b), tanh(a + b) is computed directly (see jointHidden). */
const ADDITION_FORMULA_MIN_DENOMINATOR = 1e-4;

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
  const { J, V, wOut, bOut } = w;
  // Four logits at once, each its own sum in j order (as encProjAll).
  let k = 0;
  for (; k + 3 < V; k += 4) {
    const w0 = k * J;
    const w1 = w0 + J;
    const w2 = w1 + J;
    const w3 = w2 + J;
    let s0 = bOut[k] as number;
    let s1 = bOut[k + 1] as number;
    let s2 = bOut[k + 2] as number;
    let s3 = bOut[k + 3] as number;
    for (let j = 0; j < J; j++) {
      const zj = z[j] as number;
      s0 += (wOut[w0 + j] as number) * zj;
      s1 += (wOut[w1 + j] as number) * zj;
      s2 += (wOut[w2 + j] as number) * zj;
      s3 += (wOut[w3 + j] as number) * zj;
    }
    out[k] = s0;
    out[k + 1] = s1;
    out[k + 2] = s2;
    out[k + 3] = s3;
  }
  for (; k < V; k++) {
    const wo = k * J;
    let s = bOut[k] as number;
    for (let j = 0; j < J; j++) s += (wOut[wo + j] as number) * (z[j] as number);
    out[k] = s;
  }
  return out;
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
