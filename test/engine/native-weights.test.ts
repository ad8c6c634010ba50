import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EngineError } from '@/src/engine/errors';
import { parseWeights, tensorOf, WEIGHTS_FORMAT } from '@/src/engine/native-weights';
import type { NetworkConfig, NetworkWeights } from '@/src/engine/native-weights';
import { errorCode } from './error-code';

const CONFIG: NetworkConfig = {
  d_model: 16,
  num_layers: 2,
  num_heads: 4,
  ffn_dim: 64,
  conv_kernel: 15,
  num_features: 35,
  pred_embed: 8,
  pred_hidden: 12,
  pred_layers: 1,
  joint_dim: 32,
  vocab_size: 28,
};

interface TensorSpec {
  name: string;
  shape: number[];
  dtype: string;
  /** the raw little-endian bytes */
  bytes: Uint8Array;
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

const halfBytes = (bits: readonly number[]): Uint8Array => {
  const b = new Uint8Array(2 * bits.length);
  const dv = new DataView(b.buffer);
  bits.forEach((h, i) => dv.setUint16(2 * i, h, true));
  return b;
};

const floatBytes = (values: readonly number[]): Uint8Array => {
  const b = new Uint8Array(4 * values.length);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return b;
};

/**
 * weights.bin as web_weights.py writes it: "SWW1", uint32 LE header length, the JSON header
 * (padded with `headerPad` spaces, still JSON), zeros to a multiple of 16, then each tensor at its
 * offset (a multiple of 16) from the data start. `header` replaces/extends the header's fields.
 */
function weightsBin(tensors: TensorSpec[], header: Record<string, unknown> = {}, headerPad = 0): Uint8Array {
  let offset = 0;
  const entries = tensors.map((t) => {
    const e = { name: t.name, shape: t.shape, dtype: t.dtype, offset };
    offset += align16(t.bytes.length);
    return e;
  });
  const json = new TextEncoder().encode(JSON.stringify({ format: WEIGHTS_FORMAT, config: CONFIG, tensors: entries, ...header }) + ' '.repeat(headerPad));
  const base = align16(8 + json.length);
  const out = new Uint8Array(base + offset);
  out.set([0x53, 0x57, 0x57, 0x31]); // SWW1
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  tensors.forEach((t, i) => out.set(t.bytes, base + (entries[i] as { offset: number }).offset));
  return out;
}

/** float16 bits -> value, built from float32 bits (normals) or m·2^-24 (subnormals): not the engine's table. */
function halfValue(h: number): number {
  const sign = h >> 15;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return (sign ? -1 : 1) * m * 2 ** -24;
  const bits = new DataView(new ArrayBuffer(4));
  bits.setUint32(0, ((sign << 31) | ((e === 31 ? 255 : e - 15 + 127) << 23) | (m << 13)) >>> 0);
  return bits.getFloat32(0);
}

/** The EngineError f throws (failing the test if it throws anything else or nothing). */
function engineError(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected an EngineError, none thrown');
}

const simple = (): TensorSpec[] => [
  { name: 'a.weight', shape: [2, 3], dtype: 'float16', bytes: halfBytes([0x3c00, 0x4000, 0x4200, 0xbc00, 0x0000, 0x3800]) },
  { name: 'a.bias', shape: [2], dtype: 'float32', bytes: floatBytes([0.1, -2.5]) },
];

describe('weights.bin (native-weights.ts)', () => {
  it('should read the config and each tensor at its offset, whatever padding the header needs', () => {
    // header lengths putting 8 + n on each residue mod 16: the data start moves with the padding
    for (let pad = 0; pad < 16; pad++) {
      const w = parseWeights(weightsBin(simple(), {}, pad));
      expect(w.config).toEqual(CONFIG);
      expect([...w.tensors.keys()]).toEqual(['a.weight', 'a.bias']);
      const [a, b] = [w.tensors.get('a.weight')!, w.tensors.get('a.bias')!];
      expect([a.shape, a.dtype, a.data]).toEqual([[2, 3], 'float16', Float32Array.from([1, 2, 3, -1, 0, 0.5])]);
      expect([b.shape, b.dtype, b.data]).toEqual([[2], 'float32', Float32Array.from([0.1, -2.5])]);
    }
  });

  it('should read a tensor from a subarray of a larger buffer (byteOffset honoured)', () => {
    const bin = weightsBin(simple());
    const big = new Uint8Array(bin.length + 37);
    big.fill(0xaa);
    big.set(bin, 21);
    const w = parseWeights(big.subarray(21, 21 + bin.length));
    expect(Array.from(tensorOf(w, 'a.weight', [2, 3]))).toEqual([1, 2, 3, -1, 0, 0.5]);
    expect(tensorOf(w, 'a.bias', [2])).toEqual(Float32Array.from([0.1, -2.5]));
  });

  it('should widen every float16 bit pattern exactly (subnormals, ±0, ±Infinity, NaN, 65504)', () => {
    const all = Array.from({ length: 65536 }, (_, h) => h);
    const data = tensorOf(parseWeights(weightsBin([{ name: 'all', shape: [256, 256], dtype: 'float16', bytes: halfBytes(all) }])), 'all', [256, 256]);
    const misses: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const want = halfValue(h);
      if (!Object.is(data[h], want)) misses.push(`0x${h.toString(16)}: got ${data[h]}, want ${want}`);
    }
    expect(misses.slice(0, 5), `${misses.length} patterns off`).toEqual([]);

    // the landmarks, spelt out
    const at = (h: number) => data[h] as number;
    expect(Object.is(at(0x0000), 0)).toBe(true);
    expect(Object.is(at(0x8000), -0)).toBe(true);
    expect(at(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(at(0x8001)).toBe(-(2 ** -24));
    expect(at(0x0200)).toBe(2 ** -15);
    expect(at(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(at(0x0400)).toBe(2 ** -14); // smallest normal
    expect(at(0x3c00)).toBe(1);
    expect(at(0x3c01)).toBe(1 + 2 ** -10);
    expect(at(0x3555)).toBe(0.333251953125);
    expect(at(0xc000)).toBe(-2);
    expect(at(0x7bff)).toBe(65504);
    expect(at(0xfbff)).toBe(-65504);
    expect(at(0x7c00)).toBe(Infinity);
    expect(at(0xfc00)).toBe(-Infinity);
    for (const nan of [0x7c01, 0x7e00, 0x7fff, 0xfc01, 0xfe00]) expect(at(nan), `0x${nan.toString(16)}`).toBeNaN();
  });

  it('should read float32 tensors bit for bit', () => {
    const values = [0, -0, 1, -1, Math.PI, 1e-45, -1.1754942e-38, 3.4028234663852886e38, -3.4028234663852886e38, Infinity, -Infinity, NaN, 123456.789, 1 / 3];
    const data = tensorOf(parseWeights(weightsBin([{ name: 'f', shape: [values.length], dtype: 'float32', bytes: floatBytes(values) }])), 'f', [values.length]);
    values.forEach((v, i) => expect(Object.is(data[i], Math.fround(v)), `[${i}] ${data[i]} vs ${v}`).toBe(true));
    expect(data[5]).toBeGreaterThan(0); // the smallest subnormal survives
  });

  it('should accept scalar and empty tensors, and tensors in any order of offset', () => {
    const bin = weightsBin([
      { name: 'scalar', shape: [], dtype: 'float32', bytes: floatBytes([7.5]) },
      { name: 'empty', shape: [0, 4], dtype: 'float16', bytes: new Uint8Array(0) },
      { name: 'row', shape: [1, 3], dtype: 'float16', bytes: halfBytes([0x4400, 0x4500, 0x4600]) },
    ]);
    const w = parseWeights(bin);
    expect(tensorOf(w, 'scalar', [])).toEqual(Float32Array.from([7.5]));
    expect(tensorOf(w, 'empty', [0, 4])).toEqual(new Float32Array(0));
    expect(Array.from(tensorOf(w, 'row', [1, 3]))).toEqual([4, 5, 6]);

    // the list need not follow the data: entries out of offset order, two sharing one offset
    const shuffled = parseWeights(weightsBin(simple(), {
      tensors: [
        { name: 'a.bias', shape: [2], dtype: 'float32', offset: 16 },
        { name: 'a.weight', shape: [2, 3], dtype: 'float16', offset: 0 },
        { name: 'head', shape: [2], dtype: 'float16', offset: 0 },
      ],
    }));
    expect(Array.from(tensorOf(shuffled, 'a.weight', [2, 3]))).toEqual([1, 2, 3, -1, 0, 0.5]);
    expect(tensorOf(shuffled, 'a.bias', [2])).toEqual(Float32Array.from([0.1, -2.5]));
    expect(Array.from(tensorOf(shuffled, 'head', [2]))).toEqual([1, 2]);
  });

  describe('corrupt input', () => {
    const good = weightsBin(simple());

    /** good, with its header replaced by `text` (the data moved to the new start) */
    function withHeaderText(text: string): Uint8Array {
      const dv = new DataView(good.buffer);
      const n = dv.getUint32(4, true);
      const data = good.subarray(align16(8 + n));
      const json = new TextEncoder().encode(text);
      const base = align16(8 + json.length);
      const out = new Uint8Array(base + data.length);
      out.set(good.subarray(0, 4));
      new DataView(out.buffer).setUint32(4, json.length, true);
      out.set(json, 8);
      out.set(data, base);
      return out;
    }

    it('should take the good file (the baseline the cases below break)', () => {
      expect(errorCode(() => parseWeights(good))).toBe('ok');
      expect(errorCode(() => parseWeights(withHeaderText(JSON.stringify({ format: WEIGHTS_FORMAT, config: CONFIG, tensors: [] }))))).toBe('ok');
    });

    it('should reject a wrong magic or a file too short for one', () => {
      for (const magic of ['SWW2', 'sww1', 'PK\x03\x04', '\0\0\0\0']) {
        const bad = good.slice();
        bad.set(Array.from(magic, (c) => c.charCodeAt(0)));
        expect(errorCode(() => parseWeights(bad)), magic).toBe('model-corrupt');
      }
      for (const n of [0, 3, 4, 7]) expect(errorCode(() => parseWeights(good.subarray(0, n))), `${n} bytes`).toBe('model-corrupt');
    });

    it('should reject a header that runs past the end', () => {
      const n = new DataView(good.buffer).getUint32(4, true);
      expect(errorCode(() => parseWeights(good.subarray(0, 8 + n - 1)))).toBe('model-corrupt');
      const huge = good.slice();
      new DataView(huge.buffer).setUint32(4, 0xffffffff, true);
      expect(errorCode(() => parseWeights(huge))).toBe('model-corrupt');
      const plus = good.slice();
      new DataView(plus.buffer).setUint32(4, good.length - 7, true);
      expect(errorCode(() => parseWeights(plus))).toBe('model-corrupt');
    });

    it('should reject a header that is not JSON (or not UTF-8)', () => {
      for (const text of ['', '{', '{format: 1}', '"swipe-weights-v1"', '[]', '42']) {
        expect(errorCode(() => parseWeights(withHeaderText(text))), JSON.stringify(text)).toBe('model-corrupt');
      }
      const notUtf8 = good.slice();
      notUtf8[8] = 0xff;
      expect(errorCode(() => parseWeights(notUtf8))).toBe('model-corrupt');
      expect(engineError(() => parseWeights(withHeaderText('{'))).message).toMatch(/not JSON/);
    });

    it('should reject a wrong or missing format', () => {
      for (const format of ['swipe-weights-v2', 'SWIPE-WEIGHTS-V1', '', 1, null]) {
        expect(errorCode(() => parseWeights(weightsBin(simple(), { format }))), String(format)).toBe('model-corrupt');
      }
      expect(errorCode(() => parseWeights(withHeaderText(JSON.stringify({ config: CONFIG, tensors: [] }))))).toBe('model-corrupt');
    });

    it('should reject a missing config, or any config key missing or not a positive integer', () => {
      expect(errorCode(() => parseWeights(withHeaderText(JSON.stringify({ format: WEIGHTS_FORMAT, tensors: [] }))))).toBe('model-corrupt');
      expect(errorCode(() => parseWeights(weightsBin(simple(), { config: null })))).toBe('model-corrupt');
      for (const key of Object.keys(CONFIG) as (keyof NetworkConfig)[]) {
        const { [key]: _dropped, ...rest } = CONFIG;
        const e = engineError(() => parseWeights(weightsBin(simple(), { config: rest })));
        expect(e.code, `${key} missing`).toBe('model-corrupt');
        expect(e.message).toContain(`config.${key}`);
        for (const v of [0, -1, 1.5, '16', null, true]) {
          expect(errorCode(() => parseWeights(weightsBin(simple(), { config: { ...CONFIG, [key]: v } }))), `${key} = ${JSON.stringify(v)}`).toBe('model-corrupt');
        }
      }
    });

    it('should reject a tensor list that is not a list', () => {
      for (const tensors of [null, {}, 'a.weight', 3]) {
        expect(errorCode(() => parseWeights(weightsBin(simple(), { tensors }))), JSON.stringify(tensors)).toBe('model-corrupt');
      }
      expect(errorCode(() => parseWeights(withHeaderText(JSON.stringify({ format: WEIGHTS_FORMAT, config: CONFIG }))))).toBe('model-corrupt');
    });

    it('should reject a tensor that runs past the end, naming it', () => {
      // a.bias (2 float32) ends the file exactly: one byte less cuts it
      expect(errorCode(() => parseWeights(good.subarray(0, good.length - 8)))).toBe('ok'); // only the alignment padding went
      const cut = good.subarray(0, good.length - 9);
      const e = engineError(() => parseWeights(cut));
      expect(e.code).toBe('model-corrupt');
      expect(e.message).toContain('a.bias');
      // an offset or shape pointing past the data
      const entry = { name: 'x', shape: [4], dtype: 'float32', offset: 0 };
      for (const t of [{ ...entry, offset: 1 << 20 }, { ...entry, shape: [1000] }, { ...entry, dtype: 'float32', shape: [2, 2], offset: 32 }]) {
        expect(errorCode(() => parseWeights(weightsBin(simple(), { tensors: [t] }))), JSON.stringify(t)).toBe('model-corrupt');
      }
    });

    it('should reject an unknown dtype', () => {
      for (const dtype of ['bfloat16', 'float64', 'int8', 'FLOAT16', '', null]) {
        const t = { name: 'x', shape: [2], dtype, offset: 0 };
        const e = engineError(() => parseWeights(weightsBin(simple(), { tensors: [t] })));
        expect(e.code, String(dtype)).toBe('model-corrupt');
        expect(e.message).toContain('x');
      }
      expect(errorCode(() => parseWeights(weightsBin(simple(), { tensors: [{ name: 'x', shape: [2], offset: 0 }] })))).toBe('model-corrupt');
    });

    it('should reject a bad tensor entry (shape, name, offset)', () => {
      const entry = { name: 'x', shape: [2], dtype: 'float16', offset: 0 };
      const bad = [
        { ...entry, shape: [-1] },
        { ...entry, shape: [1.5] },
        { ...entry, shape: ['2'] },
        { ...entry, shape: [2, null] },
        { ...entry, shape: 2 },
        { ...entry, shape: undefined },
        { ...entry, name: undefined },
        { ...entry, name: 3 },
        { ...entry, offset: -16 },
        { ...entry, offset: 0.5 },
        { ...entry, offset: '0' },
        { ...entry, offset: undefined },
      ];
      expect(errorCode(() => parseWeights(weightsBin(simple(), { tensors: [entry] })))).toBe('ok');
      for (const t of bad) expect(errorCode(() => parseWeights(weightsBin(simple(), { tensors: [entry, t] }))), JSON.stringify(t)).toBe('model-corrupt');
      for (const t of ['x', 3, [], true]) expect(errorCode(() => parseWeights(weightsBin(simple(), { tensors: [t] }))), JSON.stringify(t)).toBe('model-corrupt');
    });

    // Both threw an untyped TypeError instead of model-corrupt before parseWeights checked them.
    it('should reject a header that is JSON null', () => {
      expect(errorCode(() => parseWeights(withHeaderText('null')))).toBe('model-corrupt');
      expect(errorCode(() => parseWeights(withHeaderText('[1]')))).toBe('model-corrupt');
    });

    it('should reject a null tensor entry', () => {
      expect(errorCode(() => parseWeights(weightsBin(simple(), { tensors: [null] })))).toBe('model-corrupt');
    });
  });

  describe('tensorOf', () => {
    const w: NetworkWeights = parseWeights(weightsBin(simple()));

    it('should return the data for the exact shape', () => {
      expect(Array.from(tensorOf(w, 'a.weight', [2, 3]))).toEqual([1, 2, 3, -1, 0, 0.5]);
    });

    it('should throw model-corrupt naming the tensor for a wrong shape', () => {
      for (const shape of [[3, 2], [6], [2, 3, 1], [1, 2, 3], [2], []]) {
        const e = engineError(() => tensorOf(w, 'a.weight', shape));
        expect(e.code, JSON.stringify(shape)).toBe('model-corrupt');
        expect(e.message).toContain('a.weight');
        expect(e.message).toContain(`[${shape.join(', ')}]`);
        expect(e.message).toContain('[2, 3]');
      }
    });

    it('should throw model-corrupt naming a missing tensor', () => {
      const e = engineError(() => tensorOf(w, 'lstm.weight_hh_l0', [4, 4]));
      expect(e.code).toBe('model-corrupt');
      expect(e.message).toContain('lstm.weight_hh_l0');
    });
  });

  it('should parse the shipped public/models/swipe-v1/weights.bin', () => {
    const bytes = new Uint8Array(readFileSync('public/models/swipe-v1/weights.bin'));
    const w = parseWeights(bytes);
    expect(w.config.d_model).toBe(144);
    expect(w.config.pred_hidden).toBe(320);
    expect(w.config.conv_kernel).toBe(15);
    expect(tensorOf(w, 'blocks.0.att.qkv.weight', [432, 144])).toHaveLength(432 * 144);
    expect(tensorOf(w, 'lstm.weight_hh_l0', [1280, 320])).toHaveLength(1280 * 320);
    expect(tensorOf(w, 'sub1.weight', [144, 35, 3])).toHaveLength(144 * 35 * 3);
    expect(tensorOf(w, 'joint_pred.weight', [w.config.joint_dim, w.config.pred_hidden])).toHaveLength(256 * 320);
    let count = 0;
    for (const [name, t] of w.tensors) {
      expect(t.data.length, name).toBe(t.shape.reduce((a, b) => a * b, 1));
      let finite = true;
      let nonzero = false;
      for (const v of t.data) {
        if (!Number.isFinite(v)) finite = false;
        if (v !== 0) nonzero = true;
      }
      expect(finite && nonzero, `${name}: finite, not all zero`).toBe(true);
      count += t.data.length;
    }
    // the shipped tensors are float16: two bytes each, plus header and alignment
    expect(2 * count).toBeLessThanOrEqual(bytes.length);
    expect(2 * count).toBeGreaterThan(bytes.length - 16 * (w.tensors.size + 2) - 20000);
    // the first value of sub1.weight, decoded here from its raw bits
    const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
    const raw = new DataView(bytes.buffer, bytes.byteOffset).getUint16(align16(8 + n), true);
    expect(tensorOf(w, 'sub1.weight', [144, 35, 3])[0]).toBe(halfValue(raw));
  });
});
