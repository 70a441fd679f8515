import * as tf from '@tensorflow/tfjs-core';
import { CharRNN } from '../model/charrnn';
import { Rng } from '../rng';

/**
 * Inverted-dropout masks for one batch, [T*B, H] each, values 0 or 1/(1-p): inputs[l] for the input of layer l
 * (undefined for l = 0, which reads characters), output for the input of the softmax layer. The seeds of
 * tf.randomUniform come from Rng(dropoutSeed) in layer order, so a seed gives the same masks on every path.
 * Returns undefined when there is no dropout (p = 0 or no seed).
 */
export function dropoutMasks(model: CharRNN, T: number, B: number, dropoutSeed?: number): { inputs: (tf.Tensor2D | undefined)[]; output: tf.Tensor2D } | undefined {
  const p = model.config.dropout;
  if (dropoutSeed === undefined || p <= 0) return undefined;
  const rng = new Rng(dropoutSeed);
  const H = model.config.hiddenSize;
  const mask = () => tf.tidy(() => tf.mul(tf.cast(tf.greaterEqual(tf.randomUniform([T * B, H], 0, 1, 'float32', rng.nextSeed()), p), 'float32'), 1 / (1 - p)) as tf.Tensor2D);
  const inputs = model.cells.map((_, l) => (l === 0 ? undefined : mask()));
  return { inputs, output: mask() };
}

export function disposeMasks(masks: ReturnType<typeof dropoutMasks>): void {
  if (masks) tf.dispose([...masks.inputs.filter((m): m is tf.Tensor2D => m !== undefined), masks.output]);
}
