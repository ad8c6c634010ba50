/**
 * The speed half of the INT8 rule (docs/model-json.md), for the encoder and for the predictor:
 * INT8 becomes `encoder.file` / `predictor.file` only if its dev top-4 loss is at most
 * INT8_TOP4_GATE points (the exporter's half: `export.int8.top4LossPoints`,
 * `export.predictorInt8.top4LossPoints`) AND it is faster than fp32 in the product's runtime,
 * headless Chromium's onnxruntime-web WASM, at both p50 and p95 of the bench's interleaved
 * comparison (the encoder's own time; for the predictor the search it serves). Applied by
 * `npm run bench -- --record`, so the choice always rests on the record beside it.
 */
import type { BenchRecord, Summary } from './stats';

/** Mirrors INT8_TOP4_GATE in training/swipe/export.py (a test keeps the two equal). */
export const INT8_TOP4_GATE = 0.3;

export type ModelPart = 'encoder' | 'predictor';

export interface VariantChoice {
  file: string;
  defaultChoice: string;
}

interface ChoiceManifest {
  encoder?: { variants?: Record<string, string> };
  predictor?: { variants?: Record<string, string> };
  export?: { int8?: { top4LossPoints?: unknown } | null; predictorInt8?: { top4LossPoints?: unknown } | null };
}

const PART = {
  encoder: { gate: 'int8', side: 'encoderVariantsMs', timed: 'encoder' },
  predictor: { gate: 'predictorInt8', side: 'predictorVariantsSearchMs', timed: 'search' },
} as const;

const ruleText = (part: ModelPart): string =>
  `INT8 is the default only if its dev top-4 loss is <= ${INT8_TOP4_GATE} points AND it is faster ` +
  `than fp32 at p50 and p95 in headless Chromium (${PART[part].timed} ms side by side, onnxruntime-web WASM, npm run bench -- --record)`;

const ms = (s: Summary): string => s.p50.toFixed(2) + ' / ' + s.p95.toFixed(2);

/**
 * The file of `part` that the record supports, with its reason; null when the record cannot
 * decide (no INT8 variant, no Chromium run with both variants side by side), so model.json is
 * left as it is.
 */
export function chooseVariant(part: ModelPart, manifest: ChoiceManifest, runs: readonly BenchRecord[], date: string): VariantChoice | null {
  const v = manifest[part]?.variants;
  if (!v?.fp32 || !v.int8) return null;
  const side = runs.find((r) => r.where.includes('Chromium'))?.[PART[part].side];
  const f = side?.fp32;
  const q = side?.int8;
  if (!f || !q) return null;
  const raw = manifest.export?.[PART[part].gate]?.top4LossPoints;
  const loss = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
  const accurate = loss !== null && loss <= INT8_TOP4_GATE;
  const faster = q.p50 < f.p50 && q.p95 < f.p95;
  const accuracy = loss === null ? 'INT8 top-4 loss not measured' : `INT8 top-4 loss ${loss} points (${accurate ? 'passed' : 'failed'})`;
  const speed = `Chromium ${PART[part].timed} p50 / p95 INT8 ${ms(q)} vs fp32 ${ms(f)} ms on ${date} (${faster ? 'faster' : 'not faster'})`;
  const int8 = accurate && faster;
  return { file: int8 ? v.int8 : v.fp32, defaultChoice: `${int8 ? 'int8' : 'fp32'}: ${ruleText(part)}; ${accuracy}; ${speed}` };
}

/** model.json `native`: whether the engine's own runtime is the default, with its reason. */
export interface RuntimeChoice {
  default: boolean;
  defaultChoice: string;
}

const RUNTIME_RULE =
  'the engine\'s own WebAssembly runtime (weights.bin) is the default only if it computes the fp32 ONNX ' +
  'function (golden parity, tested) AND a swipe in it is faster end to end than in onnxruntime-web with ' +
  'the default files, at p50 and p95 in headless Chromium (total ms side by side, npm run bench -- --record)';

/** The runtime the record supports; null without native weights or a Chromium run with both side by side. */
export function chooseRuntime(manifest: { native?: unknown }, runs: readonly BenchRecord[], date: string): RuntimeChoice | null {
  if (!manifest.native) return null;
  const side = runs.find((r) => r.where.includes('Chromium'))?.runtimesTotalMs;
  const n = side?.native;
  const o = side?.ort;
  if (!n || !o) return null;
  const faster = n.p50 < o.p50 && n.p95 < o.p95;
  return { default: faster, defaultChoice: `${faster ? 'native' : 'ort'}: ${RUNTIME_RULE}; Chromium total p50 / p95 native ${ms(n)} vs ORT ${ms(o)} ms on ${date} (${faster ? 'faster' : 'not faster'})` };
}
