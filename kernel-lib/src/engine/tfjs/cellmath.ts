import * as tf from '@tensorflow/tfjs-core';
import { CellType } from '../../model/config';
import { fusedAvailable, runFused } from './kernels';

/**
 * The gate math of one timestep of each built-in cell, forward and backward, on whole [B, G*H] blocks, one object
 * per cell (RNN, LSTM, GRU below). The products (x W_x, h W_h) happen outside, so these functions are pure
 * elementwise work. Where the backend has the fused kernels (kernels.ts, fused.ts) one kernel call does it; the plain
 * ops are the reference and the path for other backends.
 */

/** The previous state of one layer: h [B, H], and c [B, H] for LSTM. */
export interface Prev {
  h: tf.Tensor2D;
  c?: tf.Tensor2D;
}

/** What a step produces and keeps for the backward pass. */
export interface StepOut {
  h: tf.Tensor2D; // [B, H]
  c?: tf.Tensor2D; // [B, H], LSTM
  /** Gate activations after sigmoid/tanh [B, G*H]: rnn h; lstm i,f,g,o; gru r,z,n. */
  gates: tf.Tensor2D;
  /** GRU only: h_prev W_hn + b_hn [B, H], which r multiplies. */
  hn?: tf.Tensor2D;
}

/** Gradients of one step with respect to its pre-activations. */
export interface StepGrads {
  /** d loss / d (x W_x + b) [B, G*H]. */
  dxw: tf.Tensor2D;
  /** d loss / d (h_prev W_h) [B, G*H]; the same tensor as dxw except for GRU (whose n part is r * dhn). */
  dhw: tf.Tensor2D;
  /** The part of d loss / d h_prev that does not go through W_h (GRU: dh * z). */
  dhDirect?: tf.Tensor2D;
  /** d loss / d c_prev (LSTM). */
  dcPrev?: tf.Tensor2D;
}

const cols = (t: tf.Tensor2D, from: number, n: number) => tf.slice(t, [0, from], [t.shape[0], n]) as tf.Tensor2D;
const dsig = (s: tf.Tensor) => tf.mul(s, tf.sub(1, s)); // sigmoid' from its output
const dtanh = (t: tf.Tensor) => tf.sub(1, tf.square(t)); // tanh' from its output

/**
 * One cell's step, forward and backward, in plain ops and as fused kernels. backward's dh is this step's whole
 * d loss / d h; the fused backward kernels take its two parts (dhAbove, dhNext) and add them themselves.
 */
interface CellMath {
  forward(xw: tf.Tensor2D, hw: tf.Tensor2D, H: number, prev: Prev, bhn?: tf.Tensor1D): StepOut;
  backward(out: StepOut, dh: tf.Tensor2D, prev: Prev, dc?: tf.Tensor2D): StepGrads;
  forwardFused(xw: tf.Tensor2D, hw: tf.Tensor2D, H: number, prev: Prev, bhn?: tf.Tensor1D): StepOut;
  backwardFused(
    out: StepOut,
    H: number,
    dh: tf.Tensor2D,
    dhNext: tf.Tensor2D | undefined,
    prev: Prev,
    dc?: tf.Tensor2D,
  ): StepGrads;
}

/** h = tanh(x W_x + h_prev W_h + b). */
const RNN: CellMath = {
  forward(xw, hw) {
    const h = tf.tanh(tf.add(xw, hw)) as tf.Tensor2D;
    return { h, gates: h };
  },
  backward(out, dh) {
    const dz = tf.mul(dh, dtanh(out.h)) as tf.Tensor2D;
    return { dxw: dz, dhw: dz };
  },
  forwardFused(xw, hw, H) {
    const [h] = runFused('CharRNNRNNForward', { xw, hw }, H);
    return { h, gates: h };
  },
  backwardFused(out, H, dh, dhNext) {
    const [dz] = runFused('CharRNNRNNBackward', { h: out.h, dh, dhNext }, H);
    return { dxw: dz, dhw: dz };
  },
};

/** [i, f, g, o] = [sigmoid, sigmoid, tanh, sigmoid](z); c = f * c_prev + i * g; h = o * tanh(c). */
const LSTM: CellMath = {
  forward(xw, hw, H, prev) {
    const z = tf.add(xw, hw) as tf.Tensor2D; // [B, 4H]
    const s = tf.sigmoid(z) as tf.Tensor2D;
    const gates = tf.concat([cols(s, 0, 2 * H), tf.tanh(cols(z, 2 * H, H)), cols(s, 3 * H, H)], 1); // i,f,g,o
    const [i, f, g, o] = tf.split(gates, 4, 1);
    const c = tf.add(tf.mul(f, prev.c as tf.Tensor2D), tf.mul(i, g)) as tf.Tensor2D;
    const h = tf.mul(o, tf.tanh(c)) as tf.Tensor2D;
    return { h, c, gates };
  },
  backward(out, dh, prev, dc) {
    const [i, f, g, o] = tf.split(out.gates, 4, 1);
    const tc = tf.tanh(out.c as tf.Tensor2D);
    const dcTotal = tf.add(tf.mul(tf.mul(dh, o), dtanh(tc)), dc ?? 0);
    const dz = tf.concat(
      [
        tf.mul(tf.mul(dcTotal, g), dsig(i)),
        tf.mul(tf.mul(dcTotal, prev.c as tf.Tensor2D), dsig(f)),
        tf.mul(tf.mul(dcTotal, i), dtanh(g)),
        tf.mul(tf.mul(dh, tc), dsig(o)),
      ],
      1,
    ) as tf.Tensor2D;
    return { dxw: dz, dhw: dz, dcPrev: tf.mul(dcTotal, f) as tf.Tensor2D };
  },
  forwardFused(xw, hw, H, prev) {
    const [h, c, gates] = runFused('CharRNNLSTMForward', { xw, hw, cPrev: prev.c }, H);
    return { h, c, gates };
  },
  backwardFused(out, H, dh, dhNext, prev, dc) {
    const [dz, dcPrev] = runFused(
      'CharRNNLSTMBackward',
      { gates: out.gates, c: out.c, cPrev: prev.c, dh, dhNext, dc },
      H,
    );
    return { dxw: dz, dhw: dz, dcPrev };
  },
};

/** [r, z] = sigmoid(x W_x + h_prev W_h + b); n = tanh(x W_xn + b_n + r * (h_prev W_hn + b_hn)); h = (1 - z) n + z h_prev. */
const GRU: CellMath = {
  forward(xw, hw, H, prev, bhn) {
    const rz = tf.sigmoid(tf.add(cols(xw, 0, 2 * H), cols(hw, 0, 2 * H))) as tf.Tensor2D; // [B, 2H]
    const hn = tf.add(cols(hw, 2 * H, H), bhn as tf.Tensor1D) as tf.Tensor2D;
    const n = tf.tanh(tf.add(cols(xw, 2 * H, H), tf.mul(cols(rz, 0, H), hn))) as tf.Tensor2D;
    const z = cols(rz, H, H);
    const h = tf.add(n, tf.mul(z, tf.sub(prev.h, n))) as tf.Tensor2D; // (1 - z) n + z h_prev
    return { h, gates: tf.concat([rz, n], 1), hn };
  },
  backward(out, dh, prev) {
    const [r, z, n] = tf.split(out.gates, 3, 1);
    const dn = tf.mul(tf.mul(dh, tf.sub(1, z)), dtanh(n)); // d loss / d (pre-activation of n)
    const dr = tf.mul(tf.mul(dn, out.hn as tf.Tensor2D), dsig(r));
    const dzz = tf.mul(tf.mul(dh, tf.sub(prev.h, n)), dsig(z));
    return {
      dxw: tf.concat([dr, dzz, dn], 1) as tf.Tensor2D,
      dhw: tf.concat([dr, dzz, tf.mul(dn, r)], 1) as tf.Tensor2D,
      dhDirect: tf.mul(dh, z) as tf.Tensor2D,
    };
  },
  forwardFused(xw, hw, H, prev, bhn) {
    const [h, gates, hn] = runFused('CharRNNGRUForward', { xw, hw, bhn, hPrev: prev.h }, H);
    return { h, gates, hn };
  },
  backwardFused(out, H, dh, dhNext, prev) {
    const [dxw, dhw, dhDirect] = runFused(
      'CharRNNGRUBackward',
      { gates: out.gates, hn: out.hn, hPrev: prev.h, dh, dhNext },
      H,
    );
    return { dxw, dhw, dhDirect };
  },
};

const CELLS: Record<CellType, CellMath> = { rnn: RNN, lstm: LSTM, gru: GRU };

/** One step forward: xw = x W_x + b [B, G*H], hw = h_prev W_h [B, G*H]. bhn is GRU's recurrent bias [H]. */
export function forwardStep(cell: CellType, xw: tf.Tensor2D, hw: tf.Tensor2D, prev: Prev, bhn?: tf.Tensor1D): StepOut {
  const H = prev.h.shape[1];
  if (fusedAvailable(prev.h.size)) return CELLS[cell].forwardFused(xw, hw, H, prev, bhn);
  return CELLS[cell].forward(xw, hw, H, prev, bhn);
}

/**
 * One step backward. d loss / d h of this step is dh (from the layer above) + dhNext (from step t+1, absent at
 * the last step); dc is d loss / d c from step t+1 (LSTM).
 */
export function backwardStep(
  cell: CellType,
  out: StepOut,
  prev: Prev,
  dhAbove: tf.Tensor2D,
  dhNext?: tf.Tensor2D,
  dc?: tf.Tensor2D,
): StepGrads {
  if (fusedAvailable(prev.h.size)) return CELLS[cell].backwardFused(out, prev.h.shape[1], dhAbove, dhNext, prev, dc);
  const dh = dhNext ? (tf.add(dhAbove, dhNext) as tf.Tensor2D) : dhAbove;
  return CELLS[cell].backward(out, dh, prev, dc);
}
