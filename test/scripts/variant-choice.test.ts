import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INT8_TOP4_GATE, chooseRuntime, chooseVariant } from '../../scripts/bench/variant-choice';
import { COMPARISONS, parseComparisons, runtimeKeys } from '../../scripts/bench/stats';
import type { BenchRecord } from '../../scripts/bench/stats';

const s = (p50: number, p95: number) => ({ p50, p95, max: p95 + 1 });
const run = (where: string, fp32: [number, number], int8: [number, number]): BenchRecord =>
  ({ where, encoderVariantsMs: { fp32: s(...fp32), int8: s(...int8) } }) as unknown as BenchRecord;
const manifest = (loss: unknown) => ({
  encoder: { variants: { fp32: 'encoder.onnx', int8: 'encoder.int8.onnx' } },
  export: { int8: { top4LossPoints: loss } },
});
const node = run('Node v20.20.2', [6.2, 10.8], [4.9, 8.4]);

describe('chooseVariant (the speed half of the INT8 rule, applied by bench --record)', () => {
  it('should pick INT8 when it passed the accuracy gate and is faster in Chromium at p50 and p95', () => {
    const c = chooseVariant('encoder', manifest(0.1), [node, run('headless Chromium Chrome/156', [5.57, 9.64], [4.63, 8.38])], '2026-12-04');
    expect(c?.file).toBe('encoder.int8.onnx');
    expect(c?.defaultChoice).toMatch(/^int8: /);
    expect(c?.defaultChoice).toContain('INT8 4.63 / 8.38 vs fp32 5.57 / 9.64 ms on 2026-12-04 (faster)');
    expect(c?.defaultChoice).toContain('top-4 loss 0.1 points (passed)');
  });

  it('should keep fp32 when INT8 is slower at either percentile, even if Node finds it faster', () => {
    const p95Slower = chooseVariant('encoder', manifest(0.1), [node, run('headless Chromium', [5.5, 9.6], [4.6, 9.7])], 'd');
    expect(p95Slower?.file).toBe('encoder.onnx');
    expect(p95Slower?.defaultChoice).toMatch(/^fp32: .*\(not faster\)$/);
    expect(chooseVariant('encoder', manifest(0.1), [run('headless Chromium', [5, 9], [5, 8])], 'd')?.file).toBe('encoder.onnx');
  });

  it('should keep fp32 when the accuracy gate failed or was not measured', () => {
    const fast = [run('headless Chromium', [5.5, 9.6], [4.6, 8.4])];
    expect(chooseVariant('encoder', manifest(INT8_TOP4_GATE + 0.05), fast, 'd')?.defaultChoice).toMatch(/^fp32: .*\(failed\)/);
    expect(chooseVariant('encoder', manifest(INT8_TOP4_GATE), fast, 'd')?.file).toBe('encoder.int8.onnx');
    for (const loss of [undefined, null, 'low', NaN]) {
      const c = chooseVariant('encoder', manifest(loss), fast, 'd');
      expect(c?.file).toBe('encoder.onnx');
      expect(c?.defaultChoice).toContain('not measured');
    }
  });

  it('should leave model.json alone when the record cannot decide', () => {
    const fast = [run('headless Chromium', [5.5, 9.6], [4.6, 8.4])];
    expect(chooseVariant('encoder', manifest(0.1), [node], 'd')).toBeNull(); // --node-only
    expect(chooseVariant('encoder', { encoder: { variants: { fp32: 'encoder.onnx' } } }, fast, 'd')).toBeNull();
    expect(chooseVariant('encoder', manifest(0.1), [{ where: 'headless Chromium' } as BenchRecord], 'd')).toBeNull();
  });

  it("should decide the predictor on the search it serves and on the predictor's own gate", () => {
    const m = {
      ...manifest(0.1), // the encoder's loss: not the predictor's
      predictor: { variants: { fp32: 'predictor.onnx', int8: 'predictor.int8.onnx' } },
      export: { int8: { top4LossPoints: 0.1 }, predictorInt8: { top4LossPoints: 0.05 } },
    };
    const rec = (f: [number, number], q: [number, number]) =>
      ({ where: 'headless Chromium', encoderVariantsMs: { fp32: s(9, 9), int8: s(1, 1) }, predictorVariantsSearchMs: { fp32: s(...f), int8: s(...q) } }) as unknown as BenchRecord;
    const c = chooseVariant('predictor', m, [rec([10.3, 25.0], [8.1, 19.9])], 'd');
    expect(c?.file).toBe('predictor.int8.onnx');
    expect(c?.defaultChoice).toContain('Chromium search p50 / p95 INT8 8.10 / 19.90 vs fp32 10.30 / 25.00 ms on d (faster)');
    expect(c?.defaultChoice).toContain('top-4 loss 0.05 points (passed)');
    expect(chooseVariant('predictor', m, [rec([10.3, 25.0], [10.4, 19.9])], 'd')?.file).toBe('predictor.onnx');
    const failed = { ...m, export: { ...m.export, predictorInt8: { top4LossPoints: 0.5 } } };
    expect(chooseVariant('predictor', failed, [rec([10.3, 25.0], [8.1, 19.9])], 'd')?.file).toBe('predictor.onnx');
    expect(chooseVariant('predictor', manifest(0.1), [rec([10.3, 25.0], [8.1, 19.9])], 'd')).toBeNull(); // no INT8 predictor
  });

  it("should use the exporter's gate", () => {
    const py = readFileSync(resolve('training/swipe/export.py'), 'utf8');
    expect(py).toMatch(new RegExp(`^INT8_TOP4_GATE = ${INT8_TOP4_GATE}\\b`, 'm'));
  });
});

describe('chooseRuntime (native.default, applied by bench --record)', () => {
  const rt = (where: string, native: [number, number], ort: [number, number]): BenchRecord =>
    ({ where, runtimesTotalMs: { native: s(...native), ort: s(...ort) } }) as unknown as BenchRecord;
  const m = { native: { file: 'weights.bin', format: 'swipe-weights-v1', default: false } };

  it('should make the native runtime the default only when Chromium finds it faster at p50 and p95, side by side', () => {
    const faster = chooseRuntime(m, [rt('Node v20', [12, 30], [9, 15]), rt('headless Chromium Chrome/156', [9.18, 16.56], [10.46, 18.37])], '2026-12-07');
    expect(faster?.default).toBe(true);
    expect(faster?.defaultChoice).toMatch(/^native: /);
    expect(faster?.defaultChoice).toContain('native 9.18 / 16.56 vs ORT 10.46 / 18.37 ms on 2026-12-07 (faster)');
    for (const [n, o] of [[[9, 19], [10, 18]], [[11, 16], [10, 18]], [[10, 18], [10, 18]]] as [[number, number], [number, number]][]) {
      const c = chooseRuntime(m, [rt('headless Chromium', n, o)], 'd');
      expect(c?.default).toBe(false);
      expect(c?.defaultChoice).toMatch(/^ort: .*\(not faster\)$/);
    }
  });

  it('should leave model.json alone without native weights or a Chromium comparison of both', () => {
    const fast = [rt('headless Chromium', [8, 15], [10, 18])];
    expect(chooseRuntime({}, fast, 'd')).toBeNull();
    expect(chooseRuntime(m, [rt('Node v20', [8, 15], [10, 18])], 'd')).toBeNull();
    expect(chooseRuntime(m, [{ where: 'headless Chromium' } as unknown as BenchRecord], 'd')).toBeNull();
  });
});

describe('parseComparisons and runtimeKeys (bench --compare)', () => {
  it('should read all, none, or a comma list, and refuse an unknown name', () => {
    expect([...parseComparisons('all')!]).toEqual([...COMPARISONS]);
    expect(parseComparisons('none')!.size).toBe(0);
    expect([...parseComparisons('runtime, joint')!]).toEqual(['runtime', 'joint']);
    expect(parseComparisons('runtime,gpu')).toBeNull();
  });

  it('should compare the runtimes only where model.json has native weights', () => {
    expect(runtimeKeys({ native: { file: 'weights.bin' } })).toEqual(['native', 'ort']);
    expect(runtimeKeys({})).toEqual([]);
  });
});
