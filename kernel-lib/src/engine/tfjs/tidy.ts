import * as tf from '@tensorflow/tfjs-core';

/** tf.tidy for functions returning typed objects of tensors (tf.tidy's TensorContainer rejects interfaces). */
export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
