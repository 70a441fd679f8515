import * as tf from '@tensorflow/tfjs-core';
import { Batch, checkInputs } from '../batch';
import type { Activations, Engine, ForwardResult, LossAndGrads } from '../contract';
import { Streams, disposeMasks, dropoutMasks } from '../dropout';
import { CharRNNError } from '../../errors';
import { CharRNN, RNNState } from '../../model/charrnn';
import { CellType, GATES } from '../../model/config';
import { NativeAddon, nativeAddon, nativeStatus } from './addon';
import { Workspace, tensorOf, valuesOf } from './arrays';
import { nativeApply } from './optimizer';

/**
 * The engine on the native addon: the same lossAndGrads, forward and step as the TF.js engine (../tfjs; same
 * parameters, state, dropout masks and results to float tolerance), computed on Float32Arrays with BLAS products
 * and fused C loops.
 * Per layer: one product (or, for the one-hot first layer, a row gather) projects the input of all T steps, then
 * one product per step; backward, one product per step and the weight gradients in one product each for the input
 * and the recurrent rows. Nothing is synchronised inside the loops: it all runs on this thread, with OpenBLAS's
 * own threads on every core inside each product.
 * Shapes: N = T*B rows, time-major (row t*B + b is stream b at step t); G gates; D = layer input size.
 */

const work = new Workspace();

/** What one layer's forward pass keeps for its backward pass. */
interface LayerRun {
  z: Float32Array; // [N, G*H] gate activations; backward overwrites them with d loss / d pre-activations
  hs: Float32Array; // [(T+1)*B, H] h_0 (the state passed in), h_1 .. h_T
  cs?: Float32Array; // [(T+1)*B, H] LSTM cell states, same layout
  hn?: Float32Array; // [N, H] GRU: h_prev W_hn + b_hn of each step
}

/** Step t's rows of a time-major array of `width` columns (rows t*B .. t*B+B-1), as a view. */
function stepRows(a: Float32Array, t: number, B: number, width: number): Float32Array {
  return a.subarray(t * B * width, (t + 1) * B * width);
}

/** The weights of layer l as the addon reads them. */
function layerWeights(model: CharRNN, l: number) {
  const { cell, vocabSize: V, hiddenSize: H } = model.config;
  const D = l === 0 ? V : H;
  const GH = GATES[cell] * H;
  const kernel = valuesOf(model.params[`layer${l}/kernel`]); // [D + H, G*H]
  const rb = model.params[`layer${l}/recurrent_bias`];
  return {
    cell,
    D,
    GH,
    kernel,
    wh: kernel.subarray(D * GH), // [H, G*H] the recurrent rows
    bias: valuesOf(model.params[`layer${l}/bias`]), // [G*H]
    bhn: rb ? valuesOf(rb) : undefined, // [H] GRU
  };
}

/**
 * One step of one layer: z [B, G*H] holds x W_x + b on entry (gate activations on exit); writes h [B, H] (and c).
 * GRU adds h_prev W_h separately (r multiplies its n part), using the scratch zh, and keeps hn for backward.
 */
function cellStep(
  nat: NativeAddon,
  cell: CellType,
  w: ReturnType<typeof layerWeights>,
  B: number,
  H: number,
  z: Float32Array,
  hPrev: Float32Array,
  h: Float32Array,
  c?: { prev: Float32Array; next: Float32Array },
  hn?: Float32Array,
): void {
  const GH = w.GH;
  if (cell === 'gru') {
    const zh = work.get('gru/zh', B * GH);
    nat.sgemm(0, 0, B, GH, H, 1, hPrev, H, w.wh, GH, 0, zh, GH);
    nat.gruForward(z, zh, w.bhn as Float32Array, hPrev, hn as Float32Array, h, B, H);
    return;
  }
  nat.sgemm(0, 0, B, GH, H, 1, hPrev, H, w.wh, GH, 1, z, GH); // z += h_prev W_h
  if (cell === 'rnn') {
    nat.rnnForward(z, h, B, H);
    return;
  }
  const { prev, next } = c as { prev: Float32Array; next: Float32Array };
  nat.lstmForward(z, prev, next, h, B, H);
}

/** Layer l over T steps. X [N, D] is its input, or undefined for layer 0 (which gathers rows by char id). */
function layerForward(
  nat: NativeAddon,
  model: CharRNN,
  l: number,
  ids: Int32Array,
  X: Float32Array | undefined,
  state: RNNState,
  T: number,
  B: number,
): LayerRun {
  const { cell, hiddenSize: H } = model.config;
  const w = layerWeights(model, l);
  const { D, GH } = w;
  const N = T * B;
  const BH = B * H;
  const z = work.get(`l${l}/z`, N * GH);
  if (X) {
    nat.sgemm(0, 0, N, GH, D, 1, X, D, w.kernel, GH, 0, z, GH); // X W_x for all steps at once
    nat.addRow(z, w.bias, N, GH);
  } else {
    nat.gatherRowsBias(w.kernel, w.bias, ids, z, N, GH); // one-hot x times W_x is row x of W_x
  }
  const hs = work.get(`l${l}/h`, (T + 1) * BH);
  hs.set(valuesOf(state.h[l]));
  const cs = cell === 'lstm' ? work.get(`l${l}/c`, (T + 1) * BH) : undefined;
  if (cs) cs.set(valuesOf((state.c as tf.Tensor2D[])[l]));
  const hn = cell === 'gru' ? work.get(`l${l}/hn`, N * H) : undefined;
  for (let t = 0; t < T; t++) {
    const c = cs && { prev: stepRows(cs, t, B, H), next: stepRows(cs, t + 1, B, H) };
    cellStep(
      nat,
      cell,
      w,
      B,
      H,
      stepRows(z, t, B, GH),
      stepRows(hs, t, B, H),
      stepRows(hs, t + 1, B, H),
      c,
      hn && stepRows(hn, t, B, H),
    );
  }
  return { z, hs, cs, hn };
}

/**
 * Backprop through time for layer l. dH [N, H] holds d loss / d h_t from above; the recurrent gradient is added
 * into it step by step (row block t-1 receives dz_t W_h^T). No gradient flows into the starting state.
 */
function layerBackward(
  nat: NativeAddon,
  model: CharRNN,
  l: number,
  run: LayerRun,
  dH: Float32Array,
  ids: Int32Array,
  X: Float32Array | undefined,
  T: number,
  B: number,
) {
  const { cell, hiddenSize: H } = model.config;
  const w = layerWeights(model, l);
  const { D, GH } = w;
  const N = T * B;
  const { z, hs, cs, hn } = run;
  const dzh = cell === 'gru' ? work.get('gru/dzh', N * GH) : z; // d loss / d (h_prev W_h): differs from z only for GRU
  const dc = cell === 'lstm' ? work.zeros('lstm/dc', B * H) : undefined;
  for (let t = T - 1; t >= 0; t--) {
    const zt = stepRows(z, t, B, GH);
    const dh = stepRows(dH, t, B, H);
    const dhPrev = t > 0 ? stepRows(dH, t - 1, B, H) : work.zeros('dh/discard', B * H); // nothing flows into h_0
    if (cell === 'lstm')
      nat.lstmBackward(
        zt,
        dh,
        dc as Float32Array,
        stepRows(cs as Float32Array, t + 1, B, H),
        stepRows(cs as Float32Array, t, B, H),
        B,
        H,
      );
    else if (cell === 'rnn') nat.rnnBackward(zt, dh, B, H);
    else
      nat.gruBackward(
        zt,
        stepRows(dzh, t, B, GH),
        dh,
        stepRows(hs, t, B, H),
        stepRows(hn as Float32Array, t, B, H),
        dhPrev,
        B,
        H,
      );
    if (t > 0) nat.sgemm(0, 1, B, H, GH, 1, stepRows(dzh, t, B, GH), GH, w.wh, GH, 1, dhPrev, H); // += dz_t W_h^T
  }
  // Weight gradients over all N rows: input rows X^T dZ (a scatter for one-hot input), recurrent rows H_prev^T dZh.
  const kernel = new Float32Array((D + H) * GH);
  if (X) nat.sgemm(1, 0, D, GH, N, 1, X, D, z, GH, 0, kernel, GH);
  else nat.scatterAddRows(z, ids, kernel, N, GH);
  nat.sgemm(1, 0, H, GH, N, 1, hs, H, dzh, GH, 0, kernel.subarray(D * GH), GH); // hs rows 0..N-1 = h_prev per step
  const bias = new Float32Array(GH);
  nat.colSum(z, N, GH, 0, GH, bias);
  let recurrentBias: Float32Array | undefined;
  if (cell === 'gru') {
    recurrentBias = new Float32Array(H);
    nat.colSum(dzh, N, GH, 2 * H, H, recurrentBias);
  }
  // d loss / d X [N, D] = dZ W_x^T, for the layer below.
  let dX: Float32Array | undefined;
  if (X) {
    dX = work.get(`l${l - 1}/dH`, N * D);
    nat.sgemm(0, 1, N, D, GH, 1, z, GH, w.kernel, GH, 0, dX, D);
  }
  return { kernel, bias, recurrentBias, dX };
}

/** The engine's dropout masks as arrays (the same tf.randomUniform draws, so both engines drop the same units). */
function readMasks(model: CharRNN, T: number, B: number, seed?: number, streams?: Streams) {
  const masks = dropoutMasks(model, T, B, seed, streams);
  if (!masks) return undefined;
  const read = {
    inputs: masks.inputs.map((m) => m && (m.dataSync() as Float32Array)),
    output: masks.output.dataSync() as Float32Array,
  };
  disposeMasks(masks);
  return read;
}

/** h times a dropout mask, in a scratch array; h itself when there is no mask. */
function dropped(nat: NativeAddon, name: string, h: Float32Array, mask?: Float32Array): Float32Array {
  if (!mask) return h;
  const out = work.get(name, h.length);
  out.set(h);
  nat.mulInPlace(out, mask);
  return out;
}

/**
 * Loss and gradients of one batch, like the TF.js engine's lossAndGrads (built-in cells only). opts.streams says which
 * streams of a larger batch this is (data-parallel training), so that the dropout masks are that part's.
 */
export function nativeLossAndGrads(
  model: CharRNN,
  batch: Batch,
  state: RNNState,
  opts: { dropoutSeed?: number; streams?: Streams } = {},
): LossAndGrads {
  if (model.custom)
    throw new CharRNNError(
      'the native engine runs the built-in cells only; models with your own cells train on the TF.js engine',
    );
  const nat = nativeAddon();
  const { T, B } = batch;
  checkInputs(model, [batch.x, batch.y], T, B, state);
  const { cell, vocabSize: V, hiddenSize: H, numLayers: L } = model.config;
  const N = T * B;
  const masks = readMasks(model, T, B, opts.dropoutSeed, opts.streams);

  // Forward: inputs[l] [N, D] is what layer l read (undefined for layer 0), top [N, H] what the softmax reads.
  const inputs: (Float32Array | undefined)[] = [undefined];
  const runs: LayerRun[] = [];
  for (let l = 0; l < L; l++) {
    runs.push(layerForward(nat, model, l, batch.x, inputs[l], state, T, B));
    const h = runs[l].hs.subarray(B * H); // [N, H] h_1 .. h_T
    if (l < L - 1) inputs.push(dropped(nat, `l${l + 1}/x`, h, masks?.inputs[l + 1]));
    else inputs.push(dropped(nat, 'top', h, masks?.output));
  }
  const top = inputs[L] as Float32Array;

  // Softmax layer, fused with the loss: logits [N, V] become d loss / d logits.
  const wOut = valuesOf(model.params['output/kernel']); // [H, V]
  const logits = work.get('logits', N * V);
  nat.sgemm(0, 0, N, V, H, 1, top, H, wOut, V, 0, logits, V);
  nat.addRow(logits, valuesOf(model.params['output/bias']), N, V);
  const loss = nat.softmaxXent(logits, batch.y, N, V, 1 / N) / N;
  const dOutKernel = new Float32Array(H * V);
  nat.sgemm(1, 0, H, V, N, 1, top, H, logits, V, 0, dOutKernel, V);
  const dOutBias = new Float32Array(V);
  nat.colSum(logits, N, V, 0, V, dOutBias);
  const dTop = work.get(`l${L - 1}/dH`, N * H);
  nat.sgemm(0, 1, N, H, V, 1, logits, V, wOut, V, 0, dTop, H);
  if (masks) nat.mulInPlace(dTop, masks.output);

  const grads: Record<string, tf.Tensor> = {
    'output/kernel': tensorOf(dOutKernel, [H, V]),
    'output/bias': tensorOf(dOutBias, [V]),
  };
  let dH = dTop;
  for (let l = L - 1; l >= 0; l--) {
    const g = layerBackward(nat, model, l, runs[l], dH, batch.x, inputs[l], T, B);
    const GH = GATES[cell] * H;
    grads[`layer${l}/kernel`] = tensorOf(g.kernel, [g.kernel.length / GH, GH]);
    grads[`layer${l}/bias`] = tensorOf(g.bias, [GH]);
    if (g.recurrentBias) grads[`layer${l}/recurrent_bias`] = tensorOf(g.recurrentBias, [H]);
    if (g.dX) {
      const mask = masks?.inputs[l];
      if (mask) nat.mulInPlace(g.dX, mask);
      dH = g.dX;
    }
  }

  const last = (a: Float32Array) => tensorOf<tf.Rank.R2>(a.slice(T * B * H), [B, H]);
  const next: RNNState = { h: runs.map((r) => last(r.hs)) };
  if (cell === 'lstm') next.c = runs.map((r) => last(r.cs as Float32Array));
  return { loss, grads, state: next };
}

/**
 * The model over x [T*B] (time-major) from `state`, without dropout, like the TF.js engine's forward (evaluation,
 * introspection): logits [T*B, V], the state after the last step, and with collect every step's h, c and gates.
 */
export function nativeForward(
  model: CharRNN,
  x: Int32Array,
  T: number,
  B: number,
  state: RNNState,
  opts: { collect?: boolean } = {},
): ForwardResult {
  if (model.custom)
    throw new CharRNNError(
      'the native engine runs the built-in cells only; models with your own cells run on the TF.js engine',
    );
  const nat = nativeAddon();
  checkInputs(model, [x], T, B, state);
  const { cell, vocabSize: V, hiddenSize: H, numLayers: L } = model.config;
  const N = T * B;
  const GH = GATES[cell] * H;
  const activations: Activations = { h: [], ...(cell === 'lstm' ? { c: [] } : {}), gates: [] };
  const next: RNNState = { h: [], ...(cell === 'lstm' ? { c: [] } : {}) };
  let input: Float32Array | undefined;
  for (let l = 0; l < L; l++) {
    const run = layerForward(nat, model, l, x, input, state, T, B);
    input = run.hs.subarray(B * H); // [N, H] h_1 .. h_T, the next layer's input
    next.h.push(tensorOf(run.hs.slice(N * H), [B, H]));
    if (run.cs) next.c?.push(tensorOf(run.cs.slice(N * H), [B, H]));
    if (opts.collect) {
      activations.h.push(tensorOf(input.slice(), [T, B, H]));
      if (run.cs) activations.c?.push(tensorOf(run.cs.slice(B * H), [T, B, H]));
      activations.gates?.push(tensorOf(run.z.slice(), [T, B, GH]));
    }
  }
  const logits = new Float32Array(N * V);
  nat.sgemm(0, 0, N, V, H, 1, input as Float32Array, H, valuesOf(model.params['output/kernel']), V, 0, logits, V);
  nat.addRow(logits, valuesOf(model.params['output/bias']), N, V);
  return { logits: tensorOf(logits, [N, V]), state: next, ...(opts.collect ? { activations } : {}) };
}

/** One timestep for sampling, like the TF.js engine's step: x [B] char ids, logits [B, V]. */
export function nativeStep(model: CharRNN, x: Int32Array, state: RNNState): { logits: tf.Tensor2D; state: RNNState } {
  if (model.custom)
    throw new CharRNNError(
      'the native engine runs the built-in cells only; models with your own cells sample on the TF.js engine',
    );
  const nat = nativeAddon();
  const B = x.length;
  checkInputs(model, [x], 1, B, state);
  const { cell, vocabSize: V, hiddenSize: H, numLayers: L } = model.config;
  const next: RNNState = { h: [], ...(cell === 'lstm' ? { c: [] } : {}) };
  let input: Float32Array | undefined; // [B, H] the layer below's h
  for (let l = 0; l < L; l++) {
    const w = layerWeights(model, l);
    const z = work.get(`step/l${l}/z`, B * w.GH);
    if (input) {
      nat.sgemm(0, 0, B, w.GH, H, 1, input, H, w.kernel, w.GH, 0, z, w.GH);
      nat.addRow(z, w.bias, B, w.GH);
    } else {
      nat.gatherRowsBias(w.kernel, w.bias, x, z, B, w.GH);
    }
    const h = new Float32Array(B * H);
    const c =
      cell === 'lstm' ? { prev: valuesOf((state.c as tf.Tensor2D[])[l]), next: new Float32Array(B * H) } : undefined;
    cellStep(
      nat,
      cell,
      w,
      B,
      H,
      z,
      valuesOf(state.h[l]),
      h,
      c,
      cell === 'gru' ? work.get('step/hn', B * H) : undefined,
    );
    next.h.push(tensorOf(h, [B, H]));
    if (c) next.c?.push(tensorOf(c.next, [B, H]));
    input = h;
  }
  const logits = new Float32Array(B * V);
  nat.sgemm(0, 0, B, V, H, 1, input as Float32Array, H, valuesOf(model.params['output/kernel']), V, 0, logits, V);
  nat.addRow(logits, valuesOf(model.params['output/bias']), B, V);
  return { logits: tensorOf(logits, [B, V]), state: next };
}

/** The native engine under the engine contract: products threaded by BLAS, so a step runs on one thread. */
export const nativeEngine: Engine = {
  name: 'native',
  // Logits, probabilities and their gradient (3.5 copies measured, as for the TF.js engine's 12.5).
  memory: { outputCopies: 4, workerThreads: false },
  describe: () => `native engine (${nativeStatus().detail})`,
  cannotRun(model) {
    const status = nativeStatus();
    if (!status.available) return status.detail;
    return model.custom
      ? 'the native engine runs the built-in cells only; your own cells train on the TF.js engine'
      : undefined;
  },
  lossAndGrads: nativeLossAndGrads,
  forward: nativeForward,
  step: nativeStep,
  // The same update fused in C: the new weights stay host arrays, which the next step reads for free.
  apply: nativeApply,
};

/** Lets go of the engine's scratch arrays (hundreds of MB after training a large model). */
export function releaseNativeMemory(): void {
  work.clear();
}
