import * as tf from '@tensorflow/tfjs-core';
import { CharRNN, RNNState } from '../../model/charrnn';
import { GATES } from '../../model/config';
import { Batch, checkInputs } from '../batch';
import type { LossAndGrads } from '../bptt';
import { disposeMasks, dropoutMasks } from '../dropout';
import { Commands } from './commands';
import { requireGpu } from './device';
import { CROSS_ENTROPY, backwardShader, forwardShader } from './shaders';

/**
 * Loss and gradients of one batch on the GPU: the same maths, parameters, dropout masks and results (to float
 * tolerance) as the TF.js engine's lossAndGrads (../bptt.ts), as one command buffer with nothing read back inside.
 * Per layer: one product projects the input of all T steps (X W_x + b), then per step one product h_{t-1} W_h and
 * one fused cell kernel; backward per step one fused kernel and one product into d h_{t-1}, then each weight
 * gradient in one product over all T*B rows. Shapes: N = T*B rows, time-major; G gates; D = the layer's input size.
 *
 * This first version uploads the weights and reads the gradients back for every batch, so it plugs into the
 * trainer like the other engines; weights, optimizer and state resident on the GPU come next.
 */
export async function webgpuLossAndGrads(model: CharRNN, batch: Batch, state: RNNState, opts: { dropoutSeed?: number } = {}): Promise<LossAndGrads> {
  const { T, B } = batch;
  checkInputs(model, [batch.x, batch.y], T, B, state);
  const { cell, vocabSize: V, hiddenSize: H, numLayers: L } = model.config;
  const G = GATES[cell];
  const GH = G * H;
  const N = T * B;
  const cmd = new Commands(await requireGpu());
  const values = (t: tf.Tensor) => t.dataSync() as Float32Array;
  const masks = dropoutMasks(model, T, B, opts.dropoutSeed);
  const maskBuf = (m?: tf.Tensor) => (m ? cmd.buffer(values(m)) : undefined);
  const inputMasks = (masks?.inputs ?? []).map(maskBuf);
  const outputMask = maskBuf(masks?.output);
  disposeMasks(masks);
  try {
    const ones = cmd.buffer(new Float32Array(N).fill(1));
    const y = cmd.buffer(Uint32Array.from(batch.y));
    const layers = model.cells.map((_, l) => {
      const D = l === 0 ? V : H;
      return {
        D,
        kernel: cmd.buffer(values(model.params[`layer${l}/kernel`])), // [D + H, GH]
        bias: cmd.buffer(values(model.params[`layer${l}/bias`])), // [GH]
        bhn: cell === 'gru' ? cmd.buffer(values(model.params[`layer${l}/recurrent_bias`])) : undefined, // [H]
        X: cmd.buffer(N * D), // the layer's input [N, D]
        XW: cmd.buffer(N * GH), // X W_x + b [N, GH]
        Z: cmd.buffer(N * GH), // gate activations [N, GH]
        HS: cmd.buffer((T + 1) * B * H), // h_0 .. h_T [(T+1)*B, H]
        CS: cell === 'lstm' ? cmd.buffer((T + 1) * B * H) : undefined, // c_0 .. c_T
        HN: cell === 'gru' ? cmd.buffer(N * H) : undefined, // h_{t-1} W_hn + b_hn [N, H]
      };
    });
    const outW = cmd.buffer(values(model.params['output/kernel'])); // [H, V]
    const outB = cmd.buffer(values(model.params['output/bias'])); // [V]
    const hw = cmd.buffer(B * GH);

    // Forward, layer by layer over all T steps.
    const fwd = forwardShader(cell);
    layers.forEach((ly, l) => {
      if (l === 0) cmd.oneHot(cmd.buffer(Uint32Array.from(batch.x)), N, V, ly.X);
      else cmd.copy(N * H, layers[l - 1].HS, B * H, ly.X, 0, inputMasks[l]);
      cmd.broadcastRows(ly.bias, GH, ly.XW, N);
      cmd.matmul(N, GH, ly.D, { buf: ly.X, ld: ly.D }, { buf: ly.kernel, ld: GH }, { buf: ly.XW, ld: GH }, true);
      cmd.write(ly.HS, 0, values(state.h[l]));
      if (ly.CS) cmd.write(ly.CS, 0, values(state.c![l]));
      for (let t = 0; t < T; t++) {
        cmd.matmul(B, GH, H, { buf: ly.HS, off: t * B * H, ld: H }, { buf: ly.kernel, off: ly.D * GH, ld: GH }, { buf: hw, ld: GH });
        const bufs = [ly.XW, hw, ly.Z, ly.HS, ...(ly.CS ? [ly.CS] : []), ...(ly.HN ? [ly.HN, ly.bhn!] : [])];
        cmd.elementwise(fwd, [B, H, t], bufs, B * H);
      }
    });

    // Softmax layer: logits [N, V] become d loss / d logits in place; loss per row.
    const top = cmd.buffer(N * H);
    cmd.copy(N * H, layers[L - 1].HS, B * H, top, 0, outputMask);
    const logits = cmd.buffer(N * V);
    cmd.broadcastRows(outB, V, logits, N);
    cmd.matmul(N, V, H, { buf: top, ld: H }, { buf: outW, ld: V }, { buf: logits, ld: V }, true);
    const lossRows = cmd.buffer(N);
    cmd.rows(CROSS_ENTROPY, [N, V], [y, logits, lossRows], N);
    const gOutW = cmd.buffer(H * V);
    const gOutB = cmd.buffer(V);
    cmd.matmul(H, V, N, { buf: top, ld: H, trans: true }, { buf: logits, ld: V }, { buf: gOutW, ld: V });
    cmd.matmul(1, V, N, { buf: ones, ld: N }, { buf: logits, ld: V }, { buf: gOutB, ld: V });
    let dH = cmd.buffer(N * H); // d loss / d h of the layer being differentiated, all steps
    cmd.matmul(N, H, V, { buf: logits, ld: V }, { buf: outW, ld: V, trans: true }, { buf: dH, ld: H });
    if (outputMask) {
      const masked = cmd.buffer(N * H);
      cmd.copy(N * H, dH, 0, masked, 0, outputMask);
      dH = masked;
    }

    // Backward, top layer first.
    const bwd = backwardShader(cell);
    const dhn = cmd.buffer(B * H);
    const dcn = cell === 'lstm' ? cmd.buffer(B * H) : undefined;
    const grads = layers.map(() => ({ kernel: undefined as unknown as GPUBuffer, bias: undefined as unknown as GPUBuffer, bhn: undefined as GPUBuffer | undefined }));
    for (let l = L - 1; l >= 0; l--) {
      const ly = layers[l];
      const dXW = cmd.buffer(N * GH);
      const dHW = cell === 'gru' ? cmd.buffer(N * GH) : dXW;
      cmd.clear(dhn);
      if (dcn) cmd.clear(dcn);
      for (let t = T - 1; t >= 0; t--) {
        const bufs = cell === 'rnn' ? [ly.Z, dH, dhn, dXW]
          : cell === 'lstm' ? [ly.Z, dH, dhn, dXW, ly.CS!, dcn!]
            : [ly.Z, dH, dhn, dXW, ly.HS, ly.HN!, dHW];
        cmd.elementwise(bwd, [B, H, t], bufs, B * H);
        if (t > 0) {
          cmd.matmul(B, H, GH, { buf: dHW, off: t * B * GH, ld: GH }, { buf: ly.kernel, off: ly.D * GH, ld: GH, trans: true }, { buf: dhn, ld: H }, cell === 'gru');
        }
      }
      const g = grads[l];
      g.kernel = cmd.buffer((ly.D + H) * GH);
      cmd.matmul(ly.D, GH, N, { buf: ly.X, ld: ly.D, trans: true }, { buf: dXW, ld: GH }, { buf: g.kernel, ld: GH });
      cmd.matmul(H, GH, N, { buf: ly.HS, ld: H, trans: true }, { buf: dHW, ld: GH }, { buf: g.kernel, off: ly.D * GH, ld: GH });
      g.bias = cmd.buffer(GH);
      cmd.matmul(1, GH, N, { buf: ones, ld: N }, { buf: dXW, ld: GH }, { buf: g.bias, ld: GH });
      if (cell === 'gru') {
        g.bhn = cmd.buffer(H);
        cmd.matmul(1, H, N, { buf: ones, ld: N }, { buf: dHW, off: 2 * H, ld: GH }, { buf: g.bhn, ld: H });
      }
      if (l > 0) {
        const dX = cmd.buffer(N * H);
        cmd.matmul(N, H, GH, { buf: dXW, ld: GH }, { buf: ly.kernel, ld: GH, trans: true }, { buf: dX, ld: H });
        dH = dX;
        if (inputMasks[l]) {
          dH = cmd.buffer(N * H);
          cmd.copy(N * H, dX, 0, dH, 0, inputMasks[l]);
        }
      }
    }
    cmd.submit();

    // Read back: the loss (summed in float64 here), the gradients, the state after the last step.
    const rowLoss = await cmd.read(lossRows, 0, N);
    let sum = 0;
    for (const v of rowLoss) sum += v;
    const named: Record<string, tf.Tensor> = {};
    const read2d = async (buf: GPUBuffer, off: number, rows: number, cols: number) => tf.tensor2d(await cmd.read(buf, off, rows * cols), [rows, cols]);
    const read1d = async (buf: GPUBuffer, n: number) => tf.tensor1d(await cmd.read(buf, 0, n));
    named['output/kernel'] = await read2d(gOutW, 0, H, V);
    named['output/bias'] = await read1d(gOutB, V);
    for (let l = 0; l < L; l++) {
      named[`layer${l}/kernel`] = await read2d(grads[l].kernel, 0, layers[l].D + H, GH);
      named[`layer${l}/bias`] = await read1d(grads[l].bias, GH);
      if (grads[l].bhn) named[`layer${l}/recurrent_bias`] = await read1d(grads[l].bhn!, H);
    }
    const next: RNNState = { h: await Promise.all(layers.map((ly) => read2d(ly.HS, T * B * H, B, H))) };
    if (cell === 'lstm') next.c = await Promise.all(layers.map((ly) => read2d(ly.CS!, T * B * H, B, H)));
    return { loss: sum / N, grads: named, state: next };
  } finally {
    cmd.destroy();
  }
}
