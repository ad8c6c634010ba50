/**
 * The RNN-T model as the search uses it: a network (the encoder and predictor, in the engine's own
 * WebAssembly or in onnxruntime-web: network.ts) and the joint (joint.bin, computed in TS: joint.ts,
 * its products in WebAssembly SIMD: affine-kernel.ts), with the step shape from model.json.
 */
import { createWasmJoint } from './affine-kernel';
import type { WasmJoint } from './affine-kernel';
import type { Features } from './features';
import { encProjAll, jointHidden, jointOutput, parseJoint, tanhOf } from './joint';
import type { JointWeights } from './joint';
import type { ModelManifest } from './manifest';
import type { Encoded, Network, Prediction } from './network';
import type { Decoder, DecoderWork, StepShape } from './step';

/** How the joint's matrix products run: 'wasm' (affine-kernel.ts, where WebAssembly SIMD is available) or 'js'; same values. */
export type JointKernel = 'wasm' | 'js';

export class RnntModel {
  readonly shape: StepShape;
  readonly joint: JointWeights;
  // tanh of each pred row, computed once per row: a prefix's row is joined at many frames, and
  // rows kept in the engine's prefix cache at many swipes. Weak: it goes with its row.
  private readonly predTanh = new WeakMap<Float32Array, Map<number, Float64Array>>();
  // the joint's products in WebAssembly SIMD (same values, ~3.5x faster); null: joint.ts's loops
  private readonly wasmJoint: WasmJoint | null;

  constructor(
    readonly network: Network,
    m: ModelManifest,
    jointBytes: Uint8Array,
    jointKernel: JointKernel = 'wasm',
  ) {
    this.joint = parseJoint(jointBytes, { J: m.joint.dim, D: m.joint.encDim, V: m.joint.vocabSize });
    this.wasmJoint = jointKernel === 'wasm' ? createWasmJoint(this.joint) : null;
    const p = m.predictor;
    this.shape = { layers: p.layers, hidden: p.hidden, vocabSize: m.vocab.length, blankId: m.blankId, startToken: p.startToken, vocab: m.vocab, ...(p.context === undefined ? {} : { context: p.context }) };
  }

  /** The encoder once for one trace (B = 1). */
  async encode(f: Features): Promise<Encoded> {
    return this.network.encode(f);
  }

  /** One batched predictor call (no frame involved): pred_proj (B, J), h1, c1. */
  async predict(tokens: Int32Array, h: Float32Array, c: Float32Array): Promise<Prediction> {
    return this.network.predict(tokens, h, c);
  }

  /** The split decoder over one trace's encoder frames: enc_proj of every frame computed once. */
  decoderFor(enc: Encoded): Decoder {
    const w = this.joint;
    const k = this.wasmJoint;
    const ep = k ? k.encProjAll(enc.data, enc.frames) : encProjAll(w, enc.data, enc.frames);
    const epTanh = tanhOf(ep, 0, ep.length);
    const z = new Float64Array(w.J);
    const work: DecoderWork = { predictorMs: 0, predictorRows: 0, jointRows: 0 };
    return {
      jointDim: w.J,
      work,
      predict: async ({ tokens, h, c }) => {
        const t0 = performance.now();
        const out = await this.predict(tokens, h, c);
        work.predictorMs += performance.now() - t0;
        work.predictorRows += tokens.length;
        return out;
      },
      joint: (frame, pred, offset, out) => {
        work.jointRows++;
        let rows = this.predTanh.get(pred);
        if (rows === undefined) this.predTanh.set(pred, (rows = new Map()));
        let tb = rows.get(offset);
        if (tb === undefined) rows.set(offset, (tb = tanhOf(pred, offset, w.J)));
        if (k) return k.row(frame, ep, epTanh, pred, offset, tb, out);
        return jointOutput(w, jointHidden(w.J, ep, epTanh, frame, pred, offset, tb, z), out);
      },
    };
  }

  async release(): Promise<void> {
    await this.network.release();
  }
}
