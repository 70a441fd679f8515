import * as tf from '@tensorflow/tfjs-core';

/** Mean cross-entropy in nats of logits [N, V] against targets y [N] (int ids). */
export function meanCrossEntropy(logits: tf.Tensor2D, y: Int32Array): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.oneHot(tf.tensor1d(y, 'int32'), logits.shape[1]); // [N, V]
    return tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), target))), y.length) as tf.Scalar;
  });
}

/** The same loss and its gradient with respect to the logits: (softmax - onehot(y)) / N. */
export function crossEntropyAndGrad(logits: tf.Tensor2D, y: Int32Array): { loss: tf.Scalar; dlogits: tf.Tensor2D } {
  return tf.tidy(() => {
    const target = tf.oneHot(tf.tensor1d(y, 'int32'), logits.shape[1]); // [N, V]
    const logp = tf.logSoftmax(logits);
    const loss = tf.div(tf.neg(tf.sum(tf.mul(logp, target))), y.length) as tf.Scalar;
    const dlogits = tf.div(tf.sub(tf.exp(logp), target), y.length) as tf.Tensor2D;
    return { loss, dlogits };
  });
}
