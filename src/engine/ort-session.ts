/**
 * The RNN-T model: owns the encoder and step ORT sessions, reads every name and dimension from
 * model.json (sherpa-onnx model class). Takes an already-configured `ort` module (the extension
 * sets ort.env.wasm.wasmPaths itself) and model bytes: no globals touched, no fetching here.
 */
import type * as Ort from 'onnxruntime-web';
import { EngineError } from './errors';
import type { Features } from './features';
import { toBFT } from './features';
import type { ModelManifest } from './manifest';
import type { StepFn, StepShape } from './step';

/** The part of onnxruntime-web the engine uses (so tests may pass a fake). */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;
export type SessionOptions = Ort.InferenceSession.SessionOptions;

export interface Encoded {
  /** (T', D) valid encoder frames of one trace */
  data: Float32Array;
  /** T' */
  frames: number;
  /** D */
  dim: number;
}

async function createSession(ort: OrtModule, bytes: Uint8Array, what: string, options?: SessionOptions): Promise<Ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', ...options });
  } catch (e) {
    throw new EngineError('model-corrupt', `${what}: onnxruntime cannot load it (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
}

function requireNames(s: Ort.InferenceSession, inputs: string[], outputs: string[], what: string): void {
  for (const n of inputs) if (!s.inputNames.includes(n)) throw new EngineError('model-corrupt', `${what}: no input "${n}" (has ${s.inputNames.join(', ')})`);
  for (const n of outputs) if (!s.outputNames.includes(n)) throw new EngineError('model-corrupt', `${what}: no output "${n}" (has ${s.outputNames.join(', ')})`);
}

export class RnntModel {
  readonly shape: StepShape;

  private constructor(
    private readonly ort: OrtModule,
    private readonly m: ModelManifest,
    private readonly encoder: Ort.InferenceSession,
    private readonly step: Ort.InferenceSession,
  ) {
    this.shape = { layers: m.step.layers, hidden: m.step.hidden, vocabSize: m.vocab.length, blankId: m.blankId, startToken: m.step.startToken, vocab: m.vocab };
  }

  static async create(ort: OrtModule, m: ModelManifest, encoderBytes: Uint8Array, stepBytes: Uint8Array, options?: SessionOptions): Promise<RnntModel> {
    const [enc, step] = await Promise.all([createSession(ort, encoderBytes, 'encoder', options), createSession(ort, stepBytes, 'step', options)]);
    requireNames(enc, [m.encoder.inputs.features, m.encoder.inputs.lengths], [m.encoder.outputs.encoded, m.encoder.outputs.lengths], 'encoder');
    requireNames(step, Object.values(m.step.inputs), Object.values(m.step.outputs), 'step');
    return new RnntModel(ort, m, enc, step);
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

  /** The batched step function over one trace's encoder frames. */
  stepFor(enc: Encoded): StepFn {
    const { Tensor } = this.ort;
    const s = this.m.step;
    const { layers: L, hidden: Hd } = this.shape;
    const D = enc.dim;
    return async ({ tokens, h, c, frame }) => {
      const B = tokens.length;
      const encT = new Float32Array(B * D); // (B, D): frame t repeated for every beam
      const row = enc.data.subarray(frame * D, (frame + 1) * D);
      for (let b = 0; b < B; b++) encT.set(row, b * D);
      const y = new BigInt64Array(B);
      for (let b = 0; b < B; b++) y[b] = BigInt(tokens[b] as number);
      const out = await this.run(
        this.step,
        {
          [s.inputs.token]: new Tensor('int64', y, [B]), // (B)
          [s.inputs.h]: new Tensor('float32', h, [L, B, Hd]), // (L, B, Hd)
          [s.inputs.c]: new Tensor('float32', c, [L, B, Hd]),
          [s.inputs.enc]: new Tensor('float32', encT, [B, D]), // (B, D)
        },
        'step',
      );
      return {
        logits: (out[s.outputs.logits] as Ort.Tensor).data as Float32Array, // (B, V)
        h: (out[s.outputs.h] as Ort.Tensor).data as Float32Array, // (L, B, Hd)
        c: (out[s.outputs.c] as Ort.Tensor).data as Float32Array,
      };
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
    await Promise.all([this.encoder.release(), this.step.release()]);
  }
}
