/**
 * weights.bin (swipe-weights-v1, training/swipe/web_weights.py): the encoder's and the LSTM
 * predictor's weights by their PyTorch names, for the engine's own runtime (native-network.ts).
 * float16 tensors (the shipped ones: checkpoints are saved in float16) widen to float32 exactly.
 */
import { EngineError } from './errors';

export const WEIGHTS_FORMAT = 'swipe-weights-v1';

export interface NetworkConfig {
  d_model: number;
  num_layers: number;
  num_heads: number;
  ffn_dim: number;
  conv_kernel: number;
  num_features: number;
  pred_embed: number;
  pred_hidden: number;
  pred_layers: number;
  joint_dim: number;
  vocab_size: number;
}

export interface Tensor {
  shape: number[];
  dtype: 'float16' | 'float32';
  /** the stored values, little-endian: a view into the file's bytes (the kernel widens them itself) */
  raw: Uint8Array;
  /** the values as float32, widened on first use */
  readonly data: Float32Array;
}

class StoredTensor implements Tensor {
  private values: Float32Array | undefined;
  constructor(
    readonly shape: number[],
    readonly dtype: 'float16' | 'float32',
    readonly raw: Uint8Array,
  ) {}

  get data(): Float32Array {
    const n = this.raw.length / (this.dtype === 'float16' ? 2 : 4);
    return (this.values ??= this.dtype === 'float32' ? float32s(this.raw, 0, n) : float16s(this.raw, 0, n));
  }
}

export interface NetworkWeights {
  config: NetworkConfig;
  tensors: Map<string, Tensor>;
}

const corrupt = (msg: string) => new EngineError('model-corrupt', `weights.bin: ${msg}`);

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** `count` little-endian float32s at byte `start` (a typed-array copy where aligned: start-up time matters) */
function float32s(bytes: Uint8Array, start: number, count: number): Float32Array {
  if (littleEndian && (bytes.byteOffset + start) % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset + start, count).slice();
  const dv = new DataView(bytes.buffer, bytes.byteOffset + start, count * 4);
  return Float32Array.from({ length: count }, (_, i) => dv.getFloat32(4 * i, true));
}

/**
 * `count` little-endian float16s at byte `start`, widened exactly: the magnitude's bits moved into
 * float32's places and scaled by 2^112 (exact for normal and subnormal values alike), the
 * all-ones exponent (inf, NaN) kept, the sign put back. No table: building one cost more at start-up
 * than the few small tensors read this way.
 */
function float16s(bytes: Uint8Array, start: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const bits = new Uint32Array(out.buffer);
  const aligned = littleEndian && (bytes.byteOffset + start) % 2 === 0;
  const h = aligned ? new Uint16Array(bytes.buffer, bytes.byteOffset + start, count) : null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset + start, count * 2);
  for (let i = 0; i < count; i++) {
    const v = h ? (h[i] as number) : dv.getUint16(2 * i, true);
    const mag = (v & 0x7fff) << 13;
    if ((v & 0x7c00) === 0x7c00) {
      bits[i] = (mag | 0x7f800000 | ((v & 0x8000) << 16)) >>> 0;
    } else {
      bits[i] = mag;
      const x = (out[i] as number) * 2 ** 112;
      out[i] = v & 0x8000 ? -x : x;
    }
  }
  return out;
}

const CONFIG_KEYS: readonly (keyof NetworkConfig)[] = ['d_model', 'num_layers', 'num_heads', 'ffn_dim', 'conv_kernel', 'num_features', 'pred_embed', 'pred_hidden', 'pred_layers', 'joint_dim', 'vocab_size'];

export function parseWeights(bytes: Uint8Array): NetworkWeights {
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'SWW1') throw corrupt('not a swipe-weights-v1 file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(4, true);
  if (8 + n > bytes.length) throw corrupt(`header of ${n} bytes runs past the end`);
  let header: { format?: unknown; config?: Record<string, unknown>; tensors?: unknown };
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n))) as typeof header;
  } catch (e) {
    throw new EngineError('model-corrupt', 'weights.bin: its header is not JSON', { cause: e });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw corrupt('its header is not a JSON object');
  if (header.format !== WEIGHTS_FORMAT) throw corrupt(`format ${JSON.stringify(header.format)}`);
  const config = {} as NetworkConfig;
  for (const k of CONFIG_KEYS) {
    const v = header.config?.[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw corrupt(`config.${k} = ${JSON.stringify(v)}`);
    config[k] = v;
  }
  if (!Array.isArray(header.tensors)) throw corrupt('no tensor list');
  const base = Math.ceil((8 + n) / 16) * 16;
  const tensors = new Map<string, Tensor>();
  for (const t of header.tensors as ({ name?: unknown; shape?: unknown; dtype?: unknown; offset?: unknown } | null)[]) {
    if (typeof t !== 'object' || t === null) throw corrupt(`bad tensor entry ${JSON.stringify(t)}`);
    const { name, shape, dtype, offset } = t;
    if (typeof name !== 'string' || !Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
      throw corrupt(`bad tensor entry ${JSON.stringify(t).slice(0, 120)}`);
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const size = dtype === 'float16' ? 2 : dtype === 'float32' ? 4 : 0;
    if (size === 0) throw corrupt(`${name}: dtype ${JSON.stringify(dtype)}`);
    const start = base + offset;
    if (start + count * size > bytes.length) throw corrupt(`${name} runs past the end (${bytes.length} bytes)`);
    tensors.set(name, new StoredTensor(shape as number[], size === 4 ? 'float32' : 'float16', bytes.subarray(start, start + count * size)));
  }
  return { config, tensors };
}

/** The tensor `name` with exactly `shape`, or a model-corrupt error naming what differs. */
export function storedTensorOf(w: NetworkWeights, name: string, shape: readonly number[]): Tensor {
  const t = w.tensors.get(name);
  if (t === undefined) throw corrupt(`no tensor ${name}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw corrupt(`${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  return t;
}

/** storedTensorOf's values as float32 */
export function tensorOf(w: NetworkWeights, name: string, shape: readonly number[]): Float32Array {
  return storedTensorOf(w, name, shape).data;
}
