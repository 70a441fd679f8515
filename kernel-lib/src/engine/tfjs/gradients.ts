import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradients for the ops a recurrent cell is made of, so tf.variableGrads can train user-written cells.
 * Written here because tfjs-core's CommonJS build (the one Node loads) registers none: its own gradient files are
 * ES modules Node cannot import, and only the 140 MB @tensorflow/tfjs bundle carries them. A gradient that is
 * already registered (e.g. by @tensorflow/tfjs) is left alone. Checked against finite differences in the tests.
 */

type Grads = Record<string, () => tf.Tensor> | (() => tf.Tensor)[];
type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[], attrs: Record<string, unknown>) => Grads;

/** dy summed down to `shape`, undoing broadcasting. */
function reduceTo(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

/** Gradients of a binary op with broadcasting: da, db as functions of (dy, a, b). */
function binary(
  da: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  db: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
): GradFunc {
  return (dy, [a, b]) => ({ a: () => reduceTo(da(dy, a, b), a.shape), b: () => reduceTo(db(dy, a, b), b.shape) });
}

const identity: GradFunc = (dy) => ({ x: () => tf.clone(dy) });

const CONFIGS: {
  kernelName: string;
  inputsToSave?: string[];
  outputsToSave?: boolean[];
  saveAllInputs?: boolean;
  gradFunc: GradFunc;
}[] = [
  {
    kernelName: tf.Add,
    inputsToSave: ['a', 'b'],
    gradFunc: binary(
      (dy) => dy,
      (dy) => dy,
    ),
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ['a', 'b'],
    gradFunc: binary(
      (dy) => dy,
      (dy) => tf.neg(dy),
    ),
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: ['a', 'b'],
    gradFunc: binary(
      (dy, _a, b) => tf.mul(dy, b),
      (dy, a) => tf.mul(dy, a),
    ),
  },
  {
    kernelName: tf.RealDiv,
    inputsToSave: ['a', 'b'],
    gradFunc: binary(
      (dy, _a, b) => tf.div(dy, b),
      (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b))),
    ),
  },
  {
    // C = op(A) @ op(B): dA = dC @ op(B)^T, dB = op(A)^T @ dC, with op = transpose where the attribute says so.
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b], attrs) => {
      const tA = attrs.transposeA as boolean;
      const tB = attrs.transposeB as boolean;
      return {
        a: () => (tA ? tf.matMul(b, dy, tB, true) : tf.matMul(dy, b, false, !tB)),
        b: () => (tB ? tf.matMul(dy, a, true, tA) : tf.matMul(a, dy, !tA, false)),
      };
    },
  },
  {
    kernelName: tf.Tanh,
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(dy, tf.sub(1, tf.square(y))) }),
  },
  {
    kernelName: tf.Sigmoid,
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(dy, tf.mul(y, tf.sub(1, y))) }),
  },
  { kernelName: tf.Exp, outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => tf.mul(dy, y) }) },
  { kernelName: tf.Square, inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy, tf.mul(x, 2)) }) },
  { kernelName: tf.Relu, inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy, tf.step(x)) }) },
  { kernelName: tf.Neg, gradFunc: (dy) => ({ x: () => tf.neg(dy) }) },
  { kernelName: tf.Identity, gradFunc: identity },
  { kernelName: tf.Cast, gradFunc: identity },
  { kernelName: tf.Reshape, inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy, x.shape) }) },
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return { x: () => tf.broadcastTo(tf.reshape(dy, kept), x.shape) };
    },
  },
  {
    kernelName: tf.LogSoftmax,
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => ({
      logits: () => tf.sub(dy, tf.mul(tf.exp(y), tf.sum(dy, attrs.axis as number, true))),
    }),
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0].shape)[0];
      return tf
        .split(
          dy,
          saved.map((t) => t.shape[axis]),
          axis,
        )
        .map((t) => () => t);
    },
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin as number[], attrs.size as number[]);
      return {
        x: () =>
          tf.pad(
            dy,
            x.shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as [number, number]),
          ),
      };
    },
  },
];

/** Split's gradient gets one dy per output, so its signature differs from the others. */
const SPLIT = {
  kernelName: tf.SplitV,
  gradFunc: (dys: tf.Tensor[], _saved: tf.Tensor[], attrs: Record<string, unknown>) => ({
    x: () => tf.concat(dys, attrs.axis as number),
  }),
};

for (const config of [...CONFIGS, SPLIT]) {
  if (!tf.getGradient(config.kernelName)) tf.registerGradient(config as unknown as tf.GradConfig);
}
