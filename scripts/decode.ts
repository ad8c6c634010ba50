/**
 * Decodes swipe traces with the engine exactly as the extension does (src/engine + onnxruntime-web
 * WASM) and writes one JSON line per trace: {"id", "words": [best, ...], "ms"}.
 *
 *   npm run decode -- --in traces.jsonl[.gz] --out preds.jsonl [--model DIR] [--beam N] [--topk K]
 *                     [--variant fp32|int8] [--predictor-variant fp32|int8] [--lexicon FILE]
 *                     [--greedy] [--limit N] [--threads N] [--runtime native|ort]
 *                     [--margin NATS]   (opt-in score-margin pruning, not in BEAM_SEARCH.md; 0 = off)
 *                     [--floor NATS|off] (beam-floor margin, BEAM_SEARCH.md v3; default model.json's)
 *                     [--no-rescore]    (skip model.json's rescoring and reranking: BEAM_SEARCH.md v3)
 *                     [--no-rerank]     (the geometric rescoring even where model.json has a reranker: v4)
 *                     [--warmup]        (engine.warmup() and the prefix cache filled as the extension's host does)
 *                     [--scores]        (each line also has "scores": the words' final scores, for offline analysis)
 *
 * Traces are in the shared format (shared/data/README.md); a "word" field is ignored. A trace the
 * engine rejects (empty, bad size) gets "words": [] and an "error" code. --model defaults to
 * public/models/swipe-v1 (or the only model folder); --lexicon names a file in the model folder
 * (e.g. lexicon.bin from npm run build-lexicon) instead of model.json's. ms = features + encoder
 * + search of that trace.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultModelDir, fail, floorOption, parseFlags, readJsonl } from './lib/cli';
import { nodeEngine, ortInfo } from './lib/node-engine';
import { warmEngine } from './lib/warm-engine';

const USAGE = readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0] ?? '';
const a = parseFlags(
  process.argv.slice(2),
  { in: '', out: '', model: '', beam: 0, topk: 0, variant: '', predictorVariant: '', lexicon: '', greedy: false, limit: 0, threads: 1, margin: 0, floor: '', noRescore: false, noRerank: false, warmup: false, scores: false, runtime: '' },
  USAGE,
);
if (!a.in || !a.out) {
  console.error(USAGE);
  process.exit(2);
}
const dir = a.model ? resolve(a.model) : defaultModelDir();
if (a.runtime !== '' && a.runtime !== 'native' && a.runtime !== 'ort') fail(`--runtime ${a.runtime}: native or ort`);
const engine = await nodeEngine(dir, { variant: a.variant, predictorVariant: a.predictorVariant, lexicon: a.lexicon, threads: a.threads, runtime: a.runtime });
if (a.warmup) await warmEngine(engine);
const opts = { ...(a.beam ? { beam: a.beam } : {}), ...(a.margin ? { scoreMargin: a.margin } : {}), ...floorOption(a.floor), ...(a.topk ? { topK: a.topk } : {}), ...(a.noRescore ? { rescore: false } : {}), ...(a.noRerank ? { rerank: false } : {}), mode: a.greedy ? ('greedy' as const) : ('beam' as const) };
const out = createWriteStream(a.out);
let n = 0;
let totalMs = 0;
const t0 = performance.now();
for await (const tr of readJsonl(a.in)) {
  if (a.limit && n >= a.limit) break;
  const r = await engine.tryDecode(tr as never, opts);
  const line = r.ok
    ? {
        id: tr.id,
        words: r.words.map((w) => w.word),
        ...(a.scores ? { scores: r.words.map((w) => Math.round(w.score * 1e6) / 1e6) } : {}),
        ms: Math.round(r.timings.totalMs * 1000) / 1000,
      }
    : { id: tr.id, words: [], ms: 0, error: r.code };
  if (r.ok) totalMs += r.timings.totalMs;
  out.write(`${JSON.stringify(line)}\n`);
  n++;
  if (n % 500 === 0) process.stderr.write(`${n} traces, ${(totalMs / n).toFixed(1)} ms/trace\n`);
}
await new Promise<void>((res) => out.end(res));
const info = ortInfo();
console.error(
  `decoded ${n} traces with ${engine.manifest.name} (${dir}; runtime ${engine.runtime}${engine.runtime === 'ort' ? `, encoder ${a.variant || 'default'}, predictor ${a.predictorVariant || 'default'}` : ''}), beam ${opts.beam ?? engine.manifest.decoding.beam}, ` +
    `${(totalMs / Math.max(n, 1)).toFixed(1)} ms/trace, ${((performance.now() - t0) / 1000).toFixed(1)} s${engine.runtime === 'ort' ? `; ORT web ${info.version}, ${info.threads} thread(s)` : ''} -> ${a.out}`,
);
await engine.release();
