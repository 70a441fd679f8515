import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';
import type { CellState } from '../model/cell';
import { CharRNN, RNNState } from '../model/charrnn';

/** One training batch, time-major [T, B]: x[t*B + b] is the input char of stream b at step t, y its target. */
export interface Batch {
  x: Int32Array;
  y: Int32Array;
  T: number;
  B: number;
}

/** Throws a CharRNNError when ids, sizes or the state do not fit the model. */
export function checkInputs(model: CharRNN, ids: Int32Array[], T: number, B: number, state: RNNState): void {
  const { hiddenSize: H, numLayers: L } = model.config;
  checkIds(model, ids, T, B);
  const layers = [state.h, ...(state.c ? [state.c] : [])];
  if (model.config.cell === 'lstm' && !model.custom && !state.c) throw new CharRNNError('an LSTM state needs c');
  for (const list of layers) {
    if (list.length !== L) throw new CharRNNError(`state has ${list.length} layers, the model ${L}`);
    for (const t of list) {
      if (t.shape[0] !== B || t.shape[1] !== H)
        throw new CharRNNError(`state tensor is [${t.shape}], expected [${B}, ${H}]`);
    }
  }
}

/** Throws a CharRNNError when the batch shape or a char id does not fit the model. */
export function checkIds(model: CharRNN, ids: Int32Array[], T: number, B: number): void {
  const V = model.config.vocabSize;
  if (!(Number.isInteger(T) && T >= 1 && Number.isInteger(B) && B >= 1))
    throw new CharRNNError(`bad batch shape T=${T}, B=${B}`);
  for (const a of ids) {
    if (a.length !== T * B) throw new CharRNNError(`batch has ${a.length} ids, expected T*B = ${T * B}`);
    for (let i = 0; i < a.length; i++) {
      if (!(a[i] >= 0 && a[i] < V)) throw new CharRNNError(`char id ${a[i]} is outside the vocabulary (0..${V - 1})`);
    }
  }
}

/** Layer l's part of a state. */
export function prevOf(state: RNNState, l: number): CellState {
  return state.c ? { h: state.h[l], c: state.c[l] } : { h: state.h[l] };
}

/** The one-hot input of the first layer [N, V] for ids [N]. */
export function oneHotInput(x: Int32Array, V: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(x, 'int32'), V), 'float32') as tf.Tensor2D);
}
