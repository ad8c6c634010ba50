/**
 * A deterministic toy RNN-T step model for search tests: the predictor state depends on the
 * whole prefix (so state handling bugs show), and the joint favours, at frame t, the letter of
 * `spelled` at position floor(t * len / frames) (a fake trace of that word).
 */
import type { Decoder, PredictInput, StepFn, StepShape } from '../../src/engine/step';

export const TOY_VOCAB = [..."abcdefghijklmnopqrstuvwxyz'", '<blank>'];

export function toyShape(hidden = 4, layers = 1): StepShape {
  return { layers, hidden, vocabSize: TOY_VOCAB.length, blankId: 27, startToken: 27, vocab: TOY_VOCAB };
}

export function toyStep(shape: StepShape, spelled: string, frames: number, sharp = 3): StepFn {
  const { layers: L, hidden: Hd, vocabSize: V, blankId } = shape;
  return async ({ tokens, h, c, frame }) => {
    const B = tokens.length;
    const h1 = new Float32Array(L * B * Hd);
    const c1 = new Float32Array(L * B * Hd);
    const logits = new Float32Array(B * V);
    const pos = Math.min(spelled.length - 1, Math.floor((frame * spelled.length) / frames));
    const target = TOY_VOCAB.indexOf(spelled[pos] ?? 'a');
    for (let b = 0; b < B; b++) {
      const tok = tokens[b] ?? 0;
      for (let l = 0; l < L; l++) {
        for (let j = 0; j < Hd; j++) {
          const i = (l * B + b) * Hd + j;
          h1[i] = Math.tanh(0.5 * (h[i] ?? 0) + 0.2 * (c[i] ?? 0) + Math.sin(tok * 13.7 + j * 3.1 + l));
          c1[i] = 0.5 * (h1[i] ?? 0);
        }
      }
      for (let k = 0; k < V; k++) {
        let z = k === target ? sharp : k === blankId ? sharp - 0.5 : 0;
        for (let j = 0; j < Hd; j++) z += 0.3 * (h1[b * Hd + j] ?? 0) * Math.cos(k * 7.3 + j * 1.9);
        logits[b * V + k] = z;
      }
    }
    return { logits, h: h1, c: c1 };
  };
}

/**
 * The same toy as a split decoder (swipe-beam-v2): pred = the new h (layer 0), the joint
 * combines it with the frame exactly as toyStep's logits do (float32-rounded, so both agree).
 */
export function toyDecoder(shape: StepShape, spelled: string, frames: number, sharp = 3): Decoder & { calls: number } {
  const step = toyStep(shape, spelled, frames, sharp);
  const { hidden: Hd, vocabSize: V, blankId } = shape;
  const dec = {
    calls: 0,
    jointDim: Hd,
    async predict({ tokens, h, c }: PredictInput) {
      dec.calls++;
      const out = await step({ tokens, h, c, frame: 0 });
      const B = tokens.length;
      return { pred: out.h.slice(0, B * Hd), h: out.h, c: out.c };
    },
    joint(frame: number, pred: Float32Array, offset: number, out: Float64Array) {
      const pos = Math.min(spelled.length - 1, Math.floor((frame * spelled.length) / frames));
      const target = TOY_VOCAB.indexOf(spelled[pos] ?? 'a');
      for (let k = 0; k < V; k++) {
        let z = k === target ? sharp : k === blankId ? sharp - 0.5 : 0;
        for (let j = 0; j < Hd; j++) z += 0.3 * (pred[offset + j] ?? 0) * Math.cos(k * 7.3 + j * 1.9);
        out[k] = Math.fround(z);
      }
      return out;
    },
  };
  return dec;
}
