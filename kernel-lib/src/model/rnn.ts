import * as tf from '@tensorflow/tfjs-core';
import { Cell, CellOptions, CellState, DEFAULT_INIT_SCALE, cellRng, uniformVariable } from './cell';

/**
 * The vanilla RNN of the seed post: h = tanh([x, h_prev] W + b).
 * kernel [D + H, H] (rows 0..D-1 multiply x, rows D.. multiply h_prev), bias [H].
 *
 * What trains is not this step(): it is how the cell is written down and the reference the engines are checked
 * against (it trains only through autodiff, engine/tfjs/autodiff.ts, in a model stacked by CharRNN.fromCells). In
 * a model made by CharRNN.create the RNN trains and samples on each engine's own copy of these equations, fused
 * per cell:
 *   TF.js engine:  engine/tfjs/cellmath.ts (RNN, plain ops) and engine/tfjs/fused.ts (CharRNNRNNForward/Backward)
 *   native engine: kernel-lib/native/src/cells.c (rnn_forward, rnn_backward)
 *   WebGPU engine: engine/webgpu/shaders.ts (the rnn entries of FORWARD and BACKWARD)
 * Tests that pin all copies equal: model/cells.test.ts (step() against the equations), engine/tfjs/bptt.test.ts (the
 * TF.js engine, fused and plain, == autodiff over step() == finite differences), engine/native/engine.test.ts,
 * engine/webgpu/webgpu.test.ts and engine/webgpu/forward.test.ts (each engine == the TF.js engine).
 */
export class RNNCell implements Cell {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    opts: CellOptions = {},
  ) {
    const rng = cellRng(opts);
    const scale = opts.initScale ?? DEFAULT_INIT_SCALE;
    this.kernel = uniformVariable([inputSize + hiddenSize, hiddenSize], rng, scale);
    this.bias = uniformVariable([hiddenSize], rng, scale);
  }

  get variables(): Record<string, tf.Variable> {
    return { kernel: this.kernel, bias: this.bias };
  }

  zeroState(batchSize: number): CellState {
    return { h: tf.zeros([batchSize, this.hiddenSize]) };
  }

  step(x: tf.Tensor2D, state: CellState): { output: tf.Tensor2D; state: CellState } {
    return tf.tidy(() => {
      const xh = tf.concat([x, state.h], 1); // [B, D+H]
      const h = tf.tanh(tf.add(tf.matMul(xh, this.kernel as tf.Tensor2D), this.bias)) as tf.Tensor2D; // [B, H]
      return { output: h, state: { h } };
    });
  }
}
