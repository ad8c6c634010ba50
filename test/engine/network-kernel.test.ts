import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { assembleKernel, assembleRelaxedKernel, kernelModuleSource, KERNELS, relaxedSource } from '../../scripts/lib/assemble-kernel';
import { NetworkMemory, networkKernelKind, roundUp8 } from '@/src/engine/network-kernel';
import { parseWeights } from '@/src/engine/native-weights';

/** Deterministic uniform values in [-1, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

const randoms = (r: () => number, n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => r() * scale);

function memory(): NetworkMemory {
  const mem = NetworkMemory.create();
  expect(mem, 'WebAssembly SIMD in Node').not.toBeNull();
  return mem!;
}

/** n floats of the kernel's memory from byte offset `at` (a copy: later growth detaches views). */
const read = (mem: NetworkMemory, at: number, n: number): number[] => Array.from(mem.f32.subarray(at / 4, at / 4 + n));

/**
 * Asserts |got[i] - want[i]| <= tol(i) for every i, got finite; reports the first few misses
 * (index, got, want) so a failure names its inputs.
 */
function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: (i: number) => number): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  const misses: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number;
    const w = want[i] as number;
    if (!Number.isFinite(g) || !(Math.abs(g - w) <= tol(i))) misses.push(`[${i}] got ${g}, want ${w} (tol ${tol(i)})`);
  }
  expect(misses.slice(0, 5), `${label}: ${misses.length} of ${want.length} off`).toEqual([]);
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

describe('WebAssembly network kernel (network-kernel.wat)', () => {
  it('should be assembled from its source (npm run build-kernel), in both builds', async () => {
    const k = KERNELS.find((x) => x.wat.endsWith('network-kernel.wat'))!;
    expect(readFileSync(k.ts, 'utf8')).toBe(kernelModuleSource(k, await assembleKernel(k), await assembleRelaxedKernel(k)));
    // every multiply-add of gemm becomes one relaxed_madd, and nothing else changes
    const wat = readFileSync(k.wat, 'utf8');
    const relaxed = relaxedSource(wat, 14);
    expect(relaxed.match(/f32x4\.relaxed_madd \(local\.get \$a\)/g)).toHaveLength(14);
    expect(relaxed.replace(/\(f32x4\.relaxed_madd \(local\.get \$a\) (\((?:[^()]|\([^()]*\))*\)) \(local\.get (\$c\d\d)\)\)/g, '(f32x4.add (local.get $2) (f32x4.mul (local.get $$a) $1))')).toBe(wat);
    expect(() => relaxedSource(wat, 13)).toThrow(/14 multiply-adds/);
  });

  it('should run the plain SIMD build in Node 20, and the relaxed one where relaxed SIMD is on, with the same products to rounding', async () => {
    // Node 20 does not validate relaxed SIMD unless asked: the engine falls back to the plain build
    expect(networkKernelKind()).toBe('simd');
    const k = KERNELS.find((x) => x.wat.endsWith('network-kernel.wat'))!;
    const plain = Buffer.from(await assembleKernel(k)).toString('base64');
    const relaxed = Buffer.from((await assembleRelaxedKernel(k))!).toString('base64');
    // a child Node with relaxed SIMD on runs both builds' gemm on the same random inputs, every path
    // (the 4-row tile, 16- and 8-wide leftover rows)
    const script = `
      const run = (b64, M, N, K) => {
        const ex = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64, 'base64')), {}).exports;
        ex.memory.grow(64);
        const f = new Float32Array(ex.memory.buffer);
        let s = 7;
        const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
        const x = 0, w = 4 * M * K, b = w + 4 * K * N, y = b + 4 * N;
        for (let i = 0; i < M * K + K * N + N; i++) f[i] = r();
        ex.gemm(x, K, w, b, y, N, M, N, K);
        return Array.from(f.subarray(y / 4, y / 4 + M * N));
      };
      const out = [];
      for (const [M, N, K] of [[7, 24, 33], [4, 1280, 320], [1, 40, 144]]) {
        const p = run(process.argv[1], M, N, K), q = run(process.argv[2], M, N, K);
        out.push(Math.max(...p.map((v, i) => Math.abs(v - q[i]))), p.length);
      }
      console.log(JSON.stringify({ relaxedValid: WebAssembly.validate(Buffer.from(process.argv[2], 'base64')), out }));`;
    const res = JSON.parse(execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '-e', script, plain, relaxed], { encoding: 'utf8' })) as { relaxedValid: boolean; out: number[] };
    expect(res.relaxedValid).toBe(true);
    for (let i = 0; i < res.out.length; i += 2) {
      expect(res.out[i + 1]).toBeGreaterThan(0);
      // sums of up to 320 products of values in [-1, 1): a fused multiply-add rounds once instead of twice
      expect(res.out[i]).toBeLessThan(1e-4);
    }
  });

  describe('gemm (packLinear + linear)', () => {
    // [M, N, K, xs, ys - Np, x offset in floats]: the 4-row tile and the 1..3 leftover rows, Np
    // = 8 (one 8-wide block), 16, 24 (16 then 8), 40 (16, 16, 8), 104 (6 × 16 + 8), odd K, K = 1,
    // x rows wider than K (a head's slice: xs > K, read from an offset), y rows wider than Np.
    const shapes = [
      [1, 8, 5, 5, 0, 0],
      [2, 24, 7, 9, 3, 0],
      [3, 13, 16, 16, 0, 2],
      [4, 40, 33, 40, 5, 0],
      [5, 100, 17, 20, 0, 3],
      [7, 24, 1, 3, 1, 1],
      [9, 8, 64, 64, 8, 0],
      [9, 30, 3, 7, 0, 4],
      [8, 5, 11, 11, 2, 0],
      [6, 144, 144, 432, 0, 144],
    ] as const;

    for (const [M, N, K, xs, extra, xoff] of shapes) {
      it(`should give b + x·Wᵀ for M=${M} N=${N} K=${K} (x stride ${xs}, y stride Np+${extra})`, () => {
        const mem = memory();
        const r = lcg(M * 1000 + N * 10 + K);
        const W = randoms(r, N * K);
        const b = randoms(r, N);
        const l = mem.packLinear(W, b, N, K);
        expect(l).toMatchObject({ N, K, Np: roundUp8(N) });
        expect(l.Np % 8).toBe(0);
        mem.sealWeights();
        const Np = l.Np;
        const ys = Np + extra;
        const xData = randoms(r, M * xs + xoff, 2);
        const xBase = mem.put(xData);
        const x = xBase + 4 * xoff;
        const y = mem.alloc(M * ys);
        const SENTINEL = 12345.5;
        mem.f32.fill(SENTINEL, y / 4, y / 4 + M * ys);
        mem.linear(l, x, xs, y, ys, M);

        const got: number[] = [];
        const want: number[] = [];
        const bound: number[] = [];
        for (let m = 0; m < M; m++) {
          for (let n = 0; n < N; n++) {
            let s = b[n] as number;
            let abs = Math.abs(s);
            for (let k = 0; k < K; k++) {
              const t = (xData[xoff + m * xs + k] as number) * (W[n * K + k] as number);
              s += t;
              abs += Math.abs(t);
            }
            want.push(s);
            bound.push(abs);
            got.push(mem.f32[y / 4 + m * ys + n] as number);
          }
        }
        expectClose('y', got, want, (i) => 1e-5 * (bound[i] as number) + 1e-30);
        // the padding columns (zero weights, zero bias) are 0; what lies past Np in a row is untouched
        for (let m = 0; m < M; m++) {
          expect(read(mem, y + 4 * (m * ys + N), Np - N), `row ${m} padding`).toEqual(new Array(Np - N).fill(0));
          expect(read(mem, y + 4 * (m * ys + Np), extra), `row ${m} past Np`).toEqual(new Array(extra).fill(SENTINEL));
        }
        // x is read, not written
        expect(read(mem, xBase, xData.length)).toEqual(Array.from(xData));
      });
    }

    it('should pack W (N, K) k-major with N padded to a multiple of 8, and a null bias as zeros', () => {
      const mem = memory();
      const N = 3;
      const K = 2;
      const W = Float32Array.from([1, 2, 3, 4, 5, 6]); // rows n: [1, 2], [3, 4], [5, 6]
      const l = mem.packLinear(W, null, N, K);
      expect(l.Np).toBe(8);
      expect(read(mem, l.w, K * 8)).toEqual([1, 3, 5, 0, 0, 0, 0, 0, 2, 4, 6, 0, 0, 0, 0, 0]);
      expect(read(mem, l.b, 8)).toEqual(new Array(8).fill(0));
      const x = mem.put(Float32Array.from([10, 100, -1, 1]));
      const y = mem.alloc(2 * 8);
      mem.linear(l, x, 2, y, 8, 2);
      expect(read(mem, y, 16)).toEqual([210, 430, 650, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
    });

    it('should write nothing for M = 0', () => {
      const mem = memory();
      const l = mem.packLinear(randoms(lcg(1), 16 * 4), randoms(lcg(2), 16), 16, 4);
      const x = mem.put(randoms(lcg(3), 4));
      const y = mem.alloc(16);
      mem.f32.fill(7, y / 4, y / 4 + 16);
      mem.linear(l, x, 4, y, 16, 0);
      expect(read(mem, y, 16)).toEqual(new Array(16).fill(7));
    });

    it('should reuse scratch after resetScratch() without disturbing the weights', () => {
      const mem = memory();
      const r = lcg(77);
      const W = randoms(r, 16 * 8);
      const b = randoms(r, 16);
      const l = mem.packLinear(W, b, 16, 8);
      mem.sealWeights();
      const packed = read(mem, l.w, 16 * 8);
      const first = mem.alloc(100);
      mem.f32.fill(-3, first / 4, first / 4 + 100);
      mem.resetScratch();
      const again = mem.alloc(100);
      expect(again).toBe(first);
      expect(read(mem, again, 100), 'alloc zeroes').toEqual(new Array(100).fill(0));
      expect(read(mem, l.w, 16 * 8)).toEqual(packed);
    });
  });

  it('should compute silu in place, saturating without overflow at large |x|', () => {
    const mem = memory();
    const r = lcg(5);
    const fixed = [0, -0, 1, -1, 5, -5, 20, -20, 50, -50, 87, -87, 88.5, -88.5, 100, -100, 1000, -1000, 1e-6, -1e-6];
    const xs = Float32Array.from([...fixed, ...Array.from({ length: 300 - fixed.length }, () => r() * 100)]);
    const p = mem.put(xs);
    const after = mem.put(Float32Array.from([9, 9, 9, 9]));
    mem.ex.silu(p, xs.length);
    const got = read(mem, p, xs.length);
    const want = Array.from(xs, (x) => x * sigmoid(x));
    expectClose('silu', got, want, (i) => 2e-6 * Math.abs(want[i] as number) + 1e-30);
    expect(got[14]).toBe(100); // silu(100)
    expect(Math.abs(got[15] as number)).toBeLessThan(1e-30); // silu(-100) ≈ 0
    expect(read(mem, after, 4), 'past n untouched').toEqual([9, 9, 9, 9]);
  });

  it('should compute axpy x += a·y over n floats, y unchanged', () => {
    const mem = memory();
    const r = lcg(6);
    for (const [n, a] of [[4, 2.5], [12, -0.75], [256, 1e-3], [8, 0]] as const) {
      const xv = randoms(r, n, 10);
      const yv = randoms(r, n, 10);
      const x = mem.put(xv);
      const y = mem.put(yv);
      const guard = mem.put(Float32Array.from([5, 5, 5, 5]));
      mem.ex.axpy(x, y, n, a);
      // one float32 multiply and one add: within an ulp or two of the exact result
      const want = Array.from(xv, (v, i) => v + a * (yv[i] as number));
      expectClose(`axpy n=${n}`, read(mem, x, n), want, (i) => 2 ** -22 * (Math.abs(xv[i] as number) + Math.abs(a * (yv[i] as number))));
      expect(read(mem, y, n)).toEqual(Array.from(yv));
      expect(read(mem, guard, 4)).toEqual([5, 5, 5, 5]);
    }
  });

  describe('layernorm', () => {
    /** torch.nn.LayerNorm in float64 (biased variance). */
    function layerNormRef(x: ArrayLike<number>, from: number, dim: number, g: Float32Array, b: Float32Array, eps: number): number[] {
      let mean = 0;
      for (let i = 0; i < dim; i++) mean += x[from + i] as number;
      mean /= dim;
      let v = 0;
      for (let i = 0; i < dim; i++) v += ((x[from + i] as number) - mean) ** 2;
      const inv = 1 / Math.sqrt(v / dim + eps);
      return Array.from({ length: dim }, (_, i) => ((x[from + i] as number) - mean) * inv * (g[i] as number) + (b[i] as number));
    }

    for (const inPlace of [false, true]) {
      it(`should normalise rows of dim floats, stride floats apart${inPlace ? ', in place' : ''}`, () => {
        const mem = memory();
        const r = lcg(inPlace ? 11 : 12);
        const eps = 1e-5;
        for (const [rows, dim, stride] of [[1, 4, 4], [3, 16, 20], [5, 144, 150], [2, 8, 8]] as const) {
          const g = randoms(r, dim, 2);
          const b = randoms(r, dim);
          const src = new Float32Array(rows * stride);
          for (let row = 0; row < rows; row++) {
            // row 1 is nearly constant around 0: its variance (~3e-7) is below eps, which then matters
            const shift = row === 1 ? 0 : r() * 5;
            const spread = row === 1 ? 1e-3 : 3;
            for (let i = 0; i < stride; i++) src[row * stride + i] = i < dim ? shift + r() * spread : 777;
          }
          const gp = mem.put(g);
          const bp = mem.put(b);
          const s = mem.put(src);
          const d = inPlace ? s : mem.alloc(rows * stride);
          if (!inPlace) mem.f32.fill(-9, d / 4, d / 4 + rows * stride);
          mem.ex.layernorm(s, d, rows, dim, stride, gp, bp, eps);
          for (let row = 0; row < rows; row++) {
            const want = layerNormRef(src, row * stride, dim, g, b, eps);
            const got = read(mem, d + 4 * row * stride, dim);
            expectClose(`rows ${rows} dim ${dim} row ${row}`, got, want, (i) => 2e-5 * (Math.abs(g[i] as number) + Math.abs(b[i] as number)) + 1e-6);
            // the lanes between dim and stride are not written
            expect(read(mem, d + 4 * (row * stride + dim), stride - dim)).toEqual(new Array(stride - dim).fill(inPlace ? 777 : -9));
          }
          if (!inPlace) expect(read(mem, s, rows * stride), 'src unchanged').toEqual(Array.from(src));
        }
      });
    }

    it('should give the bias for a constant row (zero variance, eps keeps it finite)', () => {
      const mem = memory();
      const dim = 12;
      const g = randoms(lcg(13), dim);
      const b = randoms(lcg(14), dim);
      const s = mem.put(new Float32Array(dim).fill(3.25));
      mem.ex.layernorm(s, s, 1, dim, dim, mem.put(g), mem.put(b), 1e-5);
      expect(read(mem, s, dim)).toEqual(Array.from(b));
    });
  });

  it('should compute glu: a · sigmoid(gate) over rows of 2·dim, strides ss and ds', () => {
    const mem = memory();
    const r = lcg(21);
    for (const [rows, dim, ss, ds] of [[1, 4, 8, 4], [3, 12, 30, 16], [4, 144, 288, 144]] as const) {
      const src = new Float32Array(rows * ss);
      for (let i = 0; i < src.length; i++) src[i] = r() * (i % 5 === 0 ? 100 : 4); // some gates far into saturation
      const s = mem.put(src);
      const d = mem.alloc(rows * ds);
      mem.f32.fill(-4, d / 4, d / 4 + rows * ds);
      mem.ex.glu(s, ss, d, ds, rows, dim);
      for (let row = 0; row < rows; row++) {
        const want = Array.from({ length: dim }, (_, i) => (src[row * ss + i] as number) * sigmoid(src[row * ss + dim + i] as number));
        expectClose(`glu dim ${dim} row ${row}`, read(mem, d + 4 * row * ds, dim), want, (i) => 2e-6 * Math.abs(want[i] as number) + 1e-30);
        expect(read(mem, d + 4 * (row * ds + dim), ds - dim)).toEqual(new Array(ds - dim).fill(-4));
      }
    }
  });

  it('should compute the depthwise convolution with zero padding of K/2 on each side', () => {
    const mem = memory();
    const r = lcg(31);
    // T below K/2 (every output sees the padding at both ends), and longer T
    for (const [T, D, K] of [[5, 8, 15], [1, 4, 15], [20, 12, 15], [1, 4, 3], [2, 8, 3], [9, 16, 3]] as const) {
      const src = randoms(r, T * D, 3);
      const w = randoms(r, K * D); // (K, D): taps by channel
      const b = randoms(r, D);
      const s = mem.put(src);
      const wp = mem.put(w);
      const bp = mem.put(b);
      const d = mem.alloc(T * D);
      mem.ex.dwconv(s, d, T, D, wp, bp, K);
      const half = K >> 1;
      const want: number[] = [];
      const bound: number[] = [];
      for (let t = 0; t < T; t++) {
        for (let c = 0; c < D; c++) {
          let acc = b[c] as number;
          let abs = Math.abs(acc);
          for (let j = 0; j < K; j++) {
            const u = t + j - half;
            if (u < 0 || u >= T) continue;
            const term = (w[j * D + c] as number) * (src[u * D + c] as number);
            acc += term;
            abs += Math.abs(term);
          }
          want.push(acc);
          bound.push(abs);
        }
      }
      expectClose(`dwconv T=${T} D=${D} K=${K}`, read(mem, d, T * D), want, (i) => 1e-6 * (bound[i] as number) + 1e-30);
      expect(read(mem, s, T * D), 'src unchanged').toEqual(Array.from(src));
    }
  });

  it('should centre the depthwise taps: a one-hot input row gives the kernel reversed', () => {
    const mem = memory();
    const T = 7;
    const D = 4;
    const K = 3;
    const src = new Float32Array(T * D);
    src[3 * D] = 1; // channel 0, t = 3
    const w = new Float32Array(K * D);
    w[0] = 10; // tap j = 0 (t - 1), channel 0
    w[D] = 20; // j = 1 (t)
    w[2 * D] = 30; // j = 2 (t + 1)
    const d = mem.alloc(T * D);
    mem.ex.dwconv(mem.put(src), d, T, D, mem.put(w), mem.put(new Float32Array(D)), K);
    const channel0 = Array.from({ length: T }, (_, t) => mem.f32[d / 4 + t * D] as number);
    // dst[t] = Σ_j w[j]·src[t + j - 1]: src[3] reaches dst[4] by j = 0, dst[3] by j = 1, dst[2] by j = 2
    expect(channel0).toEqual([0, 0, 30, 20, 10, 0, 0]);
  });

  describe('softmax', () => {
    it('should give softmax(scale·row) over the valid lanes, the -1e30 padding lanes ≈ 0', () => {
      const mem = memory();
      const r = lcg(41);
      for (const [rows, n, valid, stride, scale] of [
        [1, 4, 4, 4, 1],
        [3, 8, 5, 12, 0.125],
        [4, 36, 33, 40, 1 / Math.sqrt(36)],
        [2, 100, 97, 100, 1],
        [1, 12, 1, 12, 2], // one valid lane: exactly 1
      ] as const) {
        const data = new Float32Array(rows * stride);
        for (let row = 0; row < rows; row++) {
          for (let i = 0; i < stride; i++) {
            // row 1 has logits up to ±100 (exp would overflow without the max subtracted)
            data[row * stride + i] = i < valid ? r() * (row === 1 ? 100 : 8) : i < n ? -1e30 : 555;
          }
        }
        const p = mem.put(data);
        mem.ex.softmax(p, rows, n, stride, scale);
        for (let row = 0; row < rows; row++) {
          const logits = Array.from({ length: valid }, (_, i) => Math.fround((data[row * stride + i] as number) * Math.fround(scale)));
          const mx = Math.max(...logits);
          const e = logits.map((v) => Math.exp(v - mx));
          const sum = e.reduce((a, v) => a + v, 0);
          const want = e.map((v) => v / sum);
          const got = read(mem, p + 4 * row * stride, n);
          expectClose(`softmax n=${n} row ${row}`, got.slice(0, valid), want, (i) => 1e-5 * (want[i] as number) + 1e-7);
          expect(Math.abs(got.slice(0, valid).reduce((a, v) => a + v, 0) - 1), 'valid lanes sum to 1').toBeLessThan(1e-5);
          for (const v of got.slice(valid)) expect(v >= 0 && v < 1e-30, `padding lane ${v}`).toBe(true);
          expect(read(mem, p + 4 * (row * stride + n), stride - n), 'past n untouched').toEqual(new Array(stride - n).fill(555));
        }
        if (valid === 1) expect(mem.f32[p / 4]).toBe(1);
      }
    });
  });

  describe('lstm_cell', () => {
    for (const [P, scale] of [[4, 1], [12, 5], [320, 3], [8, 100]] as const) {
      it(`should step one row (gate order i, f, g, o) for P=${P}, gate inputs up to ±${scale}`, () => {
        const mem = memory();
        const r = lcg(P * 7 + scale);
        const gates = randoms(r, 4 * P, scale);
        const tab = randoms(r, 4 * P, scale);
        const c = randoms(r, P, scale > 10 ? 50 : 2);
        const gp = mem.put(gates);
        const tp = mem.put(tab);
        const cp = mem.put(c);
        const h1 = mem.alloc(P);
        const c1 = mem.alloc(P);
        mem.ex.lstm_cell(gp, tp, cp, h1, c1, P);
        const pre = (gate: number, j: number) => (gates[gate * P + j] as number) + (tab[gate * P + j] as number);
        const cWant = Array.from({ length: P }, (_, j) => sigmoid(pre(1, j)) * (c[j] as number) + sigmoid(pre(0, j)) * Math.tanh(pre(2, j)));
        const hWant = cWant.map((cn, j) => sigmoid(pre(3, j)) * Math.tanh(cn));
        const cGot = read(mem, c1, P);
        const hGot = read(mem, h1, P);
        expectClose(`c' P=${P}`, cGot, cWant, (j) => 1e-5 * (1 + Math.abs(c[j] as number)));
        expectClose(`h' P=${P}`, hGot, hWant, () => 1e-5);
        for (const h of hGot) expect(Math.abs(h)).toBeLessThanOrEqual(1);
        expect(read(mem, cp, P), 'c unchanged').toEqual(Array.from(c));
      });
    }

    it('should saturate exactly: gates at ±50 give the textbook limits', () => {
      const mem = memory();
      const P = 4;
      // lane 0: i, f, g, o all open (c' = c + 1, h' = tanh(c')); lane 1: input gate shut, forget
      // open (c' = c); lane 2: forget shut (c' = tanh(g) = -1); lane 3: output gate shut (h' = 0)
      const gates = Float32Array.from([
        50, -50, 50, 50, //  i
        50, 50, -50, 50, //  f
        50, 50, -50, 50, //  g
        50, 50, 50, -50, //  o
      ]);
      const c = Float32Array.from([0.5, -2, 7, 3]);
      const h1 = mem.alloc(P);
      const c1 = mem.alloc(P);
      mem.ex.lstm_cell(mem.put(gates), mem.put(new Float32Array(4 * P)), mem.put(c), h1, c1, P);
      const cGot = read(mem, c1, P);
      const hGot = read(mem, h1, P);
      expectClose('c saturated', cGot, [1.5, -2, -1, 4], () => 1e-6);
      expectClose('h saturated', hGot, [Math.tanh(1.5), Math.tanh(-2), Math.tanh(-1), 0], () => 2e-6);
    });
  });

  it('should widen every float16 bit pattern exactly as the weights parser does', () => {
    const mem = memory();
    const src = mem.alloc(65536 / 2);
    const dst = mem.alloc(65536);
    const bits = Uint16Array.from({ length: 65536 }, (_, i) => i);
    new Uint8Array(mem.ex.memory.buffer).set(new Uint8Array(bits.buffer), src);
    mem.ex.f16_to_f32(src, dst, 65536);
    // the parser's table, through a one-tensor weights.bin
    const header = new TextEncoder().encode(JSON.stringify({ format: 'swipe-weights-v1', config: { d_model: 8, num_layers: 1, num_heads: 1, ffn_dim: 8, conv_kernel: 3, num_features: 35, pred_embed: 4, pred_hidden: 4, pred_layers: 1, joint_dim: 8, vocab_size: 28 }, tensors: [{ name: 'all', shape: [65536], dtype: 'float16', offset: 0 }] }));
    const base = Math.ceil((8 + header.length) / 16) * 16;
    const file = new Uint8Array(base + 2 * 65536);
    file.set([0x53, 0x57, 0x57, 0x31]);
    new DataView(file.buffer).setUint32(4, header.length, true);
    file.set(header, 8);
    file.set(new Uint8Array(bits.buffer), base);
    const want = parseWeights(file).tensors.get('all')!.data;
    const got = mem.f32.subarray(dst / 4, dst / 4 + 65536);
    const off: number[] = [];
    for (let i = 0; i < 65536; i++) if (!Object.is(got[i], want[i])) off.push(i);
    expect(off.slice(0, 5)).toEqual([]);
    expect([got[0x0001], got[0x8000], got[0x7c00], got[0x7bff]]).toEqual([2 ** -24, -0, Infinity, 65504]);
    // n not a multiple of 4: the last n mod 4 go one by one (the patterns around the exponent's ends)
    for (const [first, n] of [[0x7bfd, 7], [0x83fe, 5], [0xfc00, 3], [0x0000, 1]] as const) {
      const out = mem.alloc(8);
      mem.ex.f16_to_f32(src + 2 * first, out, n);
      const tail = Array.from(mem.f32.subarray(out / 4, out / 4 + n));
      tail.forEach((v, i) => expect(Object.is(v, want[first + i]), `pattern ${(first + i).toString(16)}`).toBe(true));
      expect(mem.f32[out / 4 + n]).toBe(0); // nothing written past n
    }
  });

  it('should pack a stored float16 or float32 weight exactly as its float32 values', () => {
    const r = lcg(11);
    const [N, K] = [13, 7];
    const W = Float32Array.from({ length: N * K }, () => Math.fround(r()));
    const half = Float32Array.from(W, (v) => Math.round(v * 1024) / 1024); // float16-exact values
    const toHalf = (v: number): number => {
      // |v| < 1 with 10 fraction bits: normal float16
      if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
      const sign = v < 0 ? 0x8000 : 0;
      const e = Math.floor(Math.log2(Math.abs(v)));
      const m = Math.round((Math.abs(v) / 2 ** e - 1) * 1024);
      return sign | ((e + 15) << 10) | m;
    };
    const mem = memory();
    const b = randoms(r, N);
    const plain = mem.packLinear(half, b, N, K);
    const f16 = mem.packLinear({ dtype: 'float16', raw: new Uint8Array(Uint16Array.from(half, toHalf).buffer) }, b, N, K);
    const f32 = mem.packLinear({ dtype: 'float32', raw: new Uint8Array(half.slice().buffer) }, b, N, K);
    const size = K * plain.Np + plain.Np;
    expect(read(mem, f16.w, size)).toEqual(read(mem, plain.w, size));
    expect(read(mem, f32.w, size)).toEqual(read(mem, plain.w, size));
    // k-major: w[k·Np + n] = W[n][k]
    expect(read(mem, plain.w + 4 * (3 * plain.Np + 5), 1)).toEqual([half[5 * K + 3]]);
  });

  it('should keep the packed weights when allocating past the initial 64 KiB renews f32', () => {
    const mem = memory();
    const initial = mem.ex.memory.buffer.byteLength;
    expect(initial).toBe(65536);
    const r = lcg(51);
    const N = 24;
    const K = 20;
    const W = randoms(r, N * K);
    const b = randoms(r, N);
    const l = mem.packLinear(W, b, N, K);
    mem.sealWeights();
    const packedW = read(mem, l.w, K * l.Np);
    const packedB = read(mem, l.b, l.Np);
    const before = mem.f32;
    const big = mem.alloc(3 * 65536 / 4); // 192 KiB of scratch
    expect(mem.ex.memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 3 * 65536);
    expect(mem.f32 === before, 'f32 renewed').toBe(false);
    expect(before.length, 'the old view is detached').toBe(0);
    expect(mem.f32.length * 4).toBe(mem.ex.memory.buffer.byteLength);
    expect(read(mem, l.w, K * l.Np)).toEqual(packedW);
    expect(read(mem, l.b, l.Np)).toEqual(packedB);
    expect(read(mem, big, 3 * 65536 / 4).every((v) => v === 0), 'grown region zeroed').toBe(true);

    // the weights still work from the grown memory, x and y past the first 64 KiB
    const xv = randoms(r, 2 * K);
    const x = mem.put(xv);
    const y = mem.alloc(2 * l.Np);
    expect(y).toBeGreaterThan(65536);
    mem.linear(l, x, K, y, l.Np, 2);
    for (let m = 0; m < 2; m++) {
      const want = Array.from({ length: N }, (_, n) => {
        let s = b[n] as number;
        for (let k = 0; k < K; k++) s += (xv[m * K + k] as number) * (W[n * K + k] as number);
        return s;
      });
      expectClose(`row ${m}`, read(mem, y + 4 * m * l.Np, N), want, () => 1e-5 * (K + 1));
    }
  });
});
