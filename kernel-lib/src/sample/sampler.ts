import { CharRNNError } from '../errors';
import { Rng } from '../rng';
import { CharRNN, disposeState } from '../model/charrnn';
import { EngineChoice, chooseEngine } from '../native/choose';
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
  /** The engine that runs the model (default 'auto': native BLAS when built, else TF.js). */
  engine?: EngineChoice;
  /** Called with each new char of each sample as it is drawn. */
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

/**
 * Turns logits [B, V] into next-char probabilities with temperature and top-k, on the host, into `p`: V is small
 * and we read the values anyway to draw, so one sync per step is the whole cost. Plain loops, no allocation:
 * at batch 1 this runs once per character.
 */
function probabilities(logits: Float32Array, B: number, V: number, temperature: number, topK: number, p: Float32Array): void {
  for (let b = 0; b < B; b++) {
    const row = logits.subarray(b * V, (b + 1) * V);
    const cut = topK > 0 && topK < V ? Float32Array.from(row).sort()[V - topK] : -Infinity;
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

/** Checks the prime text against the vocabulary: a clear error naming unknown chars, or drops them. */
export function preparePrime(vocab: Vocab, prime: string, dropUnknown = false): string {
  const unknown = vocab.unknownChars(prime);
  if (unknown.length === 0) return prime;
  if (!dropUnknown) {
    throw new CharRNNError(
      `prime text has characters that are not in the model's vocabulary: ${showChars(unknown)} (drop them with dropUnknown / --drop-unknown)`,
    );
  }
  const bad = new Set(unknown);
  return [...prime].filter((ch) => !bad.has(ch)).join('');
}

/**
 * Samples `count` texts from a model at once. Without a prime text the model starts after a newline when the
 * vocabulary has one (names, lines of verse), else from a random char.
 */
export function sampleTexts(model: CharRNN, vocab: Vocab, opts: SampleOptions = {}): string[] {
  const length = opts.length ?? 200;
  const temperature = opts.temperature ?? 1;
  const topK = opts.topK ?? 0;
  const B = opts.count ?? 1;
  if (!Number.isInteger(length) || length < 0) throw new CharRNNError(`length must be a whole number >= 0, got ${length}`);
  if (!Number.isInteger(B) || B < 1) throw new CharRNNError(`count must be a whole number >= 1, got ${B}`);
  if (!Number.isInteger(topK) || topK < 0) throw new CharRNNError(`top-k must be a whole number >= 0, got ${topK}`);
  if (!Number.isFinite(temperature)) throw new CharRNNError(`temperature must be a number, got ${temperature}`);
  const greedy = opts.argmax || temperature <= 0;
  const rng = new Rng(opts.seed ?? 1);
  const V = vocab.size;
  const prime = preparePrime(vocab, opts.prime ?? '', opts.dropUnknown);
  const start = prime.length > 0 ? prime : vocab.has('\n') ? '\n' : vocab.chars[Math.floor(rng.next() * V)];
  const shown = prime.length > 0 || !vocab.has('\n') ? start : '';
  const out = Array.from({ length: B }, () => shown);
  if (shown && !prime) for (let b = 0; b < B; b++) opts.onChar?.(shown, b);

  const { step } = chooseEngine(model, opts.engine);
  let state = model.zeroState(B);
  let logits: Float32Array = new Float32Array(0);
  const feed = (ids: Int32Array) => {
    const r = step(model, ids, state);
    disposeState(state);
    state = r.state;
    logits = r.logits.dataSync() as Float32Array;
    r.logits.dispose();
  };
  try {
    for (const id of vocab.encode(start)) feed(new Int32Array(B).fill(id));
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
      if (n + 1 < length) feed(ids);
    }
  } finally {
    disposeState(state);
  }
  return out;
}

/** One sample as a string (see sampleTexts). */
export function sample(model: CharRNN, vocab: Vocab, opts: SampleOptions = {}): string {
  return sampleTexts(model, vocab, { ...opts, count: 1 })[0];
}

