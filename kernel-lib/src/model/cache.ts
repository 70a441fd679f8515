import * as tf from '@tensorflow/tfjs-core';

/**
 * Tensors derived from a variable (a transposed or sliced weight) kept until the variable changes.
 * An optimizer's assign() gives the variable new data, so the data id tells whether a cached copy is stale.
 * Sampling at batch 1 is dominated by per-call overhead, so re-deriving weights every step would double its cost.
 */
export class WeightCache {
  private entries = new Map<string, { source: object; tensor: tf.Tensor }>();

  get<T extends tf.Tensor>(key: string, from: tf.Variable, make: () => T): T {
    const hit = this.entries.get(key);
    if (hit && hit.source === from.dataId && !hit.tensor.isDisposed) return hit.tensor as T;
    hit?.tensor.dispose();
    const tensor = tf.keep(tf.tidy(make));
    this.entries.set(key, { source: from.dataId, tensor });
    return tensor;
  }

  clear(): void {
    for (const { tensor } of this.entries.values()) tensor.dispose();
    this.entries.clear();
  }
}
