/**
 * The encoder and predictor as the search sees them, whichever runtime computes them:
 * onnxruntime-web sessions (ort-session.ts) or the engine's own WebAssembly (native-network.ts).
 */
import type { Features } from './features';

export interface Encoded {
  /** (T', D) valid encoder frames of one trace */
  data: Float32Array;
  /** T' */
  frames: number;
  /** D */
  dim: number;
}

/** One batched predictor call's outputs: pred_proj (B, J), h1 and c1 (L, B, Hd). */
export interface Prediction {
  pred: Float32Array;
  h: Float32Array;
  c: Float32Array;
}

/** Which runtime computes the network: the engine's own WebAssembly, or onnxruntime-web. */
export type RuntimeKind = 'native' | 'ort';

export interface Network {
  readonly kind: RuntimeKind;
  /** the encoder once for one trace (B = 1) */
  encode(f: Features): Encoded | Promise<Encoded>;
  /** one batched predictor step: tokens (B), h and c (L, B, Hd) */
  predict(tokens: Int32Array, h: Float32Array, c: Float32Array): Prediction | Promise<Prediction>;
  release(): void | Promise<void>;
}
