import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';
import { meanCrossEntropy } from '../engine/loss';
import { engineFor } from '../engine/choose';
import type { Engine, EngineChoice } from '../engine/contract';
import { Passes, runPasses, runPassesAsync } from '../engine/passes';
import { CharRNN, RNNState, disposeState } from '../model/charrnn';
import { Batches } from '../text/batches';
import { CharIds } from '../text/vocab';

export interface Evaluation {
  /** Mean cross-entropy of the next char, in nats. */
  loss: number;
  /** The same in bits per character. */
  bpc: number;
  perplexity: number;
  /** Characters scored. */
  chars: number;
}

/**
 * Mean cross-entropy of a model on `data`. By default read as char-rnn reads it: batchSize streams of seqLength
 * chunks with the state carried across chunks, each stream starting cold (the cards' figures are read so). A split
 * too short for batchSize streams uses as many as fit. `reading: 'continuous'` reads it as n-gram models and most
 * papers do: see EvaluateOptions.
 */
export function evaluate(model: CharRNN, data: CharIds, opts: EvaluateOptions = {}): Evaluation {
  const { forward } = engineFor(model, opts.engine);
  return runPasses(scoring(model, data, opts), (...args) => forward(model, ...args));
}

/**
 * evaluate on the GPU where the chosen engine runs inference there (WebGPU), each batch one command buffer: what
 * validation during a GPU training run uses, so that it does not fall back to the CPU. Elsewhere the same as evaluate.
 */
export async function evaluateAsync(model: CharRNN, data: CharIds, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const engine = engineFor(model, opts.engine);
  if (!engine.device) return evaluate(model, data, { ...opts, engine });
  const device = engine.device;
  return runPassesAsync(scoring(model, data, opts), (...args) => device.forward(model, ...args));
}

/** How evaluate reads a text (EvaluateOptions.reading). */
export const READINGS = ['batched', 'continuous'] as const;

export interface EvaluateOptions {
  /** Streams read side by side. Default: 50 batched, 1 continuous. */
  batchSize?: number;
  seqLength?: number;
  /**
   * 'batched' (the default): char-rnn's cold streams. 'continuous': the text as one stream with the state carried
   * through, every char after the first scored; with batchSize B > 1, cut into B long streams, each first reading the
   * `warmup` chars before its part without scoring them (so each starts warm, as one stream would be there).
   */
  reading?: (typeof READINGS)[number];
  /** Continuous reading with several streams: chars read before each stream's scored part. Default 1000 (0 for one stream). */
  warmup?: number;
  /** A choice for chooseEngine, or an engine already chosen (a training run's). */
  engine?: EngineChoice | Engine;
}

/** The batch loop of the reading asked for, whatever runs the forward passes (../engine/passes.ts). */
function scoring(model: CharRNN, data: CharIds, opts: EvaluateOptions): Passes<Evaluation> {
  return opts.reading === 'continuous' ? continuousScoring(model, data, opts) : batchedScoring(model, data, opts);
}

function* batchedScoring(model: CharRNN, data: CharIds, opts: EvaluateOptions): Passes<Evaluation> {
  const T = opts.seqLength ?? 50;
  const B = Math.min(opts.batchSize ?? 50, Math.floor((data.length - 1) / T));
  if (B < 1) throw new CharRNNError(`text of ${data.length} chars is too short to evaluate with seq length ${T}`);
  const batches = new Batches(data, B, T);
  let state: RNNState = model.zeroState(B);
  let total = 0;
  try {
    for (let i = 0; i < batches.numBatches; i++) {
      const { x, y } = batches.get(i);
      const r = yield [x, T, B, state];
      disposeState(state);
      state = r.state;
      total += tf.tidy(() => meanCrossEntropy(r.logits, y).dataSync()[0] * y.length);
      r.logits.dispose();
    }
  } finally {
    disposeState(state);
  }
  return evaluation(total, batches.numBatches * B * T);
}

/** The figures of a summed cross-entropy over `chars` scored chars. */
function evaluation(total: number, chars: number): Evaluation {
  const loss = total / chars;
  return { loss, bpc: loss / Math.LN2, perplexity: Math.exp(loss), chars };
}

/**
 * Stream b reads data[b * L, W + (b + 1) * L) and scores its last L targets: its first W chars are the warm-up, the
 * text just before its part. Every target in data[W + 1, W + B * L] is scored once, in chunks of T (the last shorter).
 */
function* continuousScoring(model: CharRNN, data: CharIds, opts: EvaluateOptions): Passes<Evaluation> {
  const T = opts.seqLength ?? 50;
  const B = opts.batchSize ?? 1;
  const W = opts.warmup ?? (B > 1 ? 1000 : 0);
  if (!Number.isInteger(B) || B < 1) throw new CharRNNError(`batch size must be a positive integer, got ${B}`);
  if (!Number.isInteger(W) || W < 0) throw new CharRNNError(`warm-up must be a whole number of chars, got ${W}`);
  const L = Math.floor((data.length - 1 - W) / B);
  if (L < 1)
    throw new CharRNNError(`text of ${data.length} chars is too short for ${B} streams after a ${W}-char warm-up`);
  let state: RNNState = model.zeroState(B);
  let total = 0;
  try {
    for (let start = 0; start < W + L; start += T) {
      const t = Math.min(T, W + L - start);
      const x = new Int32Array(t * B); // [t, B]
      const y = new Int32Array(t * B); // [t, B]
      for (let b = 0; b < B; b++)
        for (let i = 0; i < t; i++) {
          x[i * B + b] = data[b * L + start + i];
          y[i * B + b] = data[b * L + start + i + 1];
        }
      const r = yield [x, t, B, state];
      disposeState(state);
      state = r.state;
      const from = Math.max(0, W - start) * B; // rows before it are warm-up
      if (from < t * B)
        total += tf.tidy(
          () =>
            meanCrossEntropy(tf.slice(r.logits, [from, 0], [-1, -1]), y.subarray(from)).dataSync()[0] * (t * B - from),
        );
      r.logits.dispose();
    }
  } finally {
    disposeState(state);
  }
  return evaluation(total, B * L);
}
