/**
 * Scores decode predictions against the traces' target words, as training/swipe/evaluate.py:
 * top-1, top-4 (target among the first four), swipe MRR (weights 1, .10, .09, .08 for ranks
 * 1-4, 0 below), overall and per stratum: word length <= 3 vs >= 4; seen in train vs not;
 * in/out of a lexicon (when --lexicon is given). A trace without a prediction is a miss.
 *
 *   npm run score -- --preds preds.jsonl --traces ../shared/data/hws/dev.jsonl.gz
 *                    [--train ../shared/data/hws/train.jsonl.gz | --train ''] [--lexicon lexicon.tsv]
 *                    [--predicted-only]   (score only the traces that have a prediction, e.g. after --limit)
 *
 * Predicted words are compared lowercased with apostrophes removed (HWS targets are lowercase
 * with contractions written "dont"), so the display forms "I" and "don't" count as "i", "dont".
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DATA, parseFlags, readJsonl } from './lib/cli';

const USAGE = readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0] ?? '';
const a = parseFlags(
  process.argv.slice(2),
  { preds: '', traces: resolve(DATA, 'hws/dev.jsonl.gz'), train: resolve(DATA, 'hws/train.jsonl.gz'), lexicon: '', predictedOnly: false },
  USAGE,
);
if (!a.preds) {
  console.error(USAGE);
  process.exit(2);
}

export const MRR_WEIGHTS = [1, 0.1, 0.09, 0.08];
const norm = (w: string): string => w.toLowerCase().replace(/'/g, '');

class Acc {
  n = 0;
  top1 = 0;
  top4 = 0;
  mrr = 0;
  add(words: string[], target: string): void {
    this.n++;
    if (words[0] === target) this.top1++;
    if (words.slice(0, 4).includes(target)) this.top4++;
    const r = words.slice(0, MRR_WEIGHTS.length).indexOf(target);
    if (r >= 0) this.mrr += MRR_WEIGHTS[r] as number;
  }
}

const preds = new Map<string, string[]>();
for await (const p of readJsonl(a.preds)) preds.set(String(p.id), ((p.words as string[]) ?? []).map(norm));
let seen: Set<string> | null = null;
if (a.train) {
  seen = new Set();
  for await (const t of readJsonl(a.train)) seen.add(String(t.word));
}
let lex: Set<string> | null = null;
if (a.lexicon) lex = new Set(readFileSync(a.lexicon, 'utf8').split('\n').map((l) => l.split('\t')[0] as string).filter(Boolean));

const strata = new Map<string, Acc>([['all', new Acc()]]);
let missing = 0;
for await (const t of readJsonl(a.traces)) {
  const target = String(t.word);
  const words = preds.get(String(t.id));
  if (!words) missing++;
  if (!words && a.predictedOnly) continue;
  const keys = ['all', target.length <= 3 ? 'len<=3' : 'len>=4'];
  if (seen) keys.push(seen.has(target) ? 'seen' : 'unseen');
  if (lex) keys.push(lex.has(target) ? 'in-lexicon' : 'out-of-lexicon');
  for (const k of keys) {
    if (!strata.has(k)) strata.set(k, new Acc());
    (strata.get(k) as Acc).add(words ?? [], target);
  }
}
const pct = (x: number, n: number): string => `${((100 * x) / Math.max(n, 1)).toFixed(2)}%`.padStart(9);
console.log(`${'stratum'.padEnd(16)}${'n'.padStart(7)}${'top-1'.padStart(9)}${'top-4'.padStart(9)}${'MRR'.padStart(9)}`);
for (const k of ['all', 'len<=3', 'len>=4', 'seen', 'unseen', 'in-lexicon', 'out-of-lexicon']) {
  const s = strata.get(k);
  if (s) console.log(`${k.padEnd(16)}${String(s.n).padStart(7)}${pct(s.top1, s.n)}${pct(s.top4, s.n)}${pct(s.mrr, s.n)}`);
}
if (missing) console.log(`(${missing} traces had no prediction: ${a.predictedOnly ? 'left out' : 'counted as misses'})`);
