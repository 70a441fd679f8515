import * as tf from '@tensorflow/tfjs-core';
import { CharRNN, RNNState } from '../../model/charrnn';
import { lossAndGradsAutodiff } from './autodiff';
import { Batch, checkInputs, oneHotInput, prevOf } from '../batch';
import { StepOut } from './cellmath';
import type { LossAndGrads } from '../contract';
import { Streams, disposeMasks, dropoutMasks } from '../dropout';
import { disposeSteps, layerBackward, layerForward, splitSteps, sumRows } from './layer';
import { crossEntropyAndGrad } from '../loss';
import { installWasmKernels } from './wasm';
import { layerWeights, outputWeights } from './weights';

/**
 * Loss and gradients of one batch by backprop through time written out for the built-in cells (models with
 * user-written cells go through autodiff). Dropout only when opts.dropoutSeed is given.
 * Keeps only what the backward pass needs: per step the gate activations and h (and c), nothing else.
 */
export function lossAndGrads(
  model: CharRNN,
  batch: Batch,
  state: RNNState,
  opts: { dropoutSeed?: number; streams?: Streams } = {},
): LossAndGrads {
  installWasmKernels();
  if (model.custom) return lossAndGradsAutodiff(model, batch, state, opts);
  const { T, B } = batch;
  checkInputs(model, [batch.x, batch.y], T, B, state);
  const { vocabSize: V, numLayers: L } = model.config;
  const masks = dropoutMasks(model, T, B, opts.dropoutSeed, opts.streams);
  const weights = model.cells.map((_, l) => layerWeights(model, l));
  const out = outputWeights(model);

  // Forward, layer by layer over all T steps: inputs[l] [T*B, D], runs[l][t] the step outputs.
  const inputs: tf.Tensor2D[] = [oneHotInput(batch.x, V)];
  const runs: StepOut[][] = [];
  for (let l = 0; l < L; l++) {
    if (l > 0) inputs.push(stackH(runs[l - 1], masks?.inputs[l]));
    runs.push(layerForward(weights[l], inputs[l], T, prevOf(state, l)));
  }

  // The state after the last step, taken now: backward frees c as it goes.
  const last = runs.map((steps) => steps[T - 1]);
  const next: RNNState = { h: last.map((s) => tf.clone(s.h)) };
  if (state.c) next.c = last.map((s) => tf.clone(s.c as tf.Tensor2D));

  // Softmax layer: logits [T*B, V], and d loss / d h of the top layer.
  const top = tf.tidy(() => {
    const hTop = stackH(runs[L - 1], masks?.output); // [T*B, H]
    const { loss, dlogits } = crossEntropyAndGrad(tf.add(tf.matMul(hTop, out.w), out.b) as tf.Tensor2D, batch.y);
    let dH = tf.matMul(dlogits, out.wT) as tf.Tensor2D; // [T*B, H]
    if (masks) dH = tf.mul(dH, masks.output);
    return { loss, dW: tf.matMul(tf.transpose(hTop), dlogits), db: sumRows(dlogits), dHs: splitSteps(dH, T) };
  });
  const grads: Record<string, tf.Tensor> = { 'output/kernel': top.dW, 'output/bias': top.db };

  // Backward, top layer first; each layer hands d loss / d input to the one below.
  let dHs = top.dHs;
  for (let l = L - 1; l >= 0; l--) {
    const g = layerBackward(weights[l], inputs[l], runs[l], prevOf(state, l), dHs, l > 0);
    tf.dispose(dHs);
    grads[`layer${l}/kernel`] = g.kernel;
    grads[`layer${l}/bias`] = g.bias;
    if (g.recurrentBias) grads[`layer${l}/recurrent_bias`] = g.recurrentBias;
    if (g.dX) {
      const dX = g.dX;
      const mask = masks?.inputs[l];
      dHs = tf.tidy(() => splitSteps(mask ? (tf.mul(dX, mask) as tf.Tensor2D) : dX, T));
      dX.dispose();
    }
  }

  runs.forEach(disposeSteps);
  tf.dispose(inputs);
  disposeMasks(masks);
  const loss = top.loss.dataSync()[0];
  top.loss.dispose();
  return { loss, grads, state: next };
}

/** The h of every step stacked time-major [T*B, H], times a dropout mask when given. */
function stackH(steps: StepOut[], mask?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const h = tf.concat(
      steps.map((s) => s.h),
      0,
    ) as tf.Tensor2D;
    return mask ? (tf.mul(h, mask) as tf.Tensor2D) : h;
  });
}
