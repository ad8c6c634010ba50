import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseModel, runtimeFiles } from '@/src/host/model-choice';

const SHIPPED = JSON.parse(readFileSync(resolve('public/models/swipe-v1/model.json'), 'utf8')) as Record<string, unknown>;

describe('model choice', () => {
  it('should package only what the engine host loads from the model folder', () => {
    const files = runtimeFiles(SHIPPED, 'lexicon.bin');
    expect(files.sort()).toEqual(['encoder.onnx', 'joint.bin', 'lexicon.bin', 'model.json', 'predictor.onnx', 'qwerty.json']);
    // no lexicon.bin: the manifest's own lexicon file
    expect(runtimeFiles(SHIPPED, undefined)).toContain('lexicon.tsv');
    // the default encoder is whatever model.json names
    const int8 = { ...SHIPPED, encoder: { ...(SHIPPED.encoder as object), file: 'encoder.int8.onnx' } };
    expect(runtimeFiles(int8, 'lexicon.bin')).toContain('encoder.int8.onnx');
    expect(runtimeFiles(int8, 'lexicon.bin')).not.toContain('encoder.onnx');
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
