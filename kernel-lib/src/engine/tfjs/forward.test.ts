import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../start';
import { Rng } from '../../rng';
import { CharRNN, RNNState, disposeState } from '../../model/charrnn';
import { Cell, CellState, uniformVariable } from '../../model/cell';
import { CellType } from '../../model/config';
import { lossAndGrads } from './bptt';
import { forward, step } from './forward';

const V = 6;
const T = 5;
const B = 2;

function ids(n: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(rng.next() * V));
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Runs step() T times over time-major x; returns logits stacked [T*B, V] and the final state. */
function stepThrough(
  model: CharRNN,
  x: Int32Array,
  state: RNNState,
  batch = B,
): { logits: tf.Tensor2D; state: RNNState } {
  const all: tf.Tensor2D[] = [];
  let s = state;
  for (let t = 0; t < T; t++) {
    const r = step(model, x.subarray(t * batch, (t + 1) * batch), s);
    if (s !== state) disposeState(s);
    all.push(r.logits);
    s = r.state;
  }
  const logits = tf.concat(all, 0);
  tf.dispose(all);
  return { logits, state: s };
}

test('at batch 1, step() (cached input rows) == forward, and follows a change of the weights', async () => {
  await initBackend('wasm');
  const model = CharRNN.create(
    { cell: 'lstm', vocabSize: V, hiddenSize: 4, numLayers: 2, dropout: 0 },
    { seed: 3, initScale: 0.5 },
  );
  const x = ids(T, 4);
  for (let round = 0; round < 2; round++) {
    const start = model.zeroState(1);
    const f = forward(model, x, T, 1, start);
    const s = stepThrough(model, x, start, 1);
    assert.ok(maxDiff(f.logits, s.logits) < 1e-5, `logits, round ${round}`);
    tf.dispose([f.logits, s.logits]);
    disposeState(f.state);
    disposeState(s.state);
    disposeState(start);
    const kernel = model.params['layer0/kernel'] as tf.Variable;
    kernel.assign(tf.tidy(() => tf.mul(kernel, -1.5)));
  }
});

for (const cell of ['rnn', 'lstm', 'gru'] as CellType[]) {
  test(`${cell}: forward over T steps == step() T times; activations line up`, async () => {
    await initBackend('wasm');
    const model = CharRNN.create(
      { cell, vocabSize: V, hiddenSize: 4, numLayers: 2, dropout: 0.5 },
      { seed: 2, initScale: 0.5 },
    );
    const x = ids(T * B, 1);
    const start = model.zeroState(B);
    const f = forward(model, x, T, B, start, { collect: true });
    const s = stepThrough(model, x, start);
    assert.deepEqual(f.logits.shape, [T * B, V]);
    assert.ok(maxDiff(f.logits, s.logits) < 1e-5, 'logits');
    for (let l = 0; l < 2; l++) assert.ok(maxDiff(f.state.h[l], s.state.h[l]) < 1e-5, `h of layer ${l}`);
    const act = f.activations;
    assert.ok(act);
    assert.deepEqual(act.h[1].shape, [T, B, 4]);
    assert.ok(
      tf.tidy(() => maxDiff(tf.reshape(tf.slice(act.h[1], [T - 1, 0, 0], [1, B, 4]), [B, 4]), f.state.h[1])) < 1e-6,
      'last h',
    );
    const G = { rnn: 1, lstm: 4, gru: 3 }[cell];
    assert.deepEqual(act.gates?.[0].shape, [T, B, G * 4]);
    assert.equal(act.c?.length, cell === 'lstm' ? 2 : undefined);
    const g = act.gates?.[0].dataSync() ?? [];
    assert.ok(g.every((v) => v >= -1 && v <= 1));
    // forward's loss is the one lossAndGrads reports (dropout off without a seed).
    const y = ids(T * B, 9);
    const viaForward = tf.tidy(
      () => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(y, 'int32'), V), f.logits).dataSync()[0],
    );
    const r = lossAndGrads(model, { x, y, T, B }, start);
    assert.ok(Math.abs(viaForward - r.loss) < 1e-5, `${viaForward} vs ${r.loss}`);
    tf.dispose([f.logits, s.logits, ...act.h, ...(act.c ?? []), ...(act.gates ?? []), ...Object.values(r.grads)]);
    [f.state, s.state, start, r.state].forEach(disposeState);
    model.dispose();
  });
}

test('forward and step leak no tensors', async () => {
  await initBackend('wasm');
  const model = CharRNN.create({ cell: 'lstm', vocabSize: V, hiddenSize: 4, numLayers: 2, dropout: 0 });
  const state = model.zeroState(B);
  const x = ids(T * B, 3);
  const run = () => {
    const f = forward(model, x, T, B, state, { collect: true });
    tf.dispose([f.logits, ...(f.activations?.h ?? []), ...(f.activations?.c ?? []), ...(f.activations?.gates ?? [])]);
    disposeState(f.state);
    const s = step(model, x.subarray(0, B), state);
    s.logits.dispose();
    disposeState(s.state);
  };
  run(); // fills the model's weight cache
  const before = tf.memory().numTensors;
  run();
  run();
  assert.equal(tf.memory().numTensors, before);
  disposeState(state);
  model.dispose();
});

/** A user-written cell: a minimal gated RNN, h = u * h_prev + (1 - u) * tanh(x W + h_prev U), u = sigmoid(x a + b). */
class MinimalGatedCell implements Cell {
  readonly w: tf.Variable;
  readonly u: tf.Variable;
  readonly a: tf.Variable;
  readonly b: tf.Variable;
  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    rng: Rng,
  ) {
    this.w = uniformVariable([inputSize, hiddenSize], rng, 0.5);
    this.u = uniformVariable([hiddenSize, hiddenSize], rng, 0.5);
    this.a = uniformVariable([inputSize, hiddenSize], rng, 0.5);
    this.b = uniformVariable([hiddenSize], rng, 0.5);
  }
  get variables() {
    return { w: this.w, u: this.u, a: this.a, b: this.b };
  }
  zeroState(batchSize: number): CellState {
    return { h: tf.zeros([batchSize, this.hiddenSize]) };
  }
  step(x: tf.Tensor2D, state: CellState) {
    return tf.tidy(() => {
      const u = tf.sigmoid(tf.add(tf.matMul(x, this.a as tf.Tensor2D), this.b));
      const cand = tf.tanh(tf.add(tf.matMul(x, this.w as tf.Tensor2D), tf.matMul(state.h, this.u as tf.Tensor2D)));
      const h = tf.add(tf.mul(u, state.h), tf.mul(tf.sub(1, u), cand)) as tf.Tensor2D;
      return { output: h, state: { h } };
    });
  }
}

test('a user-written cell trains through autodiff: gradients match finite differences, loss goes down', async () => {
  await initBackend('wasm');
  const rng = new Rng(4);
  const model = CharRNN.fromCells([new MinimalGatedCell(V, 5, rng), new MinimalGatedCell(5, 5, rng)], V, { seed: 1 });
  assert.ok(model.custom);
  assert.deepEqual(Object.keys(model.params).sort(), [
    'layer0/a',
    'layer0/b',
    'layer0/u',
    'layer0/w',
    'layer1/a',
    'layer1/b',
    'layer1/u',
    'layer1/w',
    'output/bias',
    'output/kernel',
  ]);
  // A sequence with structure: each char is the previous + 1.
  const x = Int32Array.from({ length: T * B }, (_, i) => (Math.floor(i / B) + (i % B)) % V);
  const y = x.map((c) => (c + 1) % V);
  const batch = { x, y, T, B };
  const state = model.zeroState(B);

  // Finite difference on one weight entry of each variable.
  const r = lossAndGrads(model, batch, state);
  const lossAt = () => {
    const q = lossAndGrads(model, batch, state);
    tf.dispose(Object.values(q.grads));
    disposeState(q.state);
    return q.loss;
  };
  const eps = 1e-2;
  for (const [name, v] of Object.entries(model.params)) {
    const values = v.dataSync().slice() as Float32Array;
    const probe = (delta: number) => {
      const moved = values.slice();
      moved[0] += delta;
      v.assign(tf.tensor(moved, v.shape as number[]));
      return lossAt();
    };
    const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
    v.assign(tf.tensor(values, v.shape as number[]));
    const analytic = r.grads[name].dataSync()[0];
    assert.ok(Math.abs(numeric - analytic) <= 2e-2 * Math.abs(analytic) + 2e-4, `${name}: ${numeric} vs ${analytic}`);
  }
  tf.dispose(Object.values(r.grads));
  disposeState(r.state);

  // Plain SGD lowers the loss.
  const first = lossAt();
  for (let i = 0; i < 30; i++) {
    const g = lossAndGrads(model, batch, state);
    for (const [name, v] of Object.entries(model.params)) v.assign(tf.tidy(() => tf.sub(v, tf.mul(g.grads[name], 1))));
    tf.dispose(Object.values(g.grads));
    disposeState(g.state);
  }
  const last = lossAt();
  assert.ok(last < 0.8 * first, `loss went from ${first} to ${last}`);

  // forward == step for a user-written cell too.
  const f = forward(model, x, T, B, state);
  const s = stepThrough(model, x, state);
  assert.ok(maxDiff(f.logits, s.logits) < 1e-5);
  tf.dispose([f.logits, s.logits]);
  [f.state, s.state, state].forEach(disposeState);
  model.dispose();
});
