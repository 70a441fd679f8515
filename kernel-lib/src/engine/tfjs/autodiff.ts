import * as tf from '@tensorflow/tfjs-core';
import { CharRNN, RNNState } from '../../model/charrnn';
import { CellState } from '../../model/cell';
import { Batch, checkInputs, oneHotInput, prevOf } from '../batch';
import type { LossAndGrads } from '../contract';
import './gradients';
import { disposeMasks, dropoutMasks } from '../dropout';
import { meanCrossEntropy } from '../loss';
import { installWasmKernels } from './wasm';

/** Rows t*B .. t*B+B-1 of a time-major [T*B, N] tensor. */
const rowsAt = (m: tf.Tensor2D, t: number, B: number) => tf.slice(m, [t * B, 0], [B, m.shape[1]]) as tf.Tensor2D;

/**
 * The same loss and gradients as lossAndGrads, computed by running each cell's step() under TF.js autodiff
 * (tf.variableGrads). This is how user-written cells train, and the reference the hand-written backward is
 * checked against. Same dropout masks for the same dropoutSeed.
 */
export function lossAndGradsAutodiff(
  model: CharRNN,
  batch: Batch,
  state: RNNState,
  opts: { dropoutSeed?: number } = {},
): LossAndGrads {
  installWasmKernels();
  const { T, B } = batch;
  checkInputs(model, [batch.x, batch.y], T, B, state);
  const masks = dropoutMasks(model, T, B, opts.dropoutSeed);
  const names = Object.keys(model.params);
  const vars = names.map((n) => model.params[n]);
  let finalStates: CellState[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const xs = rowsOf(oneHotInput(batch.x, model.config.vocabSize), T, B); // T x [B, V]
    const states: CellState[] = model.cells.map((_, l) => prevOf(state, l));
    const tops: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      let input = xs[t];
      model.cells.forEach((cell, l) => {
        const mask = masks?.inputs[l];
        const r = cell.step(mask ? (tf.mul(input, rowsAt(mask, t, B)) as tf.Tensor2D) : input, states[l]);
        states[l] = r.state;
        input = r.output;
      });
      tops.push(input);
    }
    let hTop = tf.concat(tops, 0) as tf.Tensor2D; // [T*B, H]
    if (masks) hTop = tf.mul(hTop, masks.output);
    const logits = tf.add(
      tf.matMul(hTop, model.params['output/kernel'] as tf.Tensor2D),
      model.params['output/bias'],
    ) as tf.Tensor2D;
    // keep: variableGrads disposes everything else made inside this function.
    finalStates = states.map((s) =>
      s.c ? { h: tf.keep(tf.clone(s.h)), c: tf.keep(tf.clone(s.c)) } : { h: tf.keep(tf.clone(s.h)) },
    );
    return meanCrossEntropy(logits, batch.y);
  }, vars);
  disposeMasks(masks);
  const named: Record<string, tf.Tensor> = {};
  names.forEach((n, i) => (named[n] = grads[vars[i].name] ?? tf.zerosLike(vars[i])));
  const loss = value.dataSync()[0];
  value.dispose();
  const next: RNNState = { h: finalStates.map((s) => s.h) };
  if (state.c) next.c = finalStates.map((s) => s.c as tf.Tensor2D);
  else finalStates.forEach((s) => s.c?.dispose());
  return { loss, grads: named, state: next };
}

function rowsOf(m: tf.Tensor2D, T: number, B: number): tf.Tensor2D[] {
  return Array.from({ length: T }, (_, t) => rowsAt(m, t, B));
}
