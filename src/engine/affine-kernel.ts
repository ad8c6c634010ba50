/**
 * The joint in WebAssembly SIMD (affine-kernel.wat): its two matrix-vector products (enc_proj per
 * frame, the output layer per row; two float64 rows per v128, four such pairs at once) and whole
 * joint rows (row(): the hidden vector by the addition formula, then the output layer, in one
 * call). Each sum keeps joint.ts affine()'s order and each hidden value jointHidden's operations,
 * so the results are bit-identical to joint.ts (tested), only faster (Node: an output row 5.4 ->
 * 1.5 us, enc_proj of 32 frames 1.05 -> 0.24 ms). The weights are copied once, pair-interleaved,
 * into the kernel's memory.
 */
import { AFFINE_KERNEL_WASM_BASE64 } from './affine-kernel-wasm';
import { compileKernel } from './wasm-module';
import { ADDITION_FORMULA_MIN_DENOMINATOR } from './joint';
import type { JointWeights } from './joint';

export interface WasmJoint {
  /** enc_proj (T', J) of `frames` frames of (T', D) float32 `enc`: joint.ts encProjAll's values */
  encProjAll(enc: Float32Array, frames: number): Float64Array;
  /**
   * One joint row, joint.ts jointHidden + jointOutput in one call: the logits of frame t for the
   * pred row at `pred[predOffset ..]` with tanh values `predTanh` (J), into `out` (V), given the
   * trace's enc_proj (T', J) and its tanh (`encTanh`, the same shape). The kernel keeps the last
   * trace's tanh in its memory and copies another's in when a row of it comes.
   */
  row(t: number, encProj: Float64Array, encTanh: Float64Array, pred: Float32Array, predOffset: number, predTanh: Float64Array, out: Float64Array): Float64Array;
}

interface Exports {
  memory: WebAssembly.Memory;
  affine2(w: number, b: number, x: number, out: number, pairs: number, cols: number): void;
  joint_row(ta: number, tb: number, z: number, n: number, min: number, w: number, b: number, out: number, pairs: number): number;
}

let module: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is not available (then joint.ts's loops run). */
function kernelModule(): WebAssembly.Module | null {
  if (module === undefined) module = compileKernel(AFFINE_KERNEL_WASM_BASE64);
  return module;
}

/** Whether this context can run the kernel (WebAssembly SIMD, a CSP that allows compiling it). */
export function wasmJointAvailable(): boolean {
  const mod = kernelModule();
  if (mod === null) return false;
  try {
    new WebAssembly.Instance(mod, {});
    return true;
  } catch {
    return false;
  }
}

/** Bytes of a pair-interleaved (rows, cols) matrix and of its bias (rows rounded up to even). */
const pairBytes = (rows: number, cols: number) => ({ w: Math.ceil(rows / 2) * cols * 16, b: Math.ceil(rows / 2) * 16 });

/** Writes W (rows, cols) and b pair-interleaved at byte offsets wAt / bAt of `mem`; an odd last row pairs with zeros. */
function putPaired(mem: Float64Array, wAt: number, bAt: number, W: Float64Array, b: Float64Array, rows: number, cols: number): void {
  const w0 = wAt / 8;
  for (let r = 0; r < rows; r++) {
    const p = r >> 1;
    const lane = r & 1;
    for (let c = 0; c < cols; c++) mem[w0 + (p * cols + c) * 2 + lane] = W[r * cols + c] as number;
    mem[bAt / 8 + r] = b[r] as number;
  }
}

export function createWasmJoint(w: JointWeights): WasmJoint | null {
  const mod = kernelModule();
  if (mod === null) return null;
  const { J, D, V } = w;
  const enc = pairBytes(J, D);
  const out = pairBytes(V, J);
  // layout (bytes): W_enc, b_enc, W_out, b_out, z (J: the row's hidden values), logits (V, even), tanh(pred) (J), then the
  // trace region: x (T'·D) and enc_proj (T'·J) while encProjAll runs, then tanh(enc_proj) (T'·J) for row()
  const at = { wEnc: 0, bEnc: enc.w, wOut: enc.w + enc.b, bOut: enc.w + enc.b + out.w, z: enc.w + enc.b + out.w + out.b, logits: 0, predTanh: 0, trace: 0 };
  at.logits = at.z + J * 8;
  at.predTanh = at.logits + Math.ceil(V / 2) * 16;
  at.trace = at.predTanh + J * 8;
  const pairsOut = Math.ceil(V / 2);
  let ex: Exports;
  try {
    ex = new WebAssembly.Instance(mod, {}).exports as unknown as Exports;
  } catch {
    return null;
  }
  const grow = (bytes: number): void => {
    const have = ex.memory.buffer.byteLength;
    if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / 65536));
  };
  grow(at.trace);
  let mem = new Float64Array(ex.memory.buffer);
  /** Grows the memory to `bytes` and renews the view if that detached it. */
  const reserve = (bytes: number): void => {
    const before = ex.memory.buffer;
    grow(bytes);
    if (ex.memory.buffer !== before) mem = new Float64Array(ex.memory.buffer);
  };
  // Whose tanh(enc_proj) the trace region holds (row() reads it there); encProjAll reuses the region.
  let loaded: Float64Array | null = null;
  putPaired(mem, at.wEnc, at.bEnc, w.wEnc, w.bEnc, J, D);
  putPaired(mem, at.wOut, at.bOut, w.wOut, w.bOut, V, J);
  const kernel: WasmJoint = {
    encProjAll(e, frames) {
      const xAt = at.trace;
      const pAt = xAt + frames * D * 8;
      // an odd J writes one padding value past each frame's row (the next frame overwrites it)
      reserve(pAt + frames * Math.ceil(J / 2) * 16);
      loaded = null;
      mem.set(e.subarray(0, frames * D), xAt / 8); // float32 -> float64, exact
      for (let t = 0; t < frames; t++) ex.affine2(at.wEnc, at.bEnc, xAt + t * D * 8, pAt + t * J * 8, Math.ceil(J / 2), D);
      return mem.slice(pAt / 8, pAt / 8 + frames * J);
    },
    row(t, encProj, encTanh, pred, predOffset, predTanh, o) {
      if (loaded !== encTanh) {
        reserve(at.trace + encTanh.length * 8);
        mem.set(encTanh, at.trace / 8);
        loaded = encTanh;
      }
      mem.set(predTanh, at.predTanh / 8);
      const ta = at.trace + t * J * 8;
      if (ex.joint_row(ta, at.predTanh, at.z, J, ADDITION_FORMULA_MIN_DENOMINATOR, at.wOut, at.bOut, at.logits, pairsOut) !== 0) {
        // jointHidden's other branch, for the j where the addition formula would cancel
        const a0 = ta / 8;
        const z0 = at.z / 8;
        for (let j = 0; j < J; j++) {
          const den = 1 + (mem[a0 + j] as number) * (predTanh[j] as number);
          if (!(den > ADDITION_FORMULA_MIN_DENOMINATOR)) mem[z0 + j] = Math.tanh((encProj[t * J + j] as number) + (pred[predOffset + j] as number));
        }
        ex.affine2(at.wOut, at.bOut, at.z, at.logits, pairsOut, J);
      }
      o.set(mem.subarray(at.logits / 8, at.logits / 8 + V));
      return o;
    },
  };
  return kernel;
}
