import * as tf from '@tensorflow/tfjs-core';
import { Cell, CellOptions, CellState, DEFAULT_INIT_SCALE, cellRng, uniformVariable } from './cell';

/**
 * Gated recurrent unit, as PyTorch writes it (gate order r, z, n):
 *   r = sigmoid(x W_xr + h_prev W_hr + b_r)
 *   z = sigmoid(x W_xz + h_prev W_hz + b_z)
 *   n = tanh(x W_xn + b_n + r * (h_prev W_hn + b_hn))
 *   h = (1 - z) * n + z * h_prev
 * kernel [D + H, 3H] (rows 0..D-1 are W_x, rows D.. are W_h), bias [3H] (b_r, b_z, b_n), recurrent_bias [H] (b_hn,
 * kept apart because r multiplies it).
 *
 * What trains is not this step(): it is how the cell is written down and the reference the engines are checked
 * against (it trains only through autodiff, engine/tfjs/autodiff.ts, in a model stacked by CharRNN.fromCells). In
 * a model made by CharRNN.create the GRU trains and samples on each engine's own copy of these equations, fused
 * per cell:
 *   TF.js engine:  engine/tfjs/cellmath.ts (GRU, plain ops) and engine/tfjs/fused.ts (CharRNNGRUForward/Backward)
 *   native engine: kernel-lib/native/src/cells.c (gru_forward, gru_backward)
 *   WebGPU engine: engine/webgpu/shaders.ts (the gru entries of FORWARD and BACKWARD)
 * Tests that pin all copies equal: model/cells.test.ts (step() against the equations), engine/tfjs/bptt.test.ts (the
 * TF.js engine, fused and plain, == autodiff over step() == finite differences), engine/native/engine.test.ts,
 * engine/webgpu/webgpu.test.ts and engine/webgpu/forward.test.ts (each engine == the TF.js engine).
 */
export class GRUCell implements Cell {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly recurrentBias: tf.Variable;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    opts: CellOptions = {},
  ) {
    const rng = cellRng(opts);
    const scale = opts.initScale ?? DEFAULT_INIT_SCALE;
    this.kernel = uniformVariable([inputSize + hiddenSize, 3 * hiddenSize], rng, scale);
    this.bias = uniformVariable([3 * hiddenSize], rng, scale);
    this.recurrentBias = uniformVariable([hiddenSize], rng, scale);
  }

  get variables(): Record<string, tf.Variable> {
    return { kernel: this.kernel, bias: this.bias, recurrent_bias: this.recurrentBias };
  }

  zeroState(batchSize: number): CellState {
    return { h: tf.zeros([batchSize, this.hiddenSize]) };
  }

  /** The three gate activations for one step, each [B, H]. */
  gates(x: tf.Tensor2D, state: CellState): { r: tf.Tensor2D; z: tf.Tensor2D; n: tf.Tensor2D } {
    const D = this.inputSize;
    const H = this.hiddenSize;
    return tf.tidy(() => {
      const wx = tf.slice(this.kernel, [0, 0], [D, 3 * H]) as tf.Tensor2D; // [D, 3H]
      const wh = tf.slice(this.kernel, [D, 0], [H, 3 * H]) as tf.Tensor2D; // [H, 3H]
      const [xr, xz, xn] = tf.split(tf.add(tf.matMul(x, wx), this.bias), 3, 1); // each [B, H]
      const [hr, hz, hn] = tf.split(tf.matMul(state.h, wh), 3, 1);
      const r = tf.sigmoid(tf.add(xr, hr)) as tf.Tensor2D;
      const z = tf.sigmoid(tf.add(xz, hz)) as tf.Tensor2D;
      const n = tf.tanh(tf.add(xn, tf.mul(r, tf.add(hn, this.recurrentBias)))) as tf.Tensor2D;
      return { r, z, n };
    });
  }

  step(x: tf.Tensor2D, state: CellState): { output: tf.Tensor2D; state: CellState } {
    return tf.tidy(() => {
      const { z, n } = this.gates(x, state);
      const h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, state.h)) as tf.Tensor2D; // [B, H]
      return { output: h, state: { h } };
    });
  }
}
