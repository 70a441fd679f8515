import * as tf from '@tensorflow/tfjs-core';
import { CharRNN } from '../../model/charrnn';
import { CellType, GATES } from '../../model/config';

/** One layer's weights split the way the engine multiplies them. Cached on the model until the kernel changes. */
export interface LayerWeights {
  cell: CellType;
  wx: tf.Tensor2D; // [D, G*H]  rows of the kernel that multiply the layer input
  wh: tf.Tensor2D; // [H, G*H]  rows that multiply the previous h
  // Explicit transposes: wasm's BatchMatMul falls back to a slow scalar loop when asked to transpose an operand.
  wxT: tf.Tensor2D; // [G*H, D]
  whT: tf.Tensor2D; // [G*H, H]
  b: tf.Tensor1D; // [G*H]
  bhn?: tf.Tensor1D; // [H], GRU
}

export function layerWeights(model: CharRNN, l: number): LayerWeights {
  const { cell, hiddenSize: H, vocabSize: V } = model.config;
  const D = l === 0 ? V : H;
  const GH = GATES[cell] * H;
  const kernel = model.params[`layer${l}/kernel`];
  const cache = model.derived;
  const wx = cache.get(`layer${l}/wx`, kernel, () => tf.slice(kernel, [0, 0], [D, GH]) as tf.Tensor2D);
  const wh = cache.get(`layer${l}/wh`, kernel, () => tf.slice(kernel, [D, 0], [H, GH]) as tf.Tensor2D);
  return {
    cell,
    wx,
    wh,
    wxT: cache.get(`layer${l}/wxT`, kernel, () => tf.transpose(wx)),
    whT: cache.get(`layer${l}/whT`, kernel, () => tf.transpose(wh)),
    b: model.params[`layer${l}/bias`] as tf.Tensor1D,
    bhn: model.params[`layer${l}/recurrent_bias`] as tf.Tensor1D | undefined,
  };
}

/** The output layer: kernel [H, V], its transpose [V, H], bias [V]. */
export function outputWeights(model: CharRNN): { w: tf.Tensor2D; wT: tf.Tensor2D; b: tf.Tensor1D } {
  const w = model.params['output/kernel'] as tf.Tensor2D;
  return {
    w,
    wT: model.derived.get('output/wT', model.params['output/kernel'], () => tf.transpose(w)),
    b: model.params['output/bias'] as tf.Tensor1D,
  };
}
