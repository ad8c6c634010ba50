import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INT8_TOP4_GATE, chooseEncoder } from '../../scripts/bench/encoder-choice';
import type { BenchRecord } from '../../scripts/bench/stats';

const s = (p50: number, p95: number) => ({ p50, p95, max: p95 + 1 });
const run = (where: string, fp32: [number, number], int8: [number, number]): BenchRecord =>
  ({ where, encoderVariantsMs: { fp32: s(...fp32), int8: s(...int8) } }) as unknown as BenchRecord;
const manifest = (loss: unknown) => ({
  encoder: { variants: { fp32: 'encoder.onnx', int8: 'encoder.int8.onnx' } },
  export: { int8: { top4LossPoints: loss } },
});
const node = run('Node v20.20.2', [6.2, 10.8], [4.9, 8.4]);

describe('chooseEncoder (the speed half of the INT8 rule, applied by bench --record)', () => {
  it('should pick INT8 when it passed the accuracy gate and is faster in Chromium at p50 and p95', () => {
    const c = chooseEncoder(manifest(0.1), [node, run('headless Chromium Chrome/156', [5.57, 9.64], [4.63, 8.38])], '2026-12-04');
    expect(c?.file).toBe('encoder.int8.onnx');
    expect(c?.defaultChoice).toMatch(/^int8: /);
    expect(c?.defaultChoice).toContain('INT8 4.63 / 8.38 vs fp32 5.57 / 9.64 ms on 2026-12-04 (faster)');
    expect(c?.defaultChoice).toContain('top-4 loss 0.1 points (passed)');
  });

  it('should keep fp32 when INT8 is slower at either percentile, even if Node finds it faster', () => {
    const p95Slower = chooseEncoder(manifest(0.1), [node, run('headless Chromium', [5.5, 9.6], [4.6, 9.7])], 'd');
    expect(p95Slower?.file).toBe('encoder.onnx');
    expect(p95Slower?.defaultChoice).toMatch(/^fp32: .*\(not faster\)$/);
    expect(chooseEncoder(manifest(0.1), [run('headless Chromium', [5, 9], [5, 8])], 'd')?.file).toBe('encoder.onnx');
  });

  it('should keep fp32 when the accuracy gate failed or was not measured', () => {
    const fast = [run('headless Chromium', [5.5, 9.6], [4.6, 8.4])];
    expect(chooseEncoder(manifest(INT8_TOP4_GATE + 0.05), fast, 'd')?.defaultChoice).toMatch(/^fp32: .*\(failed\)/);
    expect(chooseEncoder(manifest(INT8_TOP4_GATE), fast, 'd')?.file).toBe('encoder.int8.onnx');
    for (const loss of [undefined, null, 'low', NaN]) {
      const c = chooseEncoder(manifest(loss), fast, 'd');
      expect(c?.file).toBe('encoder.onnx');
      expect(c?.defaultChoice).toContain('not measured');
    }
  });

  it('should leave model.json alone when the record cannot decide', () => {
    const fast = [run('headless Chromium', [5.5, 9.6], [4.6, 8.4])];
    expect(chooseEncoder(manifest(0.1), [node], 'd')).toBeNull(); // --node-only
    expect(chooseEncoder({ encoder: { variants: { fp32: 'encoder.onnx' } } }, fast, 'd')).toBeNull();
    expect(chooseEncoder(manifest(0.1), [{ where: 'headless Chromium' } as BenchRecord], 'd')).toBeNull();
  });

  it("should use the exporter's gate", () => {
    const py = readFileSync(resolve('training/swipe/export.py'), 'utf8');
    expect(py).toMatch(new RegExp(`^INT8_TOP4_GATE = ${INT8_TOP4_GATE}\\b`, 'm'));
  });
});
