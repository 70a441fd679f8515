/**
 * Counts of every substring of length 1..maxLen of a text, with the Kneser-Ney "continuation" counts,
 * in a compressed trie stored in flat typed arrays. The n-gram model (ngram.ts) reads its statistics here.
 *
 * Why hand-written: a 20-gram over War and Peace has ~34M distinct substrings of length <= 20, past what a JS Map
 * holds (2^24 entries) and far past what it holds comfortably. Two things keep it small:
 * - nodes live in typed arrays (~35 bytes each) found through one open-addressing hash table on (parent, char);
 * - a substring seen once is not expanded: a "leaf" node stands for the chain of all its extensions, which are
 *   read from the text at its one position `leafPos` (as in a suffix tree). Only ~4M substrings of War and Peace
 *   repeat, so a 20-gram trie of its train split has ~6M nodes instead of ~34M.
 *
 * A place in the trie is a pair (node, depth): an inner node at its own depth, or a leaf node at any depth from its
 * own to the end of its chain, standing for text[leafPos .. leafPos + depth - 1].
 */
import * as os from 'node:os';
import { CharRNNError } from '../errors';

/** Ids of a text, one per character. */
export type Ids = ArrayLike<number>;

export class SubstringCounts {
  readonly text: Ids;
  readonly maxLen: number;
  /** The typed arrays may not grow past this many bytes. */
  readonly maxBytes: number;
  /** Number of nodes, the root (node 0, the empty string) included. */
  size = 1;
  // Per node, indexed by node id.
  parent: Int32Array;
  char: Uint16Array;
  depth: Uint8Array;
  /** Occurrences (inner nodes; a leaf's substring occurs once). */
  count: Int32Array;
  /** Start of the one occurrence for a leaf, -1 for an inner node. */
  leafPos: Int32Array;
  /** Number of distinct previous characters N1+(. s). */
  cont: Uint16Array;
  /** Sum over next characters x of cont(s x) = N1+(. s .). */
  contSum: Int32Array;
  /**
   * Next characters x whose count of s x is 1, 2, 3 or more, where the count is the occurrence count for contexts
   * of length maxLen - 1 (the top order of the n-gram model) and the continuation count for shorter ones.
   */
  next1: Uint16Array;
  next2: Uint16Array;
  next3: Uint16Array;
  // Hash table of node id + 1 (0 = empty slot), keyed by (parent, char); its size is 2 x the node capacity.
  private table: Int32Array;
  /** endNode[d]: the place of text[len-d .. len-1], the one occurrence of its substring not followed by a char. */
  private endNode: Int32Array;

  /** Counts the substrings of `text` up to length maxLen; maxBytes defaults to half the machine's memory. */
  constructor(text: Ids, maxLen: number, maxBytes = os.totalmem() / 2) {
    if (!(maxLen >= 1 && maxLen <= 255)) throw new CharRNNError(`substring length must be 1..255, got ${maxLen}`);
    this.text = text;
    this.maxLen = maxLen;
    this.maxBytes = maxBytes;
    const cap = 1024;
    this.parent = new Int32Array(cap);
    this.char = new Uint16Array(cap);
    this.depth = new Uint8Array(cap);
    this.count = new Int32Array(cap);
    this.leafPos = new Int32Array(cap);
    this.cont = new Uint16Array(cap);
    this.contSum = new Int32Array(cap);
    this.next1 = new Uint16Array(cap);
    this.next2 = new Uint16Array(cap);
    this.next3 = new Uint16Array(cap);
    this.table = new Int32Array(2 * cap);
    this.leafPos[0] = -1;
    for (let i = 0; i < text.length; i++) {
      if (text[i] > 0xffff) throw new CharRNNError('n-gram counts support vocabularies of at most 65536 characters');
      this.insert(i);
    }
    this.endNode = new Int32Array(maxLen + 1).fill(-1);
    for (let d = 1; d <= Math.min(maxLen, text.length); d++)
      this.endNode[d] = this.find(text, text.length - d, text.length);
    this.countContinuations();
  }

  /** Bytes held by the typed arrays. */
  get bytes(): number {
    const arrays = [
      this.parent,
      this.char,
      this.depth,
      this.count,
      this.leafPos,
      this.cont,
      this.contSum,
      this.next1,
      this.next2,
      this.next3,
      this.table,
    ];
    return arrays.reduce((sum, a) => sum + a.byteLength, 0);
  }

  /** Child of inner node `node` by char `c`, or -1. */
  lookup(node: number, c: number): number {
    const mask = this.table.length - 1;
    for (let slot = hash(node, c) & mask; ; slot = (slot + 1) & mask) {
      const v = this.table[slot] - 1;
      if (v < 0) return -1;
      if (this.parent[v] === node && this.char[v] === c) return v;
    }
  }

  /** One char down from place (node, d): the node of the longer substring, or -1 when it never occurs. */
  step(node: number, d: number, c: number): number {
    const p = this.leafPos[node];
    if (p < 0) return this.lookup(node, c);
    return d < this.maxLen && p + d < this.text.length && this.text[p + d] === c ? node : -1;
  }

  /** The node of substring ids[from .. to-1] (its place is (node, to - from)), or -1 when it never occurs. */
  find(ids: Ids, from: number, to: number): number {
    let node = 0;
    for (let d = 0; d < to - from && node >= 0; d++) node = this.step(node, d, ids[from + d]);
    return node;
  }

  /** Occurrences of the substring at place (node, d). */
  occurrences(node: number): number {
    return this.leafPos[node] < 0 ? this.count[node] : 1;
  }

  /** Occurrences followed by a character (the count of the substring as a context). */
  contextCount(node: number, d: number): number {
    const p = this.leafPos[node];
    if (p >= 0) return d < this.maxLen && p + d < this.text.length ? 1 : 0;
    return this.count[node] - (this.endNode[d] === node ? 1 : 0);
  }

  /** Distinct previous characters N1+(. s). */
  continuations(node: number): number {
    return this.leafPos[node] < 0 ? this.cont[node] : this.leafPos[node] > 0 ? 1 : 0;
  }

  /** N1+(. s .): the sum over next chars x of continuations(s x). */
  continuationSum(node: number, d: number): number {
    return this.leafPos[node] < 0 ? this.contSum[node] : this.leafLeftAndRight(node, d);
  }

  /** Next chars x of the context at (node, d) whose count (see next1) is 1, 2 or 3 and more: [3]. */
  nextCounts(node: number, d: number, out: Int32Array, at: number): void {
    if (this.leafPos[node] < 0) {
      out[at] = this.next1[node];
      out[at + 1] = this.next2[node];
      out[at + 2] = this.next3[node];
      return;
    }
    // A once-seen context has one next char, seen once, with a previous char when the position is not 0.
    out[at] = d === this.maxLen - 1 ? this.contextCount(node, d) : this.leafLeftAndRight(node, d);
    out[at + 1] = out[at + 2] = 0;
  }

  // The continuation count of the one next char of a once-seen substring.
  private leafLeftAndRight(node: number, d: number): number {
    return this.leafPos[node] > 0 ? this.contextCount(node, d) : 0;
  }

  /** Adds the occurrences starting at position i of the substrings of length 1..maxLen. */
  private insert(i: number): void {
    const text = this.text;
    const len = Math.min(this.maxLen, text.length - i);
    let u = 0;
    this.count[0]++;
    for (let d = 0; d < len; d++) {
      const c = text[i + d];
      const v = this.lookup(u, c);
      if (v < 0) {
        this.addNode(u, c, d + 1, i);
        return;
      }
      if (this.leafPos[v] >= 0) this.split(v);
      this.count[v]++;
      u = v;
    }
  }

  /** Turns leaf v into an inner node (count 1) whose one child continues its old occurrence. */
  private split(v: number): void {
    const p = this.leafPos[v];
    const d = this.depth[v];
    this.leafPos[v] = -1;
    if (d < this.maxLen && p + d < this.text.length) this.addNode(v, this.text[p + d], d + 1, p);
  }

  private addNode(parent: number, c: number, depth: number, leafPos: number): void {
    if (this.size === this.parent.length) this.grow();
    const v = this.size++;
    this.parent[v] = parent;
    this.char[v] = c;
    this.depth[v] = depth;
    this.count[v] = 1;
    this.leafPos[v] = leafPos;
    const mask = this.table.length - 1;
    let slot = hash(parent, c) & mask;
    while (this.table[slot] !== 0) slot = (slot + 1) & mask;
    this.table[slot] = v + 1;
  }

  private grow(): void {
    if (2 * this.bytes > this.maxBytes) {
      throw new CharRNNError(
        `counting the ${this.maxLen}-grams of ${this.text.length.toLocaleString('en-US')} chars needs more than ` +
          `${(this.maxBytes / 2 ** 20).toFixed(0)} MiB; use a lower order or a shorter text`,
      );
    }
    const cap = 2 * this.parent.length;
    const bigger = <A extends Int32Array | Uint16Array | Uint8Array>(a: A): A => {
      const b = new (a.constructor as new (n: number) => A)(cap);
      b.set(a);
      return b;
    };
    this.parent = bigger(this.parent);
    this.char = bigger(this.char);
    this.depth = bigger(this.depth);
    this.count = bigger(this.count);
    this.leafPos = bigger(this.leafPos);
    this.cont = bigger(this.cont);
    this.contSum = bigger(this.contSum);
    this.next1 = bigger(this.next1);
    this.next2 = bigger(this.next2);
    this.next3 = bigger(this.next3);
    this.table = new Int32Array(2 * cap);
    const mask = this.table.length - 1;
    for (let v = 1; v < this.size; v++) {
      let slot = hash(this.parent[v], this.char[v]) & mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & mask;
      this.table[slot] = v + 1;
    }
  }

  /**
   * Fills cont, contSum and next1..3. Every distinct substring a s adds 1 to cont(s). The positions are walked
   * from the end so that walk i + 1 (whose depth-(k-1) place is s for the substring a s at depth k of walk i) is at
   * hand. An inner node is counted the first time a walk meets it; a leaf's chain is met by its one walk. Chain
   * substrings s (seen once) are skipped: their continuation counts follow from their position.
   */
  private countContinuations(): void {
    const text = this.text;
    const n = text.length;
    const seen = new Uint8Array(this.size);
    let walk = new Int32Array(this.maxLen + 1);
    let next = new Int32Array(this.maxLen + 1); // walk of position i + 1; next[0] = root
    for (let i = n - 1; i >= 0; i--) {
      const len = Math.min(this.maxLen, n - i);
      walk[0] = 0;
      for (let k = 1; k <= len; k++) {
        const y = (walk[k] = this.step(walk[k - 1], k - 1, text[i + k - 1]));
        const s = next[k - 1];
        if (this.leafPos[s] >= 0) continue;
        if (this.leafPos[y] < 0) {
          if (seen[y]) continue;
          seen[y] = 1;
        }
        this.cont[s]++;
      }
      [walk, next] = [next, walk];
    }
    for (let v = 1; v < this.size; v++) {
      const u = this.parent[v];
      this.contSum[u] += this.continuations(v);
      const c = this.depth[u] === this.maxLen - 1 ? this.occurrences(v) : this.continuations(v);
      if (c === 1) this.next1[u]++;
      else if (c === 2) this.next2[u]++;
      else if (c >= 3) this.next3[u]++;
    }
  }

  /**
   * Counts of counts, for the discounts: nc[4 * n + c - 1] = how many substrings of length n have count c = 1..4,
   * where the count is the occurrence count for n = maxLen and the continuation count below it.
   */
  countsOfCounts(): Float64Array {
    const nc = new Float64Array(4 * (this.maxLen + 1));
    for (let v = 1; v < this.size; v++) {
      const p = this.leafPos[v];
      if (p >= 0) {
        // The chain: lengths depth[v] .. end, each seen once, with one previous char when p > 0.
        const end = Math.min(this.maxLen, this.text.length - p);
        for (let d = this.depth[v]; d <= end; d++) if (d === this.maxLen || p > 0) nc[4 * d]++;
        continue;
      }
      const d = this.depth[v];
      const c = d === this.maxLen ? this.count[v] : this.cont[v];
      if (c >= 1 && c <= 4) nc[4 * d + c - 1]++;
    }
    return nc;
  }
}

/** Mixes (parent, char) into 32 bits whose low bits are all usable as a slot index. */
function hash(parent: number, c: number): number {
  let h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(c + 1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return h ^ (h >>> 16);
}
