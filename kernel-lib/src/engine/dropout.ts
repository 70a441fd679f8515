import * as tf from '@tensorflow/tfjs-core';
import { CharRNN } from '../model/charrnn';
import { Rng } from '../rng';

/** Streams [from, to) of a batch of `total` streams: the part of a batch one data-parallel thread computes. */
export interface Streams {
  from: number;
  to: number;
  total: number;
}

/**
 * Inverted-dropout masks for one batch, [T*B, H] each, values 0 or 1/(1-p): inputs[l] for the input of layer l
 * (undefined for l = 0, which reads characters), output for the input of the softmax layer. The seeds of
 * tf.randomUniform come from Rng(dropoutSeed) in layer order, so a seed gives the same masks on every path.
 * Returns undefined when there is no dropout (p = 0 or no seed).
 */
export function dropoutMasks(
  model: CharRNN,
  T: number,
  B: number,
  dropoutSeed?: number,
  streams?: Streams,
): { inputs: (tf.Tensor2D | undefined)[]; output: tf.Tensor2D } | undefined {
  const p = model.config.dropout;
  if (dropoutSeed === undefined || p <= 0) return undefined;
  const rng = new Rng(dropoutSeed);
  const H = model.config.hiddenSize;
  // Part of a larger batch (data-parallel training): draw the whole batch's masks, keep this part's streams.
  const all = streams?.total ?? B;
  const from = streams?.from ?? 0;
  const mask = () =>
    tf.tidy(() => {
      const m = tf.mul(
        tf.cast(tf.greaterEqual(tf.randomUniform([T * all, H], 0, 1, 'float32', rng.nextSeed()), p), 'float32'),
        1 / (1 - p),
      );
      return (
        all === B ? m : tf.reshape(tf.slice(tf.reshape(m, [T, all, H]), [0, from, 0], [T, B, H]), [T * B, H])
      ) as tf.Tensor2D;
    });
  const inputs = model.cells.map((_, l) => (l === 0 ? undefined : mask()));
  return { inputs, output: mask() };
}

export function disposeMasks(masks: ReturnType<typeof dropoutMasks>): void {
  if (masks) tf.dispose([...masks.inputs.filter((m): m is tf.Tensor2D => m !== undefined), masks.output]);
}
