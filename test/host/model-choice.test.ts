import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseModel, runtimeFiles } from '@/src/host/model-choice';

const SHIPPED = JSON.parse(readFileSync(resolve('public/models/swipe-v1/model.json'), 'utf8')) as Record<string, unknown>;

describe('model choice', () => {
  it('should package only what the engine host loads from the model folder', () => {
    const files = runtimeFiles(SHIPPED, 'lexicon.bin');
    // the runtime and variants the bench chose: weights.bin, or the default ONNX pair
    const encoder = (SHIPPED.encoder as { file: string }).file;
    const predictor = (SHIPPED.predictor as { file: string }).file;
    const native = SHIPPED.native as { file: string; default: boolean };
    const network = native.default ? [native.file] : [encoder, predictor];
    const decoding = SHIPPED.decoding as { rerank?: { file: string } };
    const rerank = decoding.rerank ? [decoding.rerank.file] : [];
    expect(files.sort()).toEqual([...network, ...rerank, 'joint.bin', 'lexicon.bin', 'model.json', 'qwerty.json'].sort());
    // the reranker's forest only where model.json names one
    expect(runtimeFiles({ ...SHIPPED, decoding: { ...decoding, rerank: { file: 'rerank.json', spec: 'swipe-rerank-v1' } } }, 'lexicon.bin')).toContain('rerank.json');
    const { rerank: _r, ...noRerank } = decoding;
    expect(runtimeFiles({ ...SHIPPED, decoding: noRerank }, 'lexicon.bin')).not.toContain('rerank.json');
    const withDefault = (d: boolean) => runtimeFiles({ ...SHIPPED, native: { ...native, default: d } }, 'lexicon.bin');
    expect(withDefault(true)).toContain('weights.bin');
    expect(withDefault(true)).not.toContain(encoder);
    expect(withDefault(false)).toEqual(expect.arrayContaining([encoder, predictor]));
    expect(withDefault(false)).not.toContain('weights.bin');
    // no lexicon.bin: the manifest's own lexicon file
    expect(runtimeFiles(SHIPPED, undefined)).toContain('lexicon.tsv');
    // the default encoder is whatever model.json names, and only that one
    for (const [file, other] of [['encoder.int8.onnx', 'encoder.onnx'], ['encoder.onnx', 'encoder.int8.onnx']]) {
      const m = { ...SHIPPED, native: { ...(SHIPPED.native as object), default: false }, encoder: { ...(SHIPPED.encoder as object), file } };
      expect(runtimeFiles(m, 'lexicon.bin')).toContain(file);
      expect(runtimeFiles(m, 'lexicon.bin')).not.toContain(other);
    }
  });

  it('should pick $SWIPE_MODEL, else the preferred folder, and fail clearly when none exists', () => {
    const root = mkdtempSync(join(tmpdir(), 'models-'));
    expect(() => chooseModel(root, {})).toThrow(/no model found/);
    mkdirSync(join(root, 'other'));
    writeFileSync(join(root, 'other', 'model.json'), JSON.stringify(SHIPPED));
    const c = chooseModel(root, { SWIPE_MODEL: 'other' });
    expect(c.name).toBe('other');
    expect(c.lexiconFile).toBeUndefined();
    expect(c.files).toContain('lexicon.tsv');
    expect(() => chooseModel(root, { SWIPE_MODEL: 'missing' })).toThrow(/missing/);
  });
});
