import * as tf from '@tensorflow/tfjs-core';
import { Optimizer } from '../optimizer';
import { nativeAddon } from './addon';
import { tensorOf, valuesOf } from './arrays';

/**
 * optimizer.apply(params, grads, lr) done by the native addon: the same update, slots and step count (to float
 * tolerance), with each parameter's Adam or RMSProp step fused into one C loop instead of ~8 TF.js ops. Worth it
 * with the native engine, whose gradients are host arrays already: the new weights stay host arrays too, so the
 * engine's next step reads them for free. On config a (2x128) the TF.js update took ~30% of a native iteration.
 */
export function nativeApply(
  optimizer: Optimizer,
  params: Record<string, tf.Variable>,
  grads: Record<string, tf.Tensor>,
  lr: number,
): void {
  const nat = nativeAddon();
  optimizer.step += 1;
  const { name, decayRate, beta1, beta2, epsilon } = optimizer.config;
  const slot = (key: string, n: number) =>
    optimizer.slots[key] ? valuesOf(optimizer.slots[key]) : new Float32Array(n);
  const setSlot = (key: string, values: Float32Array, shape: number[]) => {
    optimizer.slots[key]?.dispose();
    optimizer.slots[key] = tensorOf(values, shape);
  };
  for (const key of Object.keys(grads)) {
    const p = params[key];
    const pv = valuesOf(p);
    const g = valuesOf(grads[key]);
    const n = pv.length;
    const next = new Float32Array(n);
    if (name === 'rmsprop') {
      const ms = new Float32Array(n);
      nat.rmspropUpdate(pv, g, slot(`${key}/ms`, n), next, ms, lr, decayRate, epsilon);
      setSlot(`${key}/ms`, ms, p.shape);
    } else {
      const [m, v] = [new Float32Array(n), new Float32Array(n)];
      const c1 = 1 - Math.pow(beta1, optimizer.step);
      const c2 = 1 - Math.pow(beta2, optimizer.step);
      nat.adamUpdate(pv, g, slot(`${key}/m`, n), slot(`${key}/v`, n), next, m, v, lr, beta1, beta2, epsilon, c1, c2);
      setSlot(`${key}/m`, m, p.shape);
      setSlot(`${key}/v`, v, p.shape);
    }
    const t = tensorOf(next, p.shape);
    p.assign(t);
    t.dispose();
  }
}
