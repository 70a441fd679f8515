import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';
import { DEFAULT_SAMPLING } from '@charrnn/schema';
import { Rng } from '../rng';
import { CharRNN, RNNState, disposeState } from '../model/charrnn';
import { chooseSampler } from '../engine/choose';
import type { Engine, EngineChoice } from '../engine/contract';
import { Vocab, showChars } from '../text/vocab';

export interface SampleOptions {
  /** Characters to generate (not counting the prime text). Default 200. */
  length?: number;
  /** Softmax temperature; <= 0 or `argmax` picks the most likely char every step. Default 1. */
  temperature?: number;
  argmax?: boolean;
  /** Keep only the k most likely chars before sampling (0 = all). */
  topK?: number;
  /** Text the model reads first; the samples continue it. */
  prime?: string;
  /** Drop prime chars outside the vocabulary instead of throwing. */
  dropUnknown?: boolean;
  /** Same seed, same text. Default 1. */
  seed?: number;
  /** Number of samples drawn at once, as one batch. Default 1. */
  count?: number;
  /**
   * Beam search instead of drawing: keep the `beam` most likely continuations (by total log-probability at the
   * temperature, within top-k) at every step; sampleTexts returns them best first (`count` plays no part), sample
   * the best. No randomness. 0 (the default) draws at random.
   */
  beam?: number;
  /** The engine that runs the model: a choice (default 'auto', as chooseEngine decides) or an engine already chosen. */
  engine?: EngineChoice | Engine;
  /** Called with each new char of each sample as it is drawn (with `beam`: once at the end, each whole continuation). */
  onChar?: (ch: string, sample: number) => void;
}

/** Draws one id from probabilities `p` (length V) with temperature already applied. */
function draw(p: Float32Array, offset: number, V: number, rng: Rng): number {
  let u = rng.next();
  for (let i = 0; i < V; i++) {
    u -= p[offset + i];
    if (u < 0) return i;
  }
  // Rounding left a sliver of mass: take the last char with any probability.
  for (let i = V - 1; i > 0; i--) if (p[offset + i] > 0) return i;
  return 0;
}

/** The smallest logit among the top k of `row` (-Infinity when k is 0 or the whole vocabulary). */
function topKCut(row: Float32Array, topK: number): number {
  return topK > 0 && topK < row.length ? Float32Array.from(row).sort()[row.length - topK] : -Infinity;
}

/**
 * Turns logits [B, V] into next-char probabilities with temperature and top-k, on the host, into `p`: V is small
 * and we read the values anyway to draw, so one sync per step is the whole cost. Plain loops, no allocation:
 * at batch 1 this runs once per character.
 */
function probabilities(
  logits: Float32Array,
  B: number,
  V: number,
  temperature: number,
  topK: number,
  p: Float32Array,
): void {
  for (let b = 0; b < B; b++) {
    const row = logits.subarray(b * V, (b + 1) * V);
    const cut = topKCut(row, topK);
    let max = -Infinity;
    for (let i = 0; i < V; i++) if (row[i] > max) max = row[i];
    let sum = 0;
    for (let i = 0; i < V; i++) {
      const e = row[i] >= cut ? Math.exp((row[i] - max) / temperature) : 0;
      p[b * V + i] = e;
      sum += e;
    }
    for (let i = 0; i < V; i++) p[b * V + i] /= sum;
  }
}

function argmaxRow(logits: Float32Array, offset: number, V: number): number {
  let best = 0;
  for (let i = 1; i < V; i++) if (logits[offset + i] > logits[offset + best]) best = i;
  return best;
}

/** Runs the model one char at a time over a batch, keeping its state and the latest logits [B, V] on the host. */
class Stepper {
  state: RNNState;
  logits = new Float32Array(0);
  private readonly step: Engine['step'];

  constructor(
    private readonly model: CharRNN,
    engine: EngineChoice | Engine | undefined,
    B: number,
  ) {
    this.step = chooseSampler(model, engine, B).step;
    this.state = model.zeroState(B);
  }

  feed(ids: Int32Array): void {
    const r = this.step(this.model, ids, this.state);
    disposeState(this.state);
    this.state = r.state;
    this.logits = r.logits.dataSync() as Float32Array;
    r.logits.dispose();
  }

  /** Row i of the batch continues from row parents[i]'s state (beam search keeps some rows, twice or more). */
  reorder(parents: number[]): void {
    const index = tf.tensor1d(parents, 'int32');
    const gather = (t: tf.Tensor2D) => tf.gather(t, index);
    const next = { h: this.state.h.map(gather), ...(this.state.c ? { c: this.state.c.map(gather) } : {}) };
    index.dispose();
    disposeState(this.state);
    this.state = next;
  }

  dispose(): void {
    disposeState(this.state);
  }
}

/**
 * Checks the prime text against the vocabulary: a clear error naming unknown chars and how to drop them (`how`, for
 * the caller's own switch), or drops them.
 */
export function preparePrime(
  vocab: Vocab,
  prime: string,
  dropUnknown = false,
  how = 'drop them with dropUnknown / --drop-unknown',
): string {
  const unknown = vocab.unknownChars(prime);
  if (unknown.length === 0) return prime;
  if (!dropUnknown)
    throw new CharRNNError(
      `prime text has characters that are not in the model's vocabulary: ${showChars(unknown)} (${how})`,
    );
  const bad = new Set(unknown);
  return [...prime].filter((ch) => !bad.has(ch)).join('');
}

/**
 * Samples `count` texts from a model at once. Without a prime text the model starts after a newline when the
 * vocabulary has one (names, lines of verse), else from a random char. Runs on a CPU engine; sampleTextsAsync also
 * samples on the GPU.
 */
export function sampleTexts(model: CharRNN, vocab: Vocab, opts: SampleOptions = {}): string[] {
  if (opts.beam) return beamSearch(model, vocab, opts).map((b) => b.text);
  const draw = drawing(vocab, opts);
  const rnn = new Stepper(model, opts.engine, countOf(opts));
  try {
    let next = draw.next();
    while (!next.done) {
      rnn.feed(next.value);
      next = draw.next(rnn.logits);
    }
    return next.value;
  } finally {
    rnn.dispose();
  }
}

/**
 * sampleTexts, on the GPU where the chooser says so (chooseSampler: WebGPU on a hardware adapter from 32 streams
 * at once, or --engine webgpu): the streams' state stays on the GPU and each char costs one command buffer and one
 * read-back of the logits. Elsewhere, and for beam search, the same as sampleTexts. Same seed, same texts as
 * sampleTexts to float tolerance.
 */
export async function sampleTextsAsync(model: CharRNN, vocab: Vocab, opts: SampleOptions = {}): Promise<string[]> {
  const device = chooseSampler(model, opts.engine, countOf(opts)).device;
  if (opts.beam || !device) return sampleTexts(model, vocab, opts);
  const draw = drawing(vocab, opts);
  const rnn = await device.stepper(model, countOf(opts));
  try {
    let next = draw.next();
    while (!next.done) next = draw.next(await rnn.step(next.value));
    return next.value;
  } finally {
    rnn.dispose();
  }
}

function countOf(opts: SampleOptions): number {
  const B = opts.count ?? 1;
  if (!Number.isInteger(B) || B < 1) throw new CharRNNError(`count must be a whole number >= 1, got ${B}`);
  return B;
}

/**
 * Drawing `count` texts, as a generator whatever runs the model: it yields the char ids [B] to feed, and is resumed
 * with the next-char logits [B, V] after them; it returns the texts.
 */
function* drawing(vocab: Vocab, opts: SampleOptions): Generator<Int32Array, string[], Float32Array> {
  const { length, temperature, topK } = checkOptions(opts);
  const B = countOf(opts);
  const greedy = isGreedy(opts, temperature);
  const rng = new Rng(opts.seed ?? DEFAULT_SAMPLING.seed);
  const V = vocab.size;
  const { prime, start, shown } = startText(vocab, opts, rng);
  const out = Array.from({ length: B }, () => shown);
  if (shown && !prime) for (let b = 0; b < B; b++) opts.onChar?.(shown, b);
  let logits = new Float32Array(0);
  for (const id of vocab.encode(start)) logits = yield new Int32Array(B).fill(id);
  const p = new Float32Array(B * V);
  for (let n = 0; n < length; n++) {
    const ids = new Int32Array(B);
    if (!greedy) probabilities(logits, B, V, temperature, topK, p);
    for (let b = 0; b < B; b++) {
      ids[b] = greedy ? argmaxRow(logits, b * V, V) : draw(p, b * V, V, rng);
      const ch = vocab.chars[ids[b]];
      out[b] += ch;
      opts.onChar?.(ch, b);
    }
    if (n + 1 < length) logits = yield ids;
  }
  return out;
}

/** The sampling rule: at a temperature of 0 or below, or with argmax, each step takes the most likely char. */
function isGreedy(opts: SampleOptions, temperature: number): boolean {
  return opts.argmax === true || temperature <= 0;
}

/** The options every way of sampling shares, checked, with DEFAULT_SAMPLING's where not given. */
function checkOptions(opts: SampleOptions): { length: number; temperature: number; topK: number } {
  const length = opts.length ?? DEFAULT_SAMPLING.length;
  const temperature = opts.temperature ?? DEFAULT_SAMPLING.temperature;
  const topK = opts.topK ?? DEFAULT_SAMPLING.topK;
  if (!Number.isInteger(length) || length < 0)
    throw new CharRNNError(`length must be a whole number >= 0, got ${length}`);
  if (!Number.isInteger(topK) || topK < 0) throw new CharRNNError(`top-k must be a whole number >= 0, got ${topK}`);
  if (!Number.isFinite(temperature)) throw new CharRNNError(`temperature must be a number, got ${temperature}`);
  return { length, temperature, topK };
}

/**
 * What the model reads before the first generated char (`start`) and what the output begins with (`shown`): the
 * prime text; without one a newline (not shown) when the vocabulary has one, else a random char.
 */
function startText(vocab: Vocab, opts: SampleOptions, rng: Rng): { prime: string; start: string; shown: string } {
  const prime = preparePrime(vocab, opts.prime ?? '', opts.dropUnknown);
  const start = prime.length > 0 ? prime : vocab.has('\n') ? '\n' : vocab.chars[Math.floor(rng.next() * vocab.size)];
  return { prime, start, shown: prime.length > 0 || !vocab.has('\n') ? start : '' };
}

/** One beam search result: the text (prime included) and the total log-probability of its generated chars. */
export interface Beam {
  text: string;
  logProb: number;
}

/** log softmax(logits / temperature) of row b, in float64; -Infinity outside the top k. */
function logProbabilities(logits: Float32Array, b: number, V: number, temperature: number, topK: number): Float64Array {
  const row = logits.subarray(b * V, (b + 1) * V);
  const cut = topKCut(row, topK);
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < V; i++) if (row[i] >= cut) sum += Math.exp((row[i] - max) / temperature);
  const out = new Float64Array(V);
  for (let i = 0; i < V; i++) out[i] = row[i] >= cut ? (row[i] - max) / temperature - Math.log(sum) : -Infinity;
  return out;
}

/**
 * Beam search: the `opts.beam` continuations of `opts.length` chars with the highest total log-probability,
 * best first. Every step extends each kept continuation by every char, and keeps the best `beam` of them (ties go
 * to the earlier continuation, then the lower char id), so the result is deterministic. Like any beam search it is
 * approximate: a wider beam usually, not always, finds a more likely text. The whole beam runs as one batch.
 */
export function beamSearch(model: CharRNN, vocab: Vocab, opts: SampleOptions = {}): Beam[] {
  const { length, temperature, topK } = checkOptions(opts);
  const K = opts.beam ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new CharRNNError(`beam must be a whole number >= 1, got ${K}`);
  if (isGreedy(opts, temperature))
    throw new CharRNNError(
      `beam search ranks texts by log-probability at a temperature above 0, got ${opts.argmax ? 'argmax' : temperature} (argmax is beam 1)`,
    );
  const V = vocab.size;
  const { prime, start, shown } = startText(vocab, opts, new Rng(opts.seed ?? DEFAULT_SAMPLING.seed));
  let beams: Beam[] = [{ text: shown, logProb: 0 }];

  const rnn = new Stepper(model, opts.engine, 1);
  try {
    for (const id of vocab.encode(start)) rnn.feed(Int32Array.of(id));
    for (let n = 0; n < length; n++) {
      const candidates: { parent: number; id: number; logProb: number }[] = [];
      beams.forEach((beam, parent) => {
        const logp = logProbabilities(rnn.logits, parent, V, temperature, topK);
        for (let id = 0; id < V; id++)
          if (logp[id] > -Infinity) candidates.push({ parent, id, logProb: beam.logProb + logp[id] });
      });
      // A stable sort keeps the order candidates were made in (parent, then char) among equal scores.
      const kept = candidates.sort((a, b) => b.logProb - a.logProb).slice(0, K);
      beams = kept.map((c) => ({ text: beams[c.parent].text + vocab.chars[c.id], logProb: c.logProb }));
      if (n + 1 < length) {
        rnn.reorder(kept.map((c) => c.parent)); // each kept continuation carries on from its parent's state
        rnn.feed(Int32Array.from(kept, (c) => c.id));
      }
    }
  } finally {
    rnn.dispose();
  }
  beams.forEach((beam, b) => opts.onChar?.(beam.text.slice(prime.length), b));
  return beams;
}

/** One sample as a string (see sampleTexts); with `beam`, the most likely continuation found. */
export function sample(model: CharRNN, vocab: Vocab, opts: SampleOptions = {}): string {
  return sampleTexts(model, vocab, { ...opts, count: 1 })[0];
}
