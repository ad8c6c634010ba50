import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it, beforeAll } from 'vitest';
import { NUM_FEATURES } from '@/src/engine/features';
import { parseManifest } from '@/src/engine/manifest';
import type { ModelManifest } from '@/src/engine/manifest';
import { NativeNetwork } from '@/src/engine/native-network';
import { OrtNetwork } from '@/src/engine/ort-session';
import { errorCodeOf } from './error-code';
import { fileLoader, goldenModelDir } from './model-fixture';

const dir = goldenModelDir();

/** Deterministic features roughly in the spec's ranges (positions 0..1, small derivatives). */
function features(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Float32Array.from({ length: n * NUM_FEATURES }, () => r() * 1.2 - 0.1);
}

describe.skipIf(!dir)('native network against onnxruntime-web on the fp32 ONNX files', () => {
  let m: ModelManifest;
  let native: NativeNetwork;
  let onnx: OrtNetwork;
  let bytes: Uint8Array;
  beforeAll(async () => {
    const files = fileLoader(dir as string);
    m = parseManifest(JSON.parse(readFileSync(`${dir}model.json`, 'utf8')));
    bytes = await files((m.native as { file: string }).file);
    native = NativeNetwork.create(bytes, m) as NativeNetwork;
    onnx = await OrtNetwork.create(ort, m, await files(m.encoder.variants?.fp32 ?? m.encoder.file), await files(m.predictor.variants?.fp32 ?? m.predictor.file));
  }, 30_000);

  it('should encode traces of any length as ORT does: 1 to 150 frames (the attention spans them all)', async () => {
    for (const n of [1, 2, 3, 5, 8, 13, 33, 96, 150]) {
      const f = { data: features(n, n), n };
      const a = native.encode(f);
      const b = await onnx.encode(f);
      expect([a.frames, a.dim], `n = ${n}`).toEqual([b.frames, b.dim]);
      let worst = 0;
      for (let i = 0; i < b.data.length; i++) worst = Math.max(worst, Math.abs((a.data[i] as number) - (b.data[i] as number)));
      expect(worst, `n = ${n}`).toBeLessThan(1e-4);
    }
  });

  it('should give the same outputs for the same trace however many others came between (scratch reused)', () => {
    const f = { data: features(40, 1), n: 40 };
    const first = native.encode(f).data.slice();
    native.encode({ data: features(150, 2), n: 150 });
    native.predict(Int32Array.of(3, 4, 5), new Float32Array(3 * m.predictor.hidden).fill(0.3), new Float32Array(3 * m.predictor.hidden).fill(-0.2));
    expect(native.encode(f).data).toEqual(first);
  });

  it('should run the predictor as ORT does for batches of 1 to 20, whatever the state', async () => {
    const P = m.predictor.hidden;
    for (const B of [1, 2, 3, 4, 5, 7, 20]) {
      const tokens = Int32Array.from({ length: B }, (_, i) => (i * 11 + B) % m.vocab.length);
      const h = Float32Array.from({ length: B * P }, (_, i) => Math.sin(i * 0.37 + B));
      const c = Float32Array.from({ length: B * P }, (_, i) => 2 * Math.cos(i * 0.11 - B));
      const a = native.predict(tokens, h, c);
      const b = await onnx.predict(tokens, h, c);
      for (const k of ['pred', 'h', 'c'] as const) {
        expect(a[k].length, `${k} B = ${B}`).toBe(b[k].length);
        let worst = 0;
        for (let i = 0; i < b[k].length; i++) worst = Math.max(worst, Math.abs((a[k][i] as number) - (b[k][i] as number)));
        expect(worst, `${k} B = ${B}`).toBeLessThan(1e-4);
      }
    }
  });

  it('should refuse weights that do not fit model.json, and bad inputs, with model-corrupt', async () => {
    const code = (f: () => unknown) => errorCodeOf(Promise.resolve().then(f));
    expect(await code(() => NativeNetwork.create(bytes, { ...m, encoder: { ...m.encoder, dim: 128 } }))).toBe('model-corrupt');
    expect(await code(() => NativeNetwork.create(bytes, { ...m, predictor: { ...m.predictor, hidden: 256 } }))).toBe('model-corrupt');
    expect(await code(() => NativeNetwork.create(bytes, { ...m, predictor: { ...m.predictor, context: 2 } }))).toBe('model-corrupt');
    expect(await code(() => NativeNetwork.create(bytes, { ...m, encoder: { ...m.encoder, subsampling: 8 } }))).toBe('model-corrupt');
    expect(await code(() => native.encode({ data: new Float32Array(0), n: 0 }))).toBe('model-corrupt');
    expect(await code(() => native.encode({ data: new Float32Array(10), n: 5 }))).toBe('model-corrupt');
    const P = m.predictor.hidden;
    expect(await code(() => native.predict(Int32Array.of(m.vocab.length), new Float32Array(P), new Float32Array(P)))).toBe('model-corrupt');
    expect(await code(() => native.predict(Int32Array.of(-1), new Float32Array(P), new Float32Array(P)))).toBe('model-corrupt');
    expect(await code(() => native.predict(Int32Array.of(1, 2), new Float32Array(P), new Float32Array(P)))).toBe('model-corrupt');
  });
});
