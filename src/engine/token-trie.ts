/**
 * The prefix-trie view the decoders search over: nodes are numbers, edges are MODEL token ids.
 * Both the shipped lexicon and the personal-word trie implement it, and `MergedTrie` joins them,
 * so the search never knows where a word came from (sherpa-onnx ContextGraph idea).
 */

export interface TokenTrie {
  readonly root: number;
  /** child node reached by `token`, or -1 */
  child(node: number, token: number): number;
  /** calls `cb` for each child, in token-id order of the underlying alphabet */
  forEachChild(node: number, cb: (token: number, child: number) => void): void;
  /** best word log prior in the subtree of `node` (lookahead); -Infinity when empty */
  best(node: number): number;
  /** log prior when the path to `node` is a word, else NaN */
  wordPrior(node: number): number;
  /** display form of a word key (`i` → `I`, `dont` → `don't`); the key itself when unmapped */
  display(key: string): string;
}

/**
 * Union of two tries (lexicon + personal). A node is the pair (a, b) of node ids, either -1,
 * packed into one safe integer: (a + 1) * 2^24 + (b + 1). Priors take the max of both sides:
 * personal priors already include their bonus (personal-words.ts).
 */
export class MergedTrie implements TokenTrie {
  private static readonly P = 2 ** 24;
  readonly root: number;

  constructor(
    private readonly a: TokenTrie, // Not owned: the lexicon
    private readonly b: TokenTrie, // Not owned: the personal trie (< 2^24 nodes)
  ) {
    this.root = this.pack(a.root, b.root);
  }

  private pack(x: number, y: number): number {
    return (x + 1) * MergedTrie.P + (y + 1);
  }
  private left(n: number): number {
    return Math.floor(n / MergedTrie.P) - 1;
  }
  private right(n: number): number {
    return (n % MergedTrie.P) - 1;
  }

  child(node: number, token: number): number {
    const x = this.left(node);
    const y = this.right(node);
    const cx = x >= 0 ? this.a.child(x, token) : -1;
    const cy = y >= 0 ? this.b.child(y, token) : -1;
    return cx < 0 && cy < 0 ? -1 : this.pack(cx, cy);
  }

  forEachChild(node: number, cb: (token: number, child: number) => void): void {
    const x = this.left(node);
    const y = this.right(node);
    const seen = new Set<number>();
    if (x >= 0) {
      this.a.forEachChild(x, (t, cx) => {
        seen.add(t);
        cb(t, this.pack(cx, y >= 0 ? this.b.child(y, t) : -1));
      });
    }
    if (y >= 0) {
      this.b.forEachChild(y, (t, cy) => {
        if (!seen.has(t)) cb(t, this.pack(-1, cy));
      });
    }
  }

  best(node: number): number {
    const x = this.left(node);
    const y = this.right(node);
    return Math.max(x >= 0 ? this.a.best(x) : -Infinity, y >= 0 ? this.b.best(y) : -Infinity);
  }

  wordPrior(node: number): number {
    const x = this.left(node);
    const y = this.right(node);
    const pa = x >= 0 ? this.a.wordPrior(x) : NaN;
    const pb = y >= 0 ? this.b.wordPrior(y) : NaN;
    if (Number.isNaN(pa)) return pb;
    if (Number.isNaN(pb)) return pa;
    return Math.max(pa, pb);
  }

  display(key: string): string {
    const d = this.b.display(key);
    return d !== key ? d : this.a.display(key);
  }
}

/** Whether `key` (a string of one-character tokens of `vocab`) is a word of `trie`. */
export function hasWord(trie: TokenTrie, key: string, vocab: readonly string[]): boolean {
  let node = trie.root;
  for (const ch of key) {
    const t = vocab.indexOf(ch);
    node = t < 0 ? -1 : trie.child(node, t);
    if (node < 0) return false;
  }
  return !Number.isNaN(trie.wordPrior(node));
}
