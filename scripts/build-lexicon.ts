/**
 * Builds the binary lexicon trie (src/engine/lexicon-trie.ts format) from a `word\tvalue` TSV:
 * values are log priors (lexicon.tsv written by training/swipe/lexicon.py, the single source of
 * truth) or counts (e.g. shared/data/lexicon/en-words.tsv, turned into ln(count / total)).
 *
 *   npm run build-lexicon -- [--in public/models/swipe-v1/lexicon.tsv] [--out .../lexicon.bin]
 *                            [--model DIR] [--top N]
 *
 * Defaults: --in = <model>/lexicon.tsv, --out = same folder, lexicon.bin. --top keeps the N most
 * probable entries (0 = all). The header records the TSV's length and FNV-1a hash, so the engine
 * uses lexicon.bin in place of model.json's lexicon.tsv only while it matches. Prints word/node counts, apostrophe folds and the load time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildLexicon, fnv1a, LexiconTrie, parseLexicon, parseLexiconTsv, serializeLexicon } from '../src/engine/lexicon-trie';
import { defaultModelDir, fail, parseFlags } from './lib/cli';

const USAGE = readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0] ?? '';
const a = parseFlags(process.argv.slice(2), { in: '', out: '', model: '', top: 0 }, USAGE);
const input = a.in || resolve(a.model || defaultModelDir(), 'lexicon.tsv');
const out = a.out || resolve(dirname(input), 'lexicon.bin');

const source = new Uint8Array(readFileSync(input));
let entries;
try {
  entries = parseLexiconTsv(new TextDecoder().decode(source));
} catch (e) {
  fail(`${input}: ${e instanceof Error ? e.message : String(e)}`);
}
if (a.top > 0) entries = entries.sort((x, y) => y.logPrior - x.logPrior).slice(0, a.top);
const { data, stats } = buildLexicon(entries);
// Recorded so the engine uses this .bin for that .tsv only while they match (--top changes content).
if (a.top === 0) data.source = { length: source.length, fnv: fnv1a(source) };
const bytes = serializeLexicon(data);
writeFileSync(out, bytes);
const t0 = performance.now();
const trie = new LexiconTrie(parseLexicon(new Uint8Array(readFileSync(out))), [...data.alphabet]);
const ms = performance.now() - t0;
console.log(
  `${out}: ${stats.words} words (${stats.folded} apostrophe folds, ${data.caseMap.size} case-map entries, ` +
    `${stats.skipped.length} skipped${stats.skipped.length ? `: ${stats.skipped.slice(0, 5).join(' ')}…` : ''}), ` +
    `${stats.nodes} nodes, ${(bytes.length / 1e6).toFixed(2)} MB; read+parse ${ms.toFixed(1)} ms (root best ${trie.best(0).toFixed(3)})`,
);
