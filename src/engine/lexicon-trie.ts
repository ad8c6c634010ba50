/**
 * Compact lexicon trie: building (from word/log-prior entries), the binary format
 * (lexicon.bin), and loading it back as typed-array views in a few milliseconds.
 *
 * Binary format v2, little-endian, every section 8-byte aligned where it holds 64-bit values:
 *   0  "SWLX" magic            4  u32 version = 2       8  u32 nodeCount
 *  12  u32 wordCount          16  u32 alphabetBytes    20  u32 caseMapBytes
 *  24  u32 source length      28  u32 source FNV-1a    (of the lexicon.tsv bytes it was built
 *                                                       from; 0, 0 when unknown) — lets the engine
 *                                                       use lexicon.bin for a lexicon.tsv only
 *                                                       when it was built from exactly that file
 *  32  f64 best[nodeCount]            best word log prior in the subtree (lookahead), -inf if none
 *      f64 wordEnd[nodeCount]         word log prior, NaN when no word ends here
 *      u32 childStart[nodeCount + 1]  nodes in BFS order: children of node i are the nodes
 *                                     childStart[i] .. childStart[i+1]-1, sorted by label
 *      u8  label[nodeCount]           alphabet index of the edge into the node (root: 255)
 *      alphabet (UTF-8)               the characters, index = label
 *      case map (UTF-8)               "key\tdisplay\n" lines
 * Priors are float64, not float32, so the search ranks exactly like the Python reference
 * (training/BEAM_SEARCH.md ties are decided on these values); 16 bytes a node (~2.5 MB for 50k words).
 * The file length must equal the sum of the sections exactly; any mismatch is lexicon-corrupt.
 *
 * Word keys are lowercase strings over the alphabet; the case map gives what is shown/inserted.
 * Policy (build): "i" and "i'…" display as "I…"; an entry with capitals (e.g. "London") gets key
 * "london" and display "London"; a word with an apostrophe ("don't") is also reachable without
 * it ("dont" → "don't") because layouts have no apostrophe key, unless the apostrophe-less form
 * is itself a word at least as frequent ("well" stays "well"; "we'll" still has its own path);
 * a bare contraction that is no word of its own ("dont", "im") displays as one (contractions.ts).
 */
import { CONTRACTIONS } from './contractions';
import { EngineError } from './errors';
import type { TokenTrie } from './token-trie';

export const LEXICON_MAGIC = 'SWLX';
// 2: same layout as 1, contraction displays in the case map; a v1 file is refused, so the
// engine rebuilds from lexicon.tsv rather than type "dont".
export const LEXICON_VERSION = 2;
export const DEFAULT_ALPHABET = "abcdefghijklmnopqrstuvwxyz'";
const HEADER_BYTES = 32;

export interface LexiconEntry {
  /** as given by the source; may have capitals/apostrophes */
  word: string;
  /** natural-log prior */
  logPrior: number;
}

export interface LexiconData {
  alphabet: string;
  childStart: Uint32Array; // (nodeCount + 1)
  best: Float64Array; // (nodeCount)
  wordEnd: Float64Array; // (nodeCount)
  label: Uint8Array; // (nodeCount)
  caseMap: Map<string, string>;
  wordCount: number;
  /** length and FNV-1a 32 of the source TSV bytes (0, 0 when unknown) */
  source?: { length: number; fnv: number };
}

/** FNV-1a 32-bit: cheap (~2 ms for 1.5 MB), enough to tell "built from this exact file". */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface BuildStats {
  words: number;
  nodes: number;
  skipped: string[];
  folded: number;
}

interface BuildNode {
  kids: Map<number, BuildNode>;
  word: number; // NaN when none
}

/** Lowercase key and the display to keep for it (null = key itself). */
function keyOf(word: string): { key: string; display: string | null } {
  const w = word.normalize('NFC').replace(/\u2019/g, "'");
  const key = w.toLowerCase();
  let display: string | null = w !== key ? w : null;
  if (display === null && (key === 'i' || key.startsWith("i'"))) display = `I${key.slice(1)}`;
  return { key, display };
}

export function buildLexicon(entries: Iterable<LexiconEntry>, alphabet = DEFAULT_ALPHABET): { data: LexiconData; stats: BuildStats } {
  const idx = new Map<string, number>();
  [...alphabet].forEach((ch, i) => idx.set(ch, i));
  if (idx.size > 255) throw new Error('alphabet larger than 255 symbols');
  // key -> [prior, display]
  const words = new Map<string, { prior: number; display: string | null }>();
  const skipped: string[] = [];
  for (const e of entries) {
    const { key, display } = keyOf(e.word);
    if (key.length === 0 || !Number.isFinite(e.logPrior) || [...key].some((ch) => !idx.has(ch))) {
      skipped.push(e.word);
      continue;
    }
    const prev = words.get(key);
    // Duplicate keys ("us"/"US"): the more frequent spelling decides the display.
    if (!prev || e.logPrior > prev.prior) words.set(key, { prior: Math.max(e.logPrior, prev?.prior ?? -Infinity), display });
  }
  // Apostrophe folding: "don't" also under "dont" (see the file comment for the rule).
  let folded = 0;
  for (const [key, w] of [...words]) {
    if (!key.includes("'")) continue;
    const bare = key.replace(/'/g, '');
    if (bare.length === 0) continue;
    const other = words.get(bare);
    if (other && other.prior >= w.prior) continue;
    words.set(bare, { prior: w.prior, display: w.display ?? key });
    folded++;
  }
  // A bare contraction from a list without apostrophes ("dont") types as "don't".
  for (const [key, w] of words) {
    const c = CONTRACTIONS.get(key);
    if (c !== undefined && w.display === null) w.display = c;
  }
  const root: BuildNode = { kids: new Map(), word: NaN };
  const caseMap = new Map<string, string>();
  for (const [key, w] of words) {
    let n = root;
    for (const ch of key) {
      const l = idx.get(ch) as number;
      let k = n.kids.get(l);
      if (!k) {
        k = { kids: new Map(), word: NaN };
        n.kids.set(l, k);
      }
      n = k;
    }
    n.word = w.prior;
    if (w.display !== null && w.display !== key) caseMap.set(key, w.display);
  }
  // BFS numbering: children of a node get consecutive ids, sorted by label.
  const order: BuildNode[] = [root];
  const labels: number[] = [255];
  const childStart: number[] = [];
  for (let i = 0; i < order.length; i++) {
    const n = order[i] as BuildNode;
    childStart.push(order.length);
    for (const l of [...n.kids.keys()].sort((a, b) => a - b)) {
      order.push(n.kids.get(l) as BuildNode);
      labels.push(l);
    }
  }
  childStart.push(order.length);
  const N = order.length;
  const best = new Float64Array(N).fill(-Infinity);
  const wordEnd = new Float64Array(N);
  for (let i = 0; i < N; i++) wordEnd[i] = (order[i] as BuildNode).word;
  // Reverse BFS: every child has a larger id than its parent.
  for (let i = N - 1; i >= 0; i--) {
    let b = Number.isNaN(wordEnd[i] as number) ? -Infinity : (wordEnd[i] as number);
    for (let c = childStart[i] as number; c < (childStart[i + 1] as number); c++) b = Math.max(b, best[c] as number);
    best[i] = b;
  }
  const data: LexiconData = {
    alphabet,
    childStart: Uint32Array.from(childStart),
    best,
    wordEnd,
    label: Uint8Array.from(labels),
    caseMap,
    wordCount: words.size,
  };
  return { data, stats: { words: words.size, nodes: N, skipped, folded } };
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function serializeLexicon(d: LexiconData): Uint8Array {
  const enc = new TextEncoder();
  const alpha = enc.encode(d.alphabet);
  let cm = '';
  for (const [k, v] of d.caseMap) cm += `${k}\t${v}\n`;
  const cmBytes = enc.encode(cm);
  const N = d.label.length;
  const size = HEADER_BYTES + 16 * N + 4 * (N + 1) + N + alpha.length + cmBytes.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set(enc.encode(LEXICON_MAGIC), 0);
  dv.setUint32(4, LEXICON_VERSION, true);
  dv.setUint32(8, N, true);
  dv.setUint32(12, d.wordCount, true);
  dv.setUint32(16, alpha.length, true);
  dv.setUint32(20, cmBytes.length, true);
  dv.setUint32(24, d.source?.length ?? 0, true);
  dv.setUint32(28, d.source?.fnv ?? 0, true);
  let o = HEADER_BYTES;
  for (let i = 0; i < N; i++, o += 8) dv.setFloat64(o, d.best[i] as number, true);
  for (let i = 0; i < N; i++, o += 8) dv.setFloat64(o, d.wordEnd[i] as number, true);
  for (let i = 0; i <= N; i++, o += 4) dv.setUint32(o, d.childStart[i] as number, true);
  out.set(d.label, o);
  o += N;
  out.set(alpha, o);
  o += alpha.length;
  out.set(cmBytes, o);
  return out;
}

function corrupt(why: string): never {
  throw new EngineError('lexicon-corrupt', why);
}

/** Parses lexicon.bin; views share the buffer (zero-copy) when it is aligned and the host is LE. */
export function parseLexicon(bytes: Uint8Array): LexiconData {
  if (!(bytes instanceof Uint8Array)) corrupt('not a byte array');
  if (bytes.length < HEADER_BYTES) corrupt(`file too short (${bytes.length} bytes)`);
  const magic = String.fromCharCode(bytes[0] as number, bytes[1] as number, bytes[2] as number, bytes[3] as number);
  if (magic !== LEXICON_MAGIC) corrupt(`bad magic ${JSON.stringify(magic)}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== LEXICON_VERSION) corrupt(`unsupported version ${version}`);
  const N = dv.getUint32(8, true);
  const wordCount = dv.getUint32(12, true);
  const alphaLen = dv.getUint32(16, true);
  const cmLen = dv.getUint32(20, true);
  if (N < 1) corrupt('no root node');
  const expected = HEADER_BYTES + 16 * N + 4 * (N + 1) + N + alphaLen + cmLen;
  if (expected !== bytes.length) corrupt(`size ${bytes.length} does not match header (${expected})`);
  // Zero-copy views need 8-byte alignment and a little-endian host; otherwise copy through DataView.
  const aligned = littleEndian && bytes.byteOffset % 8 === 0;
  const buf = aligned ? bytes : new Uint8Array(bytes); // copy → offset 0
  const o0 = HEADER_BYTES;
  let childStart: Uint32Array;
  let best: Float64Array;
  let wordEnd: Float64Array;
  if (littleEndian) {
    best = new Float64Array(buf.buffer, buf.byteOffset + o0, N);
    wordEnd = new Float64Array(buf.buffer, buf.byteOffset + o0 + 8 * N, N);
    childStart = new Uint32Array(buf.buffer, buf.byteOffset + o0 + 16 * N, N + 1);
  } else {
    childStart = new Uint32Array(N + 1);
    best = new Float64Array(N);
    wordEnd = new Float64Array(N);
    for (let i = 0; i < N; i++) best[i] = dv.getFloat64(o0 + 8 * i, true);
    for (let i = 0; i < N; i++) wordEnd[i] = dv.getFloat64(o0 + 8 * N + 8 * i, true);
    for (let i = 0; i <= N; i++) childStart[i] = dv.getUint32(o0 + 16 * N + 4 * i, true);
  }
  let o = o0 + 16 * N + 4 * (N + 1);
  const label = buf.subarray(o, o + N);
  o += N;
  const dec = new TextDecoder('utf-8', { fatal: true });
  let alphabet: string;
  let cm: string;
  try {
    alphabet = dec.decode(buf.subarray(o, o + alphaLen));
    cm = dec.decode(buf.subarray(o + alphaLen, o + alphaLen + cmLen));
  } catch {
    corrupt('alphabet or case map is not UTF-8');
  }
  const A = [...alphabet].length;
  if (A === 0 || A > 255) corrupt(`alphabet size ${A}`);
  // Structural checks (linear, < 1 ms for 250k nodes): BFS children ranges are contiguous,
  // increasing and in range, so no lookup can leave the arrays or loop.
  if (childStart[0] !== 1 || childStart[N] !== N) corrupt('child ranges do not cover the nodes');
  for (let i = 0; i < N; i++) {
    const s = childStart[i] as number;
    const e = childStart[i + 1] as number;
    if (e < s || (s <= i && e > s)) corrupt(`bad child range at node ${i}`);
    if (i > 0 && (label[i] as number) >= A) corrupt(`bad label at node ${i}`);
  }
  const caseMap = new Map<string, string>();
  for (const line of cm.split('\n')) {
    if (line.length === 0) continue;
    const tab = line.indexOf('\t');
    if (tab <= 0) corrupt('bad case map line');
    caseMap.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return { alphabet, childStart, best, wordEnd, label, caseMap, wordCount, source: { length: dv.getUint32(24, true), fnv: dv.getUint32(28, true) } };
}

/**
 * A LexiconData seen through model token ids. `vocab` is model.json's token list; alphabet
 * characters missing from the vocab make their subtrees unreachable (counted in `unmapped`).
 */
export class LexiconTrie implements TokenTrie {
  readonly root = 0;
  /** alphabet label -> model token id, -1 when the model has no such token */
  private readonly labelToToken: Int32Array;
  /** model token id -> alphabet label, -1 when none */
  private readonly tokenToLabel: Int32Array;
  readonly unmapped: string[];

  constructor(
    readonly data: LexiconData,
    readonly vocab: readonly string[],
  ) {
    const chars = [...data.alphabet];
    this.labelToToken = new Int32Array(chars.length).fill(-1);
    this.tokenToLabel = new Int32Array(vocab.length).fill(-1);
    this.unmapped = [];
    chars.forEach((ch, l) => {
      const t = vocab.indexOf(ch);
      if (t < 0) this.unmapped.push(ch);
      else {
        this.labelToToken[l] = t;
        this.tokenToLabel[t] = l;
      }
    });
  }

  get nodeCount(): number {
    return this.data.label.length;
  }

  child(node: number, token: number): number {
    const l = this.tokenToLabel[token];
    if (l === undefined || l < 0) return -1;
    const { childStart, label } = this.data;
    const e = childStart[node + 1] as number;
    // Children are sorted by label and few (<= alphabet size): a linear scan beats bisection.
    for (let c = childStart[node] as number; c < e; c++) {
      const cl = label[c] as number;
      if (cl === l) return c;
      if (cl > l) break;
    }
    return -1;
  }

  forEachChild(node: number, cb: (token: number, child: number) => void): void {
    const { childStart, label } = this.data;
    const e = childStart[node + 1] as number;
    for (let c = childStart[node] as number; c < e; c++) {
      const t = this.labelToToken[label[c] as number] as number;
      if (t >= 0) cb(t, c);
    }
  }

  best(node: number): number {
    return this.data.best[node] as number;
  }

  wordPrior(node: number): number {
    return this.data.wordEnd[node] as number;
  }

  display(key: string): string {
    return this.data.caseMap.get(key) ?? key;
  }

  /** Node reached by a word key, or -1 (tests, personal bonus look-ups). */
  find(key: string): number {
    let n = 0;
    for (const ch of key) {
      const t = this.vocab.indexOf(ch);
      if (t < 0) return -1;
      n = this.child(n, t);
      if (n < 0) return -1;
    }
    return n;
  }

  /** Prior of a word key, NaN when not a word. */
  priorOf(key: string): number {
    const n = this.find(key);
    return n < 0 ? NaN : this.wordPrior(n);
  }

  /**
   * Prior of a word as shown or typed ("I", "don't", "London"), NaN when not a word: its
   * lowercase key, else the apostrophe-less key it was folded under (the build's rules).
   */
  priorOfWord(word: string): number {
    const { key } = keyOf(word);
    const p = this.priorOf(key);
    return Number.isNaN(p) && key.includes("'") ? this.priorOf(key.replace(/'/g, '')) : p;
  }
}

/** Parses `word\tvalue` lines. Values > 0 anywhere mean counts (→ ln(count/total)), else log priors. */
export function parseLexiconTsv(text: string): LexiconEntry[] {
  const out: { word: string; v: number }[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.length === 0 || line.startsWith('#')) return;
    const parts = line.split('\t');
    const v = Number(parts[1]);
    if (parts.length < 2 || parts[0] === '' || !Number.isFinite(v)) {
      throw new EngineError('lexicon-corrupt', `line ${i + 1}: expected "word<TAB>number", got ${JSON.stringify(line.slice(0, 60))}`);
    }
    out.push({ word: parts[0] as string, v });
  });
  const counts = out.some((e) => e.v > 0);
  if (!counts) return out.map((e) => ({ word: e.word, logPrior: e.v }));
  const total = out.reduce((s, e) => s + e.v, 0);
  return out.map((e) => ({ word: e.word, logPrior: e.v > 0 ? Math.log(e.v / total) : -Infinity }));
}
