import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';

/**
 * RMSProp (char-rnn's defaults) and Adam, written out rather than tf.train's so that every slot is a named tensor we
 * save in checkpoints and restore exactly, and so the update is one tidy per parameter.
 */
export const OPTIMIZER_NAMES = ['rmsprop', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface OptimizerConfig {
  name: OptimizerName;
  /** RMSProp's running-average decay (char-rnn's decay_rate), default 0.95. */
  decayRate: number;
  /** Adam's moment decays. */
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const DEFAULT_OPTIMIZER: OptimizerConfig = {
  name: 'rmsprop',
  decayRate: 0.95,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
};

export class Optimizer {
  readonly config: OptimizerConfig;
  /** Number of updates applied (Adam's bias correction uses it). */
  step = 0;
  /** Slots by name: `<param>/ms` for RMSProp, `<param>/m` and `<param>/v` for Adam. */
  readonly slots: Record<string, tf.Tensor> = {};

  constructor(config: Partial<OptimizerConfig> = {}) {
    this.config = { ...DEFAULT_OPTIMIZER, ...config };
    if (!['rmsprop', 'adam'].includes(this.config.name)) {
      throw new CharRNNError(`unknown optimizer '${this.config.name}' (expected rmsprop or adam)`);
    }
  }

  /** Applies one update with learning rate lr to each parameter that has a gradient. */
  apply(params: Record<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void {
    this.step += 1;
    const { name, decayRate, beta1, beta2, epsilon } = this.config;
    for (const key of Object.keys(grads)) {
      const p = params[key];
      const g = grads[key];
      if (name === 'rmsprop') {
        // ms = decay * ms + (1 - decay) * g^2;  p -= lr * g / (sqrt(ms) + eps)
        const ms = this.slot(`${key}/ms`, p);
        const next = tf.tidy(() => tf.add(tf.mul(ms, decayRate), tf.mul(tf.square(g), 1 - decayRate)));
        this.replace(`${key}/ms`, next);
        tf.tidy(() => p.assign(tf.sub(p, tf.div(tf.mul(g, lr), tf.add(tf.sqrt(next), epsilon)))));
      } else {
        // m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr * m_hat / (sqrt(v_hat) + eps)
        const m0 = this.slot(`${key}/m`, p);
        const v0 = this.slot(`${key}/v`, p);
        const m = tf.tidy(() => tf.add(tf.mul(m0, beta1), tf.mul(g, 1 - beta1)));
        const v = tf.tidy(() => tf.add(tf.mul(v0, beta2), tf.mul(tf.square(g), 1 - beta2)));
        this.replace(`${key}/m`, m);
        this.replace(`${key}/v`, v);
        const c1 = 1 - Math.pow(beta1, this.step);
        const c2 = 1 - Math.pow(beta2, this.step);
        tf.tidy(() => p.assign(tf.sub(p, tf.div(tf.mul(m, lr / c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon)))));
      }
    }
  }

  /** Restores saved slots (taking ownership of the tensors) and the step count. */
  restore(slots: Record<string, tf.Tensor>, step: number): void {
    for (const key of Object.keys(slots)) this.replace(key, slots[key]);
    this.step = step;
  }

  dispose(): void {
    for (const key of Object.keys(this.slots)) this.slots[key].dispose();
    for (const key of Object.keys(this.slots)) delete this.slots[key];
  }

  private slot(key: string, like: tf.Tensor): tf.Tensor {
    if (!this.slots[key]) this.slots[key] = tf.zerosLike(like);
    return this.slots[key];
  }

  private replace(key: string, t: tf.Tensor): void {
    this.slots[key]?.dispose();
    this.slots[key] = tf.keep(t);
  }
}

/** Gradient clipping: elementwise to [-c, c] (char-rnn) or by global L2 norm. Returns new tensors. */
export const CLIP_MODES = ['value', 'norm'] as const;
export type ClipMode = (typeof CLIP_MODES)[number];

export function clipGradients(
  grads: Record<string, tf.Tensor>,
  clip: number,
  mode: ClipMode,
): Record<string, tf.Tensor> {
  const keys = Object.keys(grads);
  if (!(clip > 0) || !keys.length) return Object.fromEntries(keys.map((k) => [k, grads[k].clone()]));
  if (mode === 'value') return Object.fromEntries(keys.map((k) => [k, tf.clipByValue(grads[k], -clip, clip)]));
  const norm = tf.tidy(() => tf.sqrt(tf.addN(keys.map((k) => tf.sum(tf.square(grads[k]))))).dataSync()[0]);
  const scale = norm > clip ? clip / norm : 1;
  return Object.fromEntries(keys.map((k) => [k, tf.mul(grads[k], scale)]));
}

/**
 * Clipping in char-rnn's units. Every engine returns gradients of the loss averaged over all T x B characters;
 * char-rnn's are of the loss summed over the T steps (each step averaged over the batch), T times larger, and it
 * clamps those to [-gradClip, gradClip]. Clipping ours at gradClip / T is exactly that clamp, scaled by 1 / T,
 * which RMSProp and Adam (invariant to the gradient's scale up to epsilon) turn into the same update.
 */
export function clipLikeCharRnn(
  grads: Record<string, tf.Tensor>,
  gradClip: number,
  mode: ClipMode,
  seqLength: number,
): Record<string, tf.Tensor> {
  return clipGradients(grads, gradClip / seqLength, mode);
}
