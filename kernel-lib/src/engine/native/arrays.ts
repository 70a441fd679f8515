import * as tf from '@tensorflow/tfjs-core';

/**
 * Moving data between TF.js tensors and the plain Float32Arrays the native addon works on.
 * Tensor data never changes, so the values read from a tensor are kept by its data id (a WeakMap: they go when
 * the tensor's data goes). An optimizer's assign() gives a variable a new data id, so trained weights are read
 * again after each step, while sampling reads them once.
 */
const valuesByData = new WeakMap<object, Float32Array>();

/** The values of a float32 tensor (read once per data id; do not modify them). */
export function valuesOf(t: tf.Tensor): Float32Array {
  let v = valuesByData.get(t.dataId);
  if (!v) {
    v = t.dataSync() as Float32Array;
    valuesByData.set(t.dataId, v);
  }
  return v;
}

/** A new tensor holding `values` (which it owns from now on: the caller must not modify them). */
export function tensorOf<R extends tf.Rank>(values: Float32Array, shape: number[]): tf.Tensor<R> {
  const t = tf.tensor<tf.Rank>(values, shape, 'float32') as tf.Tensor<R>;
  valuesByData.set(t.dataId, values);
  return t;
}

/**
 * Scratch arrays reused from call to call, by name: training config b needs ~200 MB of activations per batch,
 * and allocating (and zero-filling) that afresh every step would cost more time than the cell math.
 * Contents are left over from the previous use unless zeros() is asked for.
 */
export class Workspace {
  private arrays = new Map<string, Float32Array>();

  get(name: string, length: number): Float32Array {
    let a = this.arrays.get(name);
    if (!a || a.length !== length) {
      a = new Float32Array(length);
      this.arrays.set(name, a);
    }
    return a;
  }

  zeros(name: string, length: number): Float32Array {
    return this.get(name, length).fill(0);
  }

  /** Lets go of every array (e.g. after training, before sampling at batch 1). */
  clear(): void {
    this.arrays.clear();
  }
}
