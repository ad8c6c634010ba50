/**
 * The network's arithmetic in WebAssembly SIMD (network-kernel.wat) and the memory it runs in:
 * weights first (allocated once), then a scratch region that each forward pass lays out anew.
 * Float32 throughout, like the ONNX graphs it stands in for. Every address is a byte offset into
 * the kernel's memory.
 */
import { NETWORK_KERNEL_RELAXED_WASM_BASE64, NETWORK_KERNEL_WASM_BASE64 } from './network-kernel-wasm';
import { compileKernel } from './wasm-module';

/** The kernel's exports (network-kernel.wat documents each). */
export interface NetworkKernel {
  memory: WebAssembly.Memory;
  gemm(x: number, xs: number, w: number, b: number, y: number, ys: number, M: number, N: number, K: number): void;
  silu(p: number, n: number): void;
  axpy(x: number, y: number, n: number, a: number): void;
  layernorm(src: number, dst: number, rows: number, dim: number, stride: number, g: number, b: number, eps: number): void;
  glu(src: number, ss: number, dst: number, ds: number, rows: number, dim: number): void;
  dwconv(src: number, dst: number, T: number, D: number, w: number, b: number, K: number): void;
  softmax(s: number, rows: number, n: number, stride: number, scale: number): void;
  lstm_cell(gates: number, tab: number, c: number, h1: number, c1: number, P: number): void;
  f16_to_f32(src: number, dst: number, n: number): void;
  transpose(src: number, dst: number, N: number, K: number, Np: number): void;
}

/** A weight as weights.bin stores it (native-weights.ts Tensor): the kernel widens and transposes it. */
export interface StoredWeight {
  dtype: 'float16' | 'float32';
  raw: Uint8Array;
}

/** A linear layer in the kernel's memory: w (K, Np) k-major, b (Np); Np = N rounded up to 8 (zero columns). */
export interface PackedLinear {
  w: number;
  b: number;
  N: number;
  Np: number;
  K: number;
}

/** Which build of the kernel runs here: relaxed SIMD (gemm's multiply-adds fused where the CPU can), plain SIMD, or none. */
export type NetworkKernelKind = 'relaxed-simd' | 'simd' | 'unavailable';

let compiled: { module: WebAssembly.Module; kind: NetworkKernelKind } | null | undefined;

/**
 * The relaxed-SIMD build where this engine validates it (Chrome 114+; gemm 1.3x faster with fused
 * multiply-adds, src/engine/README.md), else the plain SIMD one (Node 20, older browsers). The two
 * differ in rounding only: a fused multiply-add rounds once.
 */
function kernelModule(): { module: WebAssembly.Module; kind: NetworkKernelKind } | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  for (const [b64, kind] of [[NETWORK_KERNEL_RELAXED_WASM_BASE64, 'relaxed-simd'], [NETWORK_KERNEL_WASM_BASE64, 'simd']] as const) {
    const module = compileKernel(b64);
    if (module) return (compiled = { module, kind });
  }
  return compiled;
}

/** Whether, and in which build, this context can run the network kernel (WebAssembly SIMD, a CSP that allows compiling it). */
export function networkKernelKind(): NetworkKernelKind {
  return NetworkMemory.create() === null ? 'unavailable' : (kernelModule()?.kind ?? 'unavailable');
}

/** Whether this context can run the network kernel. */
export function networkKernelAvailable(): boolean {
  return networkKernelKind() !== 'unavailable';
}

export const roundUp8 = (n: number): number => Math.ceil(n / 8) * 8;

export class NetworkMemory {
  /** float32 view of the whole memory; renewed when the memory grows (read it after alloc) */
  f32: Float32Array;
  private top = 0;
  /** the highest `top` so far */
  private highWater = 0;
  private scratchBase = 0;

  private constructor(readonly ex: NetworkKernel) {
    this.f32 = new Float32Array(ex.memory.buffer);
  }

  /** null where WebAssembly SIMD cannot run (no SIMD, or a CSP that forbids compiling) */
  static create(): NetworkMemory | null {
    const mod = kernelModule();
    if (mod === null) return null;
    try {
      return new NetworkMemory(new WebAssembly.Instance(mod.module, {}).exports as unknown as NetworkKernel);
    } catch {
      return null;
    }
  }

  /** `floats` floats, 16-byte aligned, zeroed; returns the byte offset. Grows the memory as needed. */
  alloc(floats: number): number {
    const at = this.top;
    this.top += Math.ceil(floats / 4) * 16;
    const have = this.ex.memory.buffer.byteLength;
    if (this.top > have) {
      // at least doubling: each grow may copy the whole memory, and the weights come in ~200 pieces
      this.ex.memory.grow(Math.ceil(Math.max(this.top - have, have) / 65536));
      this.f32 = new Float32Array(this.ex.memory.buffer);
    }
    // memory above everything ever allocated is still the zeros grow() gave it
    if (at < this.highWater) this.f32.fill(0, at / 4, Math.min(this.top, this.highWater) / 4);
    this.highWater = Math.max(this.highWater, this.top);
    return at;
  }

  /** Ends the permanent region (weights); scratch allocations after this are undone by resetScratch(). */
  sealWeights(): void {
    this.scratchBase = this.top;
  }

  resetScratch(): void {
    this.top = this.scratchBase;
  }

  /** Copies `data` in; returns its byte offset. */
  put(data: Float32Array): number {
    const at = this.alloc(data.length);
    this.f32.set(data, at / 4);
    return at;
  }

  /**
   * Copies W (N, K) row-major (PyTorch's Linear layout: float32 values, or a weights.bin tensor,
   * widened from float16 by the kernel) and b (N) in, k-major. The transposing and widening run in
   * WebAssembly: in JavaScript they were most of a cold start's 70-100 ms of packing in Chromium.
   */
  packLinear(W: Float32Array | StoredWeight, b: Float32Array | null, N: number, K: number): PackedLinear {
    const Np = roundUp8(N);
    const w = this.alloc(K * Np);
    const bo = this.alloc(Np);
    if (b) this.f32.set(b.subarray(0, N), bo / 4);
    // W goes through a temporary region above, given back after
    const top = this.top;
    const src = this.alloc(N * K);
    if (W instanceof Float32Array) {
      this.f32.set(W.subarray(0, N * K), src / 4);
    } else if (W.dtype === 'float32') {
      new Uint8Array(this.ex.memory.buffer).set(W.raw.subarray(0, N * K * 4), src);
    } else {
      const half = this.alloc((N * K) / 2 + 1);
      new Uint8Array(this.ex.memory.buffer).set(W.raw.subarray(0, N * K * 2), half);
      this.ex.f16_to_f32(half, src, N * K);
    }
    this.ex.transpose(src, w, N, K, Np);
    this.top = top;
    return { w, b: bo, N, Np, K };
  }

  /** y[m][n] = b[n] + Σ_k x[m][k]·w[k][n] for M rows; x rows xs floats apart, y rows ys (≥ Np) apart. */
  linear(l: PackedLinear, x: number, xs: number, y: number, ys: number, M: number): void {
    if (M > 0) this.ex.gemm(x, xs, l.w, l.b, y, ys, M, l.Np, l.K);
  }
}
