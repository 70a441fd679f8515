/**
 * The counting baseline: a character n-gram language model with interpolated modified Kneser-Ney smoothing.
 *
 * Why Kneser-Ney: Chen and Goodman (1998) found interpolated modified Kneser-Ney the best of the classic smoothing
 * methods. It mixes each order with the next lower one, and the lower orders count in how many different contexts a
 * string occurs (continuation counts) rather than how often. "Modified" = three discounts per order, for counts 1, 2
 * and 3+: with one discount (at most 1) a high-order model cannot shrink enough where contexts are seen only a few
 * times, and loses ~0.16 nats/char on uniform random text at order 10 (see the tests).
 *
 *   p_n(w | h) = (c(h w) - D_n(c(h w)) + (D_n1 N1(h .) + D_n2 N2(h .) + D_n3 N3+(h .)) p_{n-1}(w | h')) / c(h .)
 *
 * h' = h without its first char; Nk(h .) = next chars seen k times after h; raw counts c at the top order and
 * continuation counts N1+(. h w) below it; p_0 = 1 / V; a context never seen leaves the lower-order estimate as it
 * is. Discounts come from the counts of counts (Chen and Goodman's estimates) or are fitted on held-out text with
 * tuneDiscounts(). Losses are nats per character, like the RNN's.
 */
import { CharRNNError } from '../errors';
import { Ids, SubstringCounts } from './substrings';

export const MAX_ORDER = 20;

/** Mean loss over a text. */
export interface Loss {
  chars: number;
  /** Mean -ln p(next char), nats per character. */
  nats: number;
  /** The same in bits per character. */
  bpc: number;
}

// Numbers per context level written by levels(): c(h w), N1(h .), N2(h .), N3+(h .), c(h .).
const LEVEL = 5;

export class NGramModel {
  /** n: the model predicts a char from the n - 1 chars before it. */
  readonly order: number;
  readonly vocabSize: number;
  readonly counts: SubstringCounts;
  /** discount[3 * n + i] for n-grams of length n = 1..order seen i + 1 = 1, 2, 3+ times; at most i + 1. */
  readonly discount: Float64Array;

  /**
   * Counts the training text `ids` (char ids < vocabSize) for an n-gram model of the given order. The counts may
   * take at most maxBytes (default half the machine's memory); War and Peace at order 20 takes ~300 MB.
   */
  constructor(ids: Ids, vocabSize: number, order: number, opts: { maxBytes?: number } = {}) {
    if (!Number.isInteger(order) || order < 1 || order > MAX_ORDER) {
      throw new CharRNNError(`n-gram order must be a whole number from 1 to ${MAX_ORDER}, got ${order}`);
    }
    if (ids.length === 0) throw new CharRNNError('the n-gram training text is empty');
    for (let i = 0; i < ids.length; i++) {
      if (!(ids[i] >= 0 && ids[i] < vocabSize))
        throw new CharRNNError(`char id ${ids[i]} at ${i} is outside the vocabulary (size ${vocabSize})`);
    }
    this.order = order;
    this.vocabSize = vocabSize;
    this.counts = new SubstringCounts(ids, order, opts.maxBytes);
    const nc = this.counts.countsOfCounts();
    this.discount = new Float64Array(3 * (order + 1));
    for (let n = 1; n <= order; n++) {
      const [n1, n2, n3, n4] = nc.subarray(4 * n, 4 * n + 4);
      const y = n1 + 2 * n2 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
      const estimates = [
        n1 > 0 ? 1 - (2 * y * n2) / n1 : 0.5,
        n2 > 0 ? 2 - (3 * y * n3) / n2 : 1,
        n3 > 0 ? 3 - (4 * y * n4) / n3 : 1.5,
      ];
      estimates.forEach((d, i) => (this.discount[3 * n + i] = Math.min(i + 1, Math.max(0.1, d))));
    }
  }

  /** p(w | ids[end - order + 1 .. end - 1]): the probability of char w after the text ids[0 .. end - 1]. */
  prob(ids: Ids, end: number, w: number): number {
    const levels = new Int32Array(LEVEL * this.order);
    const n = this.levels(ids, end, w, levels, 0);
    return this.interpolate(levels, 0, n, this.discount, 0, 1 / this.vocabSize);
  }

  /** The next-char distribution after `context`: [V], sums to 1. */
  distribution(context: Ids): Float64Array {
    const out = new Float64Array(this.vocabSize);
    for (let w = 0; w < this.vocabSize; w++) out[w] = this.prob(context, context.length, w);
    return out;
  }

  /** Mean loss of predicting every char of `ids` from the ones before it (the first from none). */
  loss(ids: Ids): Loss {
    let nats = 0;
    for (let t = 0; t < ids.length; t++) nats -= Math.log(this.prob(ids, t, ids[t]));
    const mean = ids.length ? nats / ids.length : NaN;
    return { chars: ids.length, nats: mean, bpc: mean / Math.LN2 };
  }

  /**
   * Sets the discounts that minimise the loss on held-out text (the validation split): one discount at a time by
   * golden-section search over [0.02, its maximum], orders from low to high. The counts are read once;
   * a trial only redoes the arithmetic of orders >= n, over the chars whose context reaches order n, starting from
   * the kept estimate of order n - 1.
   */
  tuneDiscounts(heldOut: Ids): void {
    const stride = LEVEL * this.order;
    const levels = new Int32Array(heldOut.length * stride);
    const depth = new Uint8Array(heldOut.length);
    for (let t = 0; t < heldOut.length; t++) depth[t] = this.levels(heldOut, t, heldOut[t], levels, t * stride);
    const d = Float64Array.from(this.discount);
    const below = new Float64Array(heldOut.length); // p_{n-1}(char t)
    const loss = (n: number) => {
      let sum = 0;
      for (let t = 0; t < heldOut.length; t++) {
        if (depth[t] >= n) sum -= Math.log(this.interpolate(levels, t * stride, depth[t], d, n - 1, below[t]));
      }
      return sum;
    };
    const phi = (Math.sqrt(5) - 1) / 2;
    below.fill(1 / this.vocabSize);
    for (let n = 1; n <= this.order; n++) {
      for (let j = 3 * n; j < 3 * n + 3; j++) {
        // Golden-section search: keep a < b inside [lo, hi], drop the side beyond the worse of the two.
        const at = (x: number) => ((d[j] = x), loss(n));
        let [lo, hi] = [0.02, j - 3 * n + 1];
        let [a, b] = [hi - phi * (hi - lo), lo + phi * (hi - lo)];
        let [la, lb] = [at(a), at(b)];
        for (let i = 0; i < 14; i++) {
          if (la < lb) {
            [hi, b, lb] = [b, a, la];
            a = hi - phi * (hi - lo);
            la = at(a);
          } else {
            [lo, a, la] = [a, b, lb];
            b = lo + phi * (hi - lo);
            lb = at(b);
          }
        }
        d[j] = la < lb ? a : b;
      }
      for (let t = 0; t < heldOut.length; t++)
        if (depth[t] >= n) below[t] = this.interpolate(levels, t * stride, n, d, n - 1, below[t]);
    }
    this.discount.set(d);
  }

  /**
   * Writes LEVEL numbers for each context h of length 0, 1, ... of char w at `end` into out[at ..]. Returns how
   * many contexts were seen (longer ones add nothing).
   */
  private levels(ids: Ids, end: number, w: number, out: Int32Array, at: number): number {
    const counts = this.counts;
    let k = 0;
    for (; k <= Math.min(this.order - 1, end); k++) {
      const h = counts.find(ids, end - k, end); // context of length k
      if (h < 0) break;
      const top = k === this.order - 1;
      const total = top ? counts.contextCount(h, k) : counts.continuationSum(h, k);
      if (total === 0) break;
      const hw = counts.step(h, k, w);
      const o = at + LEVEL * k;
      out[o] = hw < 0 ? 0 : top ? counts.occurrences(hw) : counts.continuations(hw);
      counts.nextCounts(h, k, out, o + 1);
      out[o + 4] = total;
    }
    return k;
  }

  /** The Kneser-Ney recursion with discounts d over levels from..n-1 written by levels(), from p = p_from. */
  private interpolate(levels: Int32Array, at: number, n: number, d: Float64Array, from: number, p: number): number {
    for (let k = from; k < n; k++) {
      const o = at + LEVEL * k;
      const j = 3 * (k + 1);
      const c = levels[o];
      const own = c === 0 ? 0 : c - d[j + Math.min(c, 3) - 1];
      const backoff = d[j] * levels[o + 1] + d[j + 1] * levels[o + 2] + d[j + 2] * levels[o + 3];
      p = (own + backoff * p) / levels[o + 4];
    }
    return p;
  }
}
