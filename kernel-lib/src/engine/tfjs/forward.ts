import * as tf from '@tensorflow/tfjs-core';
import { CharRNN, RNNState } from '../../model/charrnn';
import { CellState } from '../../model/cell';
import { checkInputs, oneHotInput, prevOf } from '../batch';
import { forwardStep } from './cellmath';
import type { Activations, ForwardResult } from '../contract';
import { disposeSteps, layerForward } from './layer';
import { tidy } from './tidy';
import { installWasmKernels } from './wasm';
import { layerWeights, outputWeights } from './weights';

/**
 * The model over x [T*B] (time-major) from `state`, without dropout. collect = true also returns every step's
 * hidden and cell states and gate activations, for introspection. The caller disposes everything returned.
 */
export function forward(
  model: CharRNN,
  x: Int32Array,
  T: number,
  B: number,
  state: RNNState,
  opts: { collect?: boolean } = {},
): ForwardResult {
  installWasmKernels();
  checkInputs(model, [x], T, B, state);
  if (model.custom) return forwardCells(model, x, T, state, opts.collect ?? false);
  const collect = opts.collect ?? false;
  const activations: Activations = { h: [], ...(state.c ? { c: [] } : {}), gates: [] };
  const next: RNNState = { h: [], ...(state.c ? { c: [] } : {}) };
  let X = oneHotInput(x, model.config.vocabSize);
  for (let l = 0; l < model.config.numLayers; l++) {
    const steps = layerForward(layerWeights(model, l), X, T, prevOf(state, l));
    X.dispose();
    X = tf.concat(
      steps.map((s) => s.h),
      0,
    ); // [T*B, H], the input of the next layer
    const last = steps[T - 1];
    next.h.push(tf.clone(last.h));
    if (next.c) next.c.push(tf.clone(last.c as tf.Tensor2D));
    if (collect) {
      activations.h.push(tf.stack(steps.map((s) => s.h)) as tf.Tensor3D);
      activations.c?.push(tf.stack(steps.map((s) => s.c as tf.Tensor2D)) as tf.Tensor3D);
      activations.gates?.push(tf.stack(steps.map((s) => s.gates)) as tf.Tensor3D);
    }
    disposeSteps(steps);
  }
  const out = outputWeights(model);
  const logits = tf.tidy(() => tf.add(tf.matMul(X, out.w), out.b) as tf.Tensor2D);
  X.dispose();
  return { logits, state: next, ...(collect ? { activations } : {}) };
}

/**
 * One timestep for sampling: x [B] char ids, logits [B, V]. Few ops per layer, because at batch 1 the per-op
 * overhead is the cost: the first layer reads its input projection plus bias as rows of a cached table (a gather
 * instead of a one-hot product), the others and the softmax layer use one fused product-plus-bias.
 */
export function step(model: CharRNN, x: Int32Array, state: RNNState): { logits: tf.Tensor2D; state: RNNState } {
  installWasmKernels();
  const B = x.length;
  checkInputs(model, [x], 1, B, state);
  if (model.custom) {
    const r = forwardCells(model, x, 1, state, false);
    return { logits: r.logits, state: r.state };
  }
  const weights = model.cells.map((_, l) => layerWeights(model, l));
  const first = [model.params['layer0/kernel'], model.params['layer0/bias']];
  const table = model.derived.get('layer0/wx+b', first, () => tf.add(weights[0].wx, weights[0].b) as tf.Tensor2D); // [V, G*H]
  // At batch 1 the row itself is cached: no op at all for the first layer's input.
  const row =
    B === 1
      ? model.derived.get(`layer0/wx+b/${x[0]}`, first, () => tf.slice(table, [x[0], 0], [1, -1]) as tf.Tensor2D)
      : undefined;
  const out = outputWeights(model);
  return tidy(() => {
    const next: RNNState = { h: [], ...(state.c ? { c: [] } : {}) };
    let input: tf.Tensor2D | undefined;
    weights.forEach((w, l) => {
      const xw = input
        ? (tf.fused.matMul({ a: input, b: w.wx, bias: w.b }) as tf.Tensor2D)
        : (row ?? (tf.gather(table, tf.tensor1d(x, 'int32')) as tf.Tensor2D)); // [B, G*H]
      const prev = prevOf(state, l);
      const s = forwardStep(w.cell, xw, tf.matMul(prev.h, w.wh), prev, w.bhn);
      next.h.push(s.h);
      if (next.c) next.c.push(s.c as tf.Tensor2D);
      input = s.h;
    });
    return { logits: tf.fused.matMul({ a: input as tf.Tensor2D, b: out.w, bias: out.b }) as tf.Tensor2D, state: next };
  });
}

/** forward() for user-written cells: their step() one timestep at a time. */
function forwardCells(model: CharRNN, x: Int32Array, T: number, state: RNNState, collect: boolean): ForwardResult {
  return tidy((): ForwardResult => {
    const xs = tf.split(oneHotInput(x, model.config.vocabSize), T, 0) as tf.Tensor2D[]; // T x [B, V]
    const states: CellState[] = model.cells.map((_, l) => prevOf(state, l));
    const hs: tf.Tensor2D[][] = model.cells.map(() => []);
    const cs: tf.Tensor2D[][] = model.cells.map(() => []);
    const tops: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      let input = xs[t];
      model.cells.forEach((cell, l) => {
        const r = cell.step(input, states[l]);
        states[l] = r.state;
        hs[l].push(r.state.h);
        if (r.state.c) cs[l].push(r.state.c);
        input = r.output;
      });
      tops.push(input);
    }
    const logits = tf.add(
      tf.matMul(tf.concat(tops, 0), model.params['output/kernel'] as tf.Tensor2D),
      model.params['output/bias'],
    ) as tf.Tensor2D;
    const next: RNNState = { h: states.map((s) => tf.clone(s.h)) };
    if (state.c) next.c = states.map((s) => tf.clone(s.c as tf.Tensor2D));
    if (!collect) return { logits, state: next };
    const activations: Activations = { h: hs.map((list) => tf.stack(list) as tf.Tensor3D) };
    if (state.c) activations.c = cs.map((list) => tf.stack(list) as tf.Tensor3D);
    return { logits, state: next, activations };
  });
}
