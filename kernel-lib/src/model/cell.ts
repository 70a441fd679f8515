import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';
import { Rng } from '../rng';

/** The state one cell carries from step to step: h [B, H], and c [B, H] for cells with a memory cell (LSTM). */
export interface CellState {
  h: tf.Tensor2D;
  c?: tf.Tensor2D;
}

/**
 * What a recurrent cell is, to the model and the engine. The built-in cells implement it, and so can a cell you
 * write yourself: make step() out of tf ops on your tf.Variables and list them in `variables`, and the engine
 * trains it through autodiff.
 */
export interface Cell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** The trainable weights by short name (e.g. kernel, bias); the model names them 'layer{l}/{name}'. */
  readonly variables: Record<string, tf.Variable>;
  /** One timestep: x [B, inputSize] and the previous state give the output [B, H] and the new state. */
  step(x: tf.Tensor2D, state: CellState): { output: tf.Tensor2D; state: CellState };
  /** The all-zero state for a batch of B sequences. */
  zeroState(batchSize: number): CellState;
}

/** How a cell's weights start: uniform(-initScale, initScale) drawn from `rng` (or a new Rng(seed)). */
export interface CellOptions {
  seed?: number;
  rng?: Rng;
  initScale?: number;
}

export const DEFAULT_INIT_SCALE = 0.08;

/** n uniform(-scale, scale) draws from rng. */
export function uniformValues(n: number, rng: Rng, scale: number): Float32Array {
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = rng.uniform(-scale, scale);
  return values;
}

/**
 * Throws one clear line when no TF.js backend runs yet (TF.js's own error is a 10-line "No backend found in
 * registry" stack), wherever the library makes its first tensors: a new model's weights, a loaded checkpoint's.
 * Not in engine/start.ts: the exported page imports the model but not the Node backends.
 */
export function requireBackend(): void {
  try {
    tf.backend();
  } catch {
    throw new CharRNNError(
      'no TF.js backend is running: call `await initBackend()` first (once, before making or loading a model)',
    );
  }
}

/** A trainable variable holding these values. */
export function variableFrom(values: Float32Array, shape: number[]): tf.Variable {
  requireBackend();
  const init = tf.tensor(values, shape);
  const v = tf.variable(init, true);
  init.dispose();
  return v;
}

/** A trainable variable of the given shape filled with uniform(-scale, scale) draws from rng, in row-major order. */
export function uniformVariable(shape: number[], rng: Rng, scale: number): tf.Variable {
  return variableFrom(
    uniformValues(
      shape.reduce((a, b) => a * b, 1),
      rng,
      scale,
    ),
    shape,
  );
}

/** The Rng a cell draws its weights from: the one given, or a new one from the seed (default 0). */
export function cellRng(opts: CellOptions): Rng {
  return opts.rng ?? new Rng(opts.seed ?? 0);
}
