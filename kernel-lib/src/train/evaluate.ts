import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';
import { meanCrossEntropy } from '../engine/loss';
import { chooseEngine } from '../engine/choose';
import type { EngineChoice } from '../engine/contract';
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
export function evaluate(model: CharRNN, data: CharIds, opts: { batchSize?: number; seqLength?: number; engine?: EngineChoice } = {}): Evaluation {
  const T = opts.seqLength ?? 50;
  const B = Math.min(opts.batchSize ?? 50, Math.floor((data.length - 1) / T));
  if (B < 1) throw new CharRNNError(`text of ${data.length} chars is too short to evaluate with seq length ${T}`);
  const { forward } = chooseEngine(model, opts.engine);
  const batches = new Batches(data, B, T);
  let state: RNNState = model.zeroState(B);
  let total = 0;
  for (let i = 0; i < batches.numBatches; i++) {
    const { x, y } = batches.get(i);
    const r = forward(model, x, T, B, state);
    disposeState(state);
    state = r.state;
    total += tf.tidy(() => meanCrossEntropy(r.logits, y).dataSync()[0] * y.length);
    r.logits.dispose();
  }
  disposeState(state);
  const chars = batches.numBatches * B * T;
  const loss = total / chars;
  return { loss, bpc: loss / Math.LN2, perplexity: Math.exp(loss), chars };
}
