import * as tf from '@tensorflow/tfjs-core';
import {
  Cell,
  CellOptions,
  CellState,
  DEFAULT_INIT_SCALE,
  cellRng,
  uniformValues,
  uniformVariable,
  variableFrom,
} from './cell';

/**
 * Long short-term memory, gate order i, f, g, o (PyTorch's):
 *   [i, f, g, o] = [sigmoid, sigmoid, tanh, sigmoid]([x, h_prev] W + b)
 *   c = f * c_prev + i * g
 *   h = o * tanh(c)
 * kernel [D + H, 4H] (rows 0..D-1 multiply x, rows D.. multiply h_prev), bias [4H] with the forget part set to 1
 * so the cell remembers by default at the start of training.
 *
 * What trains is not this step(): it is how the cell is written down and the reference the engines are checked
 * against (it trains only through autodiff, engine/tfjs/autodiff.ts, in a model stacked by CharRNN.fromCells). In
 * a model made by CharRNN.create the LSTM trains and samples on each engine's own copy of these equations, fused
 * per cell:
 *   TF.js engine:  engine/tfjs/cellmath.ts (LSTM, plain ops) and engine/tfjs/fused.ts (CharRNNLSTMForward/Backward)
 *   native engine: kernel-lib/native/src/cells.c (lstm_forward, lstm_backward)
 *   WebGPU engine: engine/webgpu/shaders.ts (the lstm entries of FORWARD and BACKWARD)
 * Tests that pin all copies equal: model/cells.test.ts (step() against the equations), engine/tfjs/bptt.test.ts (the
 * TF.js engine, fused and plain, == autodiff over step() == finite differences), engine/native/engine.test.ts,
 * engine/webgpu/webgpu.test.ts and engine/webgpu/forward.test.ts (each engine == the TF.js engine).
 */
export class LSTMCell implements Cell {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    opts: CellOptions = {},
  ) {
    const rng = cellRng(opts);
    const scale = opts.initScale ?? DEFAULT_INIT_SCALE;
    const H = hiddenSize;
    this.kernel = uniformVariable([inputSize + H, 4 * H], rng, scale);
    const bias = uniformValues(4 * H, rng, scale);
    bias.fill(1, H, 2 * H);
    this.bias = variableFrom(bias, [4 * H]);
  }

  get variables(): Record<string, tf.Variable> {
    return { kernel: this.kernel, bias: this.bias };
  }

  zeroState(batchSize: number): CellState {
    return { h: tf.zeros([batchSize, this.hiddenSize]), c: tf.zeros([batchSize, this.hiddenSize]) };
  }

  /** The four gate activations for one step, each [B, H]. */
  gates(x: tf.Tensor2D, state: CellState): { i: tf.Tensor2D; f: tf.Tensor2D; g: tf.Tensor2D; o: tf.Tensor2D } {
    return tf.tidy(() => {
      const z = tf.add(tf.matMul(tf.concat([x, state.h], 1), this.kernel as tf.Tensor2D), this.bias); // [B, 4H]
      const [zi, zf, zg, zo] = tf.split(z, 4, 1) as tf.Tensor2D[];
      return { i: tf.sigmoid(zi), f: tf.sigmoid(zf), g: tf.tanh(zg), o: tf.sigmoid(zo) };
    });
  }

  step(x: tf.Tensor2D, state: CellState): { output: tf.Tensor2D; state: CellState } {
    if (!state.c) throw new Error('LSTMCell.step needs state.c');
    const cPrev = state.c;
    return tf.tidy(() => {
      const { i, f, g, o } = this.gates(x, state);
      const c = tf.add(tf.mul(f, cPrev), tf.mul(i, g)) as tf.Tensor2D; // [B, H]
      const h = tf.mul(o, tf.tanh(c)) as tf.Tensor2D; // [B, H]
      return { output: h, state: { h, c } };
    });
  }
}
