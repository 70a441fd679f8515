import * as tf from '@tensorflow/tfjs-core';

/**
 * Tensors derived from a variable (a transposed or sliced weight) kept until the variable changes.
 * An optimizer's assign() gives the variable new data, so the data id tells whether a cached copy is stale.
 * Sampling at batch 1 is dominated by per-call overhead, so re-deriving weights every step would double its cost.
 */
export class WeightCache {
  private entries = new Map<string, { sources: object[]; tensor: tf.Tensor }>();

  /** The tensor cached under key, made again by make() when any variable in `from` has changed since. */
  get<T extends tf.Tensor>(key: string, from: tf.Variable | tf.Variable[], make: () => T): T {
    const sources = (Array.isArray(from) ? from : [from]).map((v) => v.dataId);
    const hit = this.entries.get(key);
    if (hit && !hit.tensor.isDisposed && hit.sources.every((s, i) => s === sources[i])) return hit.tensor as T;
    hit?.tensor.dispose();
    const tensor = tf.keep(tf.tidy(make));
    this.entries.set(key, { sources, tensor });
    return tensor;
  }

  clear(): void {
    for (const { tensor } of this.entries.values()) tensor.dispose();
    this.entries.clear();
  }
}
