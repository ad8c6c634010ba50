/**
 * The encoder and the LSTM predictor computed by the engine itself: training/swipe/model.py's
 * forward pass (SwipeTransducer.encode, predict_step + joint_pred) over weights.bin, its
 * arithmetic in WebAssembly SIMD (network-kernel.wat), TypeScript only laying out the buffers.
 * It stands in for the two onnxruntime-web sessions: the same float32 function (tested against
 * the ONNX golden vectors), without ORT's start-up (a 14 MB WebAssembly binary compiled and two
 * sessions created, 570-830 ms of a cold start in Chromium) or its per-call overhead.
 *
 * One trace at a time (B = 1), so the length masks of model.py are all ones and drop out.
 */
import { EngineError } from './errors';
import type { Features } from './features';
import { NetworkMemory, roundUp8 } from './network-kernel';
import type { PackedLinear } from './network-kernel';
import type { ModelManifest } from './manifest';
import { parseWeights, storedTensorOf, tensorOf } from './native-weights';
import type { NetworkConfig, NetworkWeights } from './native-weights';
import type { Encoded, Network, Prediction } from './network';

const LN_EPS = 1e-5;

/** a LayerNorm's weight and bias in the kernel's memory */
interface Norm {
  g: number;
  b: number;
}

interface Block {
  ff1: { norm: Norm; l1: PackedLinear; l2: PackedLinear };
  att: { norm: Norm; qkv: PackedLinear; out: PackedLinear };
  /** dw: the depthwise taps (K, D), taps by channel; dwb its bias */
  conv: { norm: Norm; pw1: PackedLinear; dw: number; dwb: number; norm2: Norm; pw2: PackedLinear };
  ff2: { norm: Norm; l1: PackedLinear; l2: PackedLinear };
  norm: Norm;
}

interface LstmLayer {
  /** layer 0: null (its input part comes from `table`); above: W_ih with b_ih + b_hh */
  ih: PackedLinear | null;
  /** W_hh, no bias (layer 0's biases are in `table`, the others' in ih) */
  hh: PackedLinear;
}

/** Conv1d weight (N, C, k) -> Linear weight (N, k·C), column kk·C + c: the layout im2col rows have. */
function convAsLinear(w: Float32Array, N: number, C: number, k: number): Float32Array {
  const out = new Float32Array(N * k * C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let j = 0; j < k; j++) out[n * k * C + j * C + c] = w[(n * C + c) * k + j] as number;
  return out;
}

/** sinusoidal(T, D) of model.py, row t */
function positionRow(t: number, D: number, out: Float32Array, at: number): void {
  for (let i = 0; i < D; i += 2) {
    const div = Math.fround(Math.exp(i * (-Math.log(10000) / D)));
    const a = Math.fround(t * div);
    out[at + i] = Math.sin(a);
    if (i + 1 < D) out[at + i + 1] = Math.cos(a);
  }
}

export class NativeNetwork implements Network {
  readonly kind = 'native' as const;
  private readonly D: number;
  private readonly F: number;
  private readonly H: number;
  private readonly dh: number;
  /** depthwise conv taps */
  private readonly K: number;
  private readonly P: number;
  private readonly L: number;
  private readonly J: number;
  private readonly V: number;
  private readonly sub1: PackedLinear;
  private readonly sub2: PackedLinear;
  private readonly inProj: PackedLinear;
  private readonly blocks: Block[];
  private readonly lstm: LstmLayer[];
  /** (V, 4P) in the kernel's memory: W_ih0 · embed[token] + b_ih0 + b_hh0, per token */
  private readonly table: number;
  private readonly jointPred: PackedLinear;
  private readonly zeros: number;
  private pe = new Float32Array(0);
  private peRows = 0;

  private constructor(private readonly mem: NetworkMemory, w: NetworkWeights) {
    const c: NetworkConfig = w.config;
    const D = (this.D = c.d_model);
    const F = (this.F = c.num_features);
    this.H = c.num_heads;
    if (D % this.H !== 0) throw new EngineError('model-corrupt', `weights.bin: d_model ${D} is not a multiple of num_heads ${this.H}`);
    this.dh = D / this.H;
    const P = (this.P = c.pred_hidden);
    const L = (this.L = c.pred_layers);
    this.J = c.joint_dim;
    this.V = c.vocab_size;
    const E = c.pred_embed;
    const K = (this.K = c.conv_kernel);
    const lin = (name: string, N: number, Kin: number): PackedLinear => mem.packLinear(storedTensorOf(w, `${name}.weight`, [N, Kin]), tensorOf(w, `${name}.bias`, [N]), N, Kin);
    const conv1x1 = (name: string, N: number, C: number): PackedLinear => mem.packLinear(storedTensorOf(w, `${name}.weight`, [N, C, 1]), tensorOf(w, `${name}.bias`, [N]), N, C);
    const norm = (name: string): Norm => ({ g: mem.put(tensorOf(w, `${name}.weight`, [D])), b: mem.put(tensorOf(w, `${name}.bias`, [D])) });
    const taps = (name: string): number => {
      const dw = tensorOf(w, name, [D, 1, K]);
      const t = new Float32Array(K * D);
      for (let d = 0; d < D; d++) for (let j = 0; j < K; j++) t[j * D + d] = dw[d * K + j] as number;
      return mem.put(t);
    };
    this.sub1 = mem.packLinear(convAsLinear(tensorOf(w, 'sub1.weight', [D, F, 3]), D, F, 3), tensorOf(w, 'sub1.bias', [D]), D, 3 * F);
    this.sub2 = mem.packLinear(convAsLinear(tensorOf(w, 'sub2.weight', [D, D, 3]), D, D, 3), tensorOf(w, 'sub2.bias', [D]), D, 3 * D);
    this.inProj = lin('in_proj', D, D);
    this.blocks = [];
    for (let i = 0; i < c.num_layers; i++) {
      const p = `blocks.${i}`;
      this.blocks.push({
        ff1: { norm: norm(`${p}.ff1.norm`), l1: lin(`${p}.ff1.l1`, c.ffn_dim, D), l2: lin(`${p}.ff1.l2`, D, c.ffn_dim) },
        att: { norm: norm(`${p}.att.norm`), qkv: lin(`${p}.att.qkv`, 3 * D, D), out: lin(`${p}.att.out`, D, D) },
        conv: {
          norm: norm(`${p}.conv.norm`),
          pw1: conv1x1(`${p}.conv.pw1`, 2 * D, D),
          dw: taps(`${p}.conv.dw.weight`),
          dwb: mem.put(tensorOf(w, `${p}.conv.dw.bias`, [D])),
          norm2: norm(`${p}.conv.norm2`),
          pw2: conv1x1(`${p}.conv.pw2`, D, D),
        },
        ff2: { norm: norm(`${p}.ff2.norm`), l1: lin(`${p}.ff2.l1`, c.ffn_dim, D), l2: lin(`${p}.ff2.l2`, D, c.ffn_dim) },
        norm: norm(`${p}.norm`),
      });
    }
    // the predictor: layer 0's input part depends on the token only, so it is a table
    const embed = tensorOf(w, 'embed.weight', [this.V, E]);
    const bias = (l: number): Float32Array => {
      const bi = tensorOf(w, `lstm.bias_ih_l${l}`, [4 * P]);
      const bh = tensorOf(w, `lstm.bias_hh_l${l}`, [4 * P]);
      return bi.map((v, i) => v + (bh[i] as number));
    };
    // table = embed · W_ih0ᵀ + (b_ih0 + b_hh0), by the kernel (V rows)
    const wih0 = mem.packLinear(storedTensorOf(w, 'lstm.weight_ih_l0', [4 * P, E]), bias(0), 4 * P, E);
    const rows = mem.put(embed);
    this.table = mem.alloc(this.V * wih0.Np);
    mem.linear(wih0, rows, E, this.table, wih0.Np, this.V);
    this.lstm = [];
    for (let l = 0; l < L; l++) {
      this.lstm.push({
        ih: l === 0 ? null : mem.packLinear(storedTensorOf(w, `lstm.weight_ih_l${l}`, [4 * P, P]), bias(l), 4 * P, P),
        hh: mem.packLinear(storedTensorOf(w, `lstm.weight_hh_l${l}`, [4 * P, P]), null, 4 * P, P),
      });
    }
    this.jointPred = lin('joint_pred', this.J, P);
    this.zeros = mem.alloc(Math.max(4096, 4 * P));
    mem.sealWeights();
  }

  /** Checks weights.bin against model.json; null where WebAssembly SIMD cannot run here. */
  static create(bytes: Uint8Array, m: ModelManifest): NativeNetwork | null {
    const w = parseWeights(bytes);
    const c = w.config;
    const want: [string, number, number][] = [
      ['d_model / encoder.dim', c.d_model, m.encoder.dim],
      ['num_features / features.numFeatures', c.num_features, m.features.numFeatures],
      ['pred_hidden / predictor.hidden', c.pred_hidden, m.predictor.hidden],
      ['pred_layers / predictor.layers', c.pred_layers, m.predictor.layers],
      ['joint_dim / predictor.jointDim', c.joint_dim, m.predictor.jointDim],
      ['vocab_size / vocab', c.vocab_size, m.vocab.length],
    ];
    for (const [what, got, expected] of want) if (got !== expected) throw new EngineError('model-corrupt', `weights.bin: ${what} = ${got}, model.json says ${expected}`);
    if (m.encoder.subsampling !== 4) throw new EngineError('model-corrupt', `weights.bin: the native encoder subsamples 4x, model.json says ${m.encoder.subsampling}`);
    if (m.predictor.context !== undefined) throw new EngineError('model-corrupt', 'weights.bin: holds an LSTM predictor, model.json a stateless one');
    // rows of D floats are written whole by the kernel, eight at a time; the LSTM cell goes four at a time
    if (c.d_model % 8 !== 0) throw new EngineError('model-corrupt', `weights.bin: d_model ${c.d_model} is not a multiple of 8`);
    if (c.pred_hidden % 4 !== 0) throw new EngineError('model-corrupt', `weights.bin: pred_hidden ${c.pred_hidden} is not a multiple of 4`);
    const mem = NetworkMemory.create();
    return mem === null ? null : new NativeNetwork(mem, w);
  }

  encode(feat: Features): Encoded {
    const { D, F, mem } = this;
    const T0 = feat.n;
    if (!(T0 >= 1) || feat.data.length < T0 * F) throw new EngineError('model-corrupt', `encoder input: ${T0} frames of ${F} features expected`);
    const T1 = Math.floor((T0 - 1) / 2) + 1;
    const T2 = Math.floor((T1 - 1) / 2) + 1;
    const Tp = roundUp8(T2);
    const dhp = roundUp8(this.dh);
    const ffn = this.blocks[0]?.ff1.l1.Np ?? 0;
    mem.resetScratch();
    const col1 = mem.alloc(T1 * 3 * F);
    const h1 = mem.alloc(T1 * D);
    const col2 = mem.alloc(T2 * 3 * D);
    const x = mem.alloc(T2 * D);
    const y = mem.alloc(T2 * D);
    const tmp = mem.alloc(T2 * D);
    const wide = mem.alloc(T2 * Math.max(ffn, roundUp8(3 * D), roundUp8(2 * D)));
    const kt = mem.alloc(this.dh * Tp);
    const s = mem.alloc(T2 * Tp);
    const vh = mem.alloc(Math.max(T2, 1) * dhp);
    const oh = mem.alloc(T2 * dhp);
    const o = mem.alloc(T2 * D);
    if (Tp > 4096 || dhp > 4096) throw new EngineError('model-corrupt', `encoder: ${T2} frames is more than the native runtime holds`);
    const f = mem.f32; // after every alloc: growing the memory renews the view
    const I = (byteOffset: number): number => byteOffset / 4;

    const k = mem.ex;
    // subsampling: two stride-2, kernel-3, padding-1 convs as products over im2col rows
    for (let t = 0; t < T1; t++) {
      for (let j = 0; j < 3; j++) {
        const src = 2 * t + j - 1;
        if (src >= 0 && src < T0) f.set(feat.data.subarray(src * F, src * F + F), I(col1) + t * 3 * F + j * F);
      }
    }
    mem.linear(this.sub1, col1, 3 * F, h1, D, T1);
    k.silu(h1, T1 * D);
    for (let t = 0; t < T2; t++) {
      for (let j = 0; j < 3; j++) {
        const src = 2 * t + j - 1;
        if (src >= 0 && src < T1) f.copyWithin(I(col2) + t * 3 * D + j * D, I(h1) + src * D, I(h1) + src * D + D);
      }
    }
    mem.linear(this.sub2, col2, 3 * D, tmp, D, T2);
    k.silu(tmp, T2 * D);
    mem.linear(this.inProj, tmp, D, x, D, T2);
    const pe = this.positions(T2);
    for (let i = 0; i < T2 * D; i++) f[I(x) + i] = (f[I(x) + i] as number) + (pe[i] as number);

    const dh = this.dh;
    for (const b of this.blocks) {
      this.feedForward(b.ff1, x, y, wide, tmp, T2);
      // self-attention, head by head: S = softmax(QKᵀ/√dh), O = S·V
      k.layernorm(x, y, T2, D, D, b.att.norm.g, b.att.norm.b, LN_EPS);
      const qs = b.att.qkv.Np;
      mem.linear(b.att.qkv, y, D, wide, qs, T2);
      for (let h = 0; h < this.H; h++) {
        const q0 = h * dh;
        for (let t = 0; t < T2; t++) {
          const row = I(wide) + t * qs;
          for (let j = 0; j < dh; j++) {
            f[I(kt) + j * Tp + t] = f[row + D + q0 + j] as number;
            f[I(vh) + t * dhp + j] = f[row + 2 * D + q0 + j] as number;
          }
        }
        k.gemm(wide + 4 * q0, qs, kt, this.zeros, s, Tp, T2, Tp, dh);
        // the padding columns take no weight
        for (let t = 0; t < T2; t++) f.fill(-1e30, I(s) + t * Tp + T2, I(s) + (t + 1) * Tp);
        k.softmax(s, T2, Tp, Tp, 1 / Math.sqrt(dh));
        k.gemm(s, Tp, vh, this.zeros, oh, dhp, T2, dhp, T2);
        for (let t = 0; t < T2; t++) f.copyWithin(I(o) + t * D + q0, I(oh) + t * dhp, I(oh) + t * dhp + dh);
      }
      mem.linear(b.att.out, o, D, tmp, D, T2);
      k.axpy(x, tmp, T2 * D, 1);
      // convolution module: pointwise, GLU, depthwise, LayerNorm, SiLU, pointwise
      const cv = b.conv;
      k.layernorm(x, y, T2, D, D, cv.norm.g, cv.norm.b, LN_EPS);
      mem.linear(cv.pw1, y, D, wide, cv.pw1.Np, T2);
      k.glu(wide, cv.pw1.Np, o, D, T2, D);
      k.dwconv(o, y, T2, D, cv.dw, cv.dwb, this.K);
      k.layernorm(y, y, T2, D, D, cv.norm2.g, cv.norm2.b, LN_EPS);
      k.silu(y, T2 * D);
      mem.linear(cv.pw2, y, D, tmp, D, T2);
      k.axpy(x, tmp, T2 * D, 1);
      this.feedForward(b.ff2, x, y, wide, tmp, T2);
      k.layernorm(x, x, T2, D, D, b.norm.g, b.norm.b, LN_EPS);
    }
    return { data: f.slice(I(x), I(x) + T2 * D), frames: T2, dim: D };
  }

  /** x += 0.5 · FF(x), model.py FeedForward */
  private feedForward(ff: Block['ff1'], x: number, y: number, wide: number, tmp: number, T: number): void {
    const { D, mem } = this;
    const k = mem.ex;
    k.layernorm(x, y, T, D, D, ff.norm.g, ff.norm.b, LN_EPS);
    mem.linear(ff.l1, y, D, wide, ff.l1.Np, T);
    k.silu(wide, T * ff.l1.Np);
    mem.linear(ff.l2, wide, ff.l1.Np, tmp, D, T);
    k.axpy(x, tmp, T * D, 0.5);
  }

  /** sinusoidal(T, D) rows 0..T-1, computed once for the longest trace so far */
  private positions(T: number): Float32Array {
    if (T > this.peRows) {
      const pe = new Float32Array(T * this.D);
      for (let t = 0; t < T; t++) positionRow(t, this.D, pe, t * this.D);
      this.pe = pe;
      this.peRows = T;
    }
    return this.pe;
  }

  predict(tokens: Int32Array, h: Float32Array, c: Float32Array): Prediction {
    const { P, L, V, mem } = this;
    const B = tokens.length;
    const G = 4 * P;
    if (h.length !== L * B * P || c.length !== L * B * P) throw new EngineError('model-corrupt', `predictor state: ${h.length} floats for ${L} x ${B} x ${P}`);
    mem.resetScratch();
    const hIn = mem.alloc(L * B * P);
    const cIn = mem.alloc(L * B * P);
    const h1 = mem.alloc(L * B * P);
    const c1 = mem.alloc(L * B * P);
    const gates = mem.alloc(B * G);
    const gates2 = mem.alloc(B * G);
    const pred = mem.alloc(B * this.jointPred.Np);
    const f = mem.f32;
    const k = mem.ex;
    f.set(h, hIn / 4);
    f.set(c, cIn / 4);
    for (let b = 0; b < B; b++) {
      const tok = tokens[b] as number;
      if (!(Number.isInteger(tok) && tok >= 0 && tok < V)) throw new EngineError('model-corrupt', `predictor: token ${tok} outside 0..${V - 1}`);
    }
    const at = (base: number, l: number, b: number): number => base + ((l * B + b) * P) * 4;
    for (let l = 0; l < L; l++) {
      const layer = this.lstm[l] as LstmLayer;
      // gates = W_hh h (+ W_ih x + biases, below or in the cell's table row)
      mem.linear(layer.hh, at(hIn, l, 0), P, gates, G, B);
      if (layer.ih !== null) {
        mem.linear(layer.ih, at(h1, l - 1, 0), P, gates2, G, B);
        k.axpy(gates, gates2, B * G, 1);
      }
      for (let b = 0; b < B; b++) {
        const tab = layer.ih === null ? this.table + (tokens[b] as number) * G * 4 : this.zeros;
        k.lstm_cell(gates + b * G * 4, tab, at(cIn, l, b), at(h1, l, b), at(c1, l, b), P);
      }
    }
    mem.linear(this.jointPred, at(h1, L - 1, 0), P, pred, this.jointPred.Np, B);
    const J = this.J;
    const Np = this.jointPred.Np;
    const out = new Float32Array(B * J);
    for (let b = 0; b < B; b++) out.set(f.subarray(pred / 4 + b * Np, pred / 4 + b * Np + J), b * J);
    return { pred: out, h: f.slice(h1 / 4, h1 / 4 + L * B * P), c: f.slice(c1 / 4, c1 / 4 + L * B * P) };
  }

  release(): void {
    this.mem.resetScratch();
  }
}
