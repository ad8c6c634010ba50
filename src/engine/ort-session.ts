/**
 * The network in onnxruntime-web: the encoder and predictor ORT sessions, every name and
 * dimension read from model.json (sherpa-onnx model class). Takes an already-configured `ort`
 * module (the extension sets ort.env.wasm.wasmPaths itself) and model bytes: no globals touched,
 * no fetching here.
 */
import type * as Ort from 'onnxruntime-web';
import { EngineError } from './errors';
import type { Features } from './features';
import { toBFT } from './features';
import type { ModelManifest } from './manifest';
import type { Encoded, Network, Prediction } from './network';

/** The part of onnxruntime-web the engine uses (so tests may pass a fake). */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;
export type SessionOptions = Ort.InferenceSession.SessionOptions;

/**
 * For plain graphs: 'extended', not 'all': in WASM the 'all' level's extra (layout) passes made
 * session creation of the fp32 encoder 2x slower (1062 vs 516 ms, Node, ORT web 1.30) without a
 * faster run; 'extended' still fuses the INT8 encoder's QDQ pairs (basic: 15 ms a run, extended:
 * 7 ms). A graph the exporter already optimized (model.json `preOptimized`, training/swipe/
 * web_onnx.py) is loaded with optimization off: the same fused graph, a third of the creation time.
 */
export function graphOptimizationFor(preOptimized: string | undefined): 'disabled' | 'extended' {
  return preOptimized ? 'disabled' : 'extended';
}

async function createSession(ort: OrtModule, bytes: Uint8Array, what: string, preOptimized: string | undefined, options?: SessionOptions): Promise<Ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: graphOptimizationFor(preOptimized), ...options });
  } catch (e) {
    throw new EngineError('model-corrupt', `${what}: onnxruntime cannot load it (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
}

function requireNames(s: Ort.InferenceSession, inputs: string[], outputs: string[], what: string): void {
  for (const n of inputs) if (!s.inputNames.includes(n)) throw new EngineError('model-corrupt', `${what}: no input "${n}" (has ${s.inputNames.join(', ')})`);
  for (const n of outputs) if (!s.outputNames.includes(n)) throw new EngineError('model-corrupt', `${what}: no output "${n}" (has ${s.outputNames.join(', ')})`);
}

export class OrtNetwork implements Network {
  readonly kind = 'ort' as const;

  private constructor(
    private readonly ort: OrtModule,
    private readonly m: ModelManifest,
    private readonly encoder: Ort.InferenceSession,
    private readonly predictor: Ort.InferenceSession,
  ) {}

  static async create(ort: OrtModule, m: ModelManifest, encoderBytes: Uint8Array, predictorBytes: Uint8Array, options?: SessionOptions): Promise<OrtNetwork> {
    const [enc, pred] = await Promise.all([createSession(ort, encoderBytes, 'encoder', m.encoder.preOptimized, options), createSession(ort, predictorBytes, 'predictor', m.predictor.preOptimized, options)]);
    requireNames(enc, [m.encoder.inputs.features, m.encoder.inputs.lengths], [m.encoder.outputs.encoded, m.encoder.outputs.lengths], 'encoder');
    requireNames(pred, Object.values(m.predictor.inputs), Object.values(m.predictor.outputs), 'predictor');
    return new OrtNetwork(ort, m, enc, pred);
  }

  /** Runs the encoder once for one trace (B = 1). */
  async encode(f: Features): Promise<Encoded> {
    const { Tensor } = this.ort;
    const F = this.m.features.numFeatures;
    const feeds = {
      [this.m.encoder.inputs.features]: new Tensor('float32', toBFT(f, F), [1, F, f.n]), // (1, F, T)
      [this.m.encoder.inputs.lengths]: new Tensor('int32', Int32Array.of(f.n), [1]), // (1)
    };
    const out = await this.run(this.encoder, feeds, 'encoder');
    const enc = out[this.m.encoder.outputs.encoded] as Ort.Tensor; // (1, T', D)
    const len = out[this.m.encoder.outputs.lengths] as Ort.Tensor; // (1)
    const [, T, D] = enc.dims;
    if (enc.dims.length !== 3 || T === undefined || D === undefined || D !== this.m.encoder.dim) {
      throw new EngineError('model-corrupt', `encoder output dims [${enc.dims.join(', ')}], model.json says D = ${this.m.encoder.dim}`);
    }
    // Frames past encoded_lengths are padding and never read (BEAM_SEARCH.md "Inputs").
    const frames = Math.max(0, Math.min(T, Number((len.data as Int32Array | BigInt64Array)[0] ?? 0)));
    return { data: (enc.data as Float32Array).subarray(0, frames * D), frames, dim: D };
  }

  /** One batched predictor call (no frame involved): pred_proj (B, J), h1, c1. */
  async predict(tokens: Int32Array, h: Float32Array, c: Float32Array): Promise<Prediction> {
    const { Tensor } = this.ort;
    const p = this.m.predictor;
    const { layers: L, hidden: Hd } = p;
    const B = tokens.length;
    const y = new BigInt64Array(B);
    for (let b = 0; b < B; b++) y[b] = BigInt(tokens[b] as number);
    const out = await this.run(
      this.predictor,
      {
        [p.inputs.token]: new Tensor('int64', y, [B]), // (B)
        [p.inputs.h]: new Tensor('float32', h, [L, B, Hd]), // (L, B, Hd)
        [p.inputs.c]: new Tensor('float32', c, [L, B, Hd]),
      },
      'predictor',
    );
    return {
      pred: (out[p.outputs.pred] as Ort.Tensor).data as Float32Array, // (B, J)
      h: (out[p.outputs.h] as Ort.Tensor).data as Float32Array, // (L, B, Hd)
      c: (out[p.outputs.c] as Ort.Tensor).data as Float32Array,
    };
  }

  private async run(s: Ort.InferenceSession, feeds: Record<string, Ort.Tensor>, what: string): Promise<Ort.InferenceSession.ReturnType> {
    try {
      return await s.run(feeds);
    } catch (e) {
      throw new EngineError('model-corrupt', `${what} run failed (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
  }

  async release(): Promise<void> {
    await Promise.all([this.encoder.release(), this.predictor.release()]);
  }
}
