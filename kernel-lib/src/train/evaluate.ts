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
 * Mean cross-entropy of a model on `data`, read as char-rnn reads it: batchSize streams of seqLength chunks with the
 * state carried across chunks. A split too short for batchSize streams uses as many as fit.
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

interface EvaluateOptions {
  batchSize?: number;
  seqLength?: number;
  /** A choice for chooseEngine, or an engine already chosen (a training run's). */
  engine?: EngineChoice | Engine;
}

/** The batch loop, whatever runs the forward passes (../engine/passes.ts); returns the evaluation. */
function* scoring(model: CharRNN, data: CharIds, opts: EvaluateOptions): Passes<Evaluation> {
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
  const chars = batches.numBatches * B * T;
  const loss = total / chars;
  return { loss, bpc: loss / Math.LN2, perplexity: Math.exp(loss), chars };
}
