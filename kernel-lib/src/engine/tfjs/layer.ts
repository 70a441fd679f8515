import * as tf from '@tensorflow/tfjs-core';
import { Prev, StepOut, backwardStep, forwardStep } from './cellmath';
import { tidy } from './tidy';
import { LayerWeights } from './weights';

/** Rows t*B .. t*B+B-1 of a time-major [T*B, N] tensor, for every t: T tensors [B, N]. */
export function splitSteps(x: tf.Tensor2D, T: number): tf.Tensor2D[] {
  return tf.split(x, T, 0) as tf.Tensor2D[];
}

/**
 * Sum over rows of [N, M] as one product ones[1, N] @ m: wasm reduces axis 0 by transposing first, 5-15x slower.
 */
export function sumRows(m: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, m.shape[0]]), m), [m.shape[1]]) as tf.Tensor1D);
}

/** Disposes the tensors of a run of steps (gates may be h itself; disposing twice is harmless). */
export function disposeSteps(steps: StepOut[]): void {
  for (const s of steps) tf.dispose([s.h, s.gates, ...(s.c ? [s.c] : []), ...(s.hn ? [s.hn] : [])]);
}

/**
 * One layer over T steps. X [T*B, D] is its whole input; its projection X W_x + b is one product for all steps,
 * then each step adds one product h_prev W_h. Returns every step's output and what backward needs.
 */
export function layerForward(w: LayerWeights, X: tf.Tensor2D, T: number, prev: Prev): StepOut[] {
  const xw = tf.tidy(() => tf.add(tf.matMul(X, w.wx), w.b) as tf.Tensor2D); // [T*B, G*H]
  const [B, GH] = [prev.h.shape[0], xw.shape[1]];
  const steps: StepOut[] = [];
  let p = prev;
  for (let t = 0; t < T; t++) {
    const q = p;
    // Step t's rows, sliced only now so that one piece at a time exists besides xw (the wasm Slice here is ours).
    const out = tidy(() => forwardStep(w.cell, tf.slice(xw, [t * B, 0], [B, GH]), tf.matMul(q.h, w.wh), q, w.bhn));
    steps.push(out);
    p = out;
  }
  xw.dispose();
  return steps;
}

export interface LayerGrads {
  kernel: tf.Tensor2D; // [D + H, G*H]
  bias: tf.Tensor1D; // [G*H]
  recurrentBias?: tf.Tensor1D; // [H], GRU
  /** d loss / d X [T*B, D], when asked for (layers above the first). */
  dX?: tf.Tensor2D;
}

/**
 * Backprop through time for one layer. dHs[t] [B, H] is d loss / d h_t from above; no gradient flows into the
 * state the batch started from (truncated BPTT). All weight gradients come from one product per layer:
 * [X, H_prev]^T @ dZ over all T*B rows (two for GRU, whose n gate sees h_prev through r).
 * Frees each step's gates, c and hn once used (only h is needed after), so memory peaks lower.
 */
export function layerBackward(
  w: LayerWeights,
  X: tf.Tensor2D,
  steps: StepOut[],
  prev: Prev,
  dHs: tf.Tensor2D[],
  wantInputGrad: boolean,
): LayerGrads {
  const T = steps.length;
  const dxws: tf.Tensor2D[] = new Array(T);
  const dhws: tf.Tensor2D[] = new Array(T);
  let dhNext: tf.Tensor2D | undefined;
  let dcNext: tf.Tensor2D | undefined;
  for (let t = T - 1; t >= 0; t--) {
    const p = t > 0 ? steps[t - 1] : prev;
    const [dhIn, dcIn] = [dhNext, dcNext];
    const g = tf.tidy(() => {
      const s = backwardStep(w.cell, steps[t], p, dHs[t], dhIn, dcIn);
      const fromWh = tf.matMul(s.dhw, w.whT); // [B, H]
      const dhPrev = s.dhDirect ? tf.add(fromWh, s.dhDirect) : fromWh;
      return { dxw: s.dxw, dhw: s.dhw, dhPrev, ...(s.dcPrev ? { dcPrev: s.dcPrev } : {}) };
    });
    tf.dispose([...(dhIn ? [dhIn] : []), ...(dcIn ? [dcIn] : [])]);
    const { h, gates, c, hn } = steps[t];
    tf.dispose([...(gates !== h ? [gates] : []), ...(c ? [c] : []), ...(hn ? [hn] : [])]);
    dxws[t] = g.dxw as tf.Tensor2D;
    dhws[t] = g.dhw as tf.Tensor2D;
    dhNext = g.dhPrev as tf.Tensor2D;
    dcNext = g.dcPrev as tf.Tensor2D | undefined;
  }
  tf.dispose([...(dhNext ? [dhNext] : []), ...(dcNext ? [dcNext] : [])]);
  const grads = tidy((): LayerGrads => {
    const dXW = tf.concat(dxws, 0); // [T*B, G*H]
    const hPrev = tf.concat([prev.h, ...steps.slice(0, T - 1).map((s) => s.h)], 0); // [T*B, H]
    const H = prev.h.shape[1];
    let kernel: tf.Tensor2D;
    let recurrentBias: tf.Tensor1D | undefined;
    if (w.cell === 'gru') {
      const dHW = tf.concat(dhws, 0);
      kernel = tf.concat([tf.matMul(tf.transpose(X), dXW), tf.matMul(tf.transpose(hPrev), dHW)], 0) as tf.Tensor2D;
      recurrentBias = sumRows(tf.slice(dHW, [0, 2 * H], [-1, H]));
    } else {
      kernel = tf.matMul(tf.transpose(tf.concat([X, hPrev], 1)), dXW) as tf.Tensor2D;
    }
    return {
      kernel,
      bias: sumRows(dXW),
      ...(recurrentBias ? { recurrentBias } : {}),
      ...(wantInputGrad ? { dX: tf.matMul(dXW, w.wxT) as tf.Tensor2D } : {}),
    };
  });
  tf.dispose([...dxws, ...dhws]);
  return grads;
}
