import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../start';
import { CharRNNError } from '../../errors';
import { Rng } from '../../rng';
import { CharRNN, RNNState, disposeState } from '../../model/charrnn';
import { CellType } from '../../model/config';
import { lossAndGradsAutodiff } from './autodiff';
import { Batch } from '../batch';
import { lossAndGrads } from './bptt';
import { forward } from './forward';
import { useFusedKernels } from './kernels';

function randomBatch(V: number, T: number, B: number, seed: number): Batch {
  const rng = new Rng(seed);
  const ids = () => Int32Array.from({ length: T * B }, () => Math.floor(rng.next() * V));
  return { x: ids(), y: ids(), T, B };
}

/** A non-zero starting state, so the gradient path through the initial state's values is exercised. */
function randomState(model: CharRNN, B: number, seed: number): RNNState {
  const { hiddenSize: H, numLayers: L } = model.config;
  const r = (i: number) => tf.randomUniform([B, H], -0.9, 0.9, 'float32', seed + i) as tf.Tensor2D;
  const h = Array.from({ length: L }, (_, l) => r(l));
  return model.config.cell === 'lstm' ? { h, c: Array.from({ length: L }, (_, l) => r(100 + l)) } : { h };
}

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
}

function disposeResult(r: { grads: Record<string, tf.Tensor>; state: RNNState }): void {
  tf.dispose(Object.values(r.grads));
  disposeState(r.state);
}

const V = 5;
const H = 4;
const T = 4;
const B = 3;

/** Loss at params + eps * direction (direction given per parameter name), params restored after. */
function lossAt(
  model: CharRNN,
  batch: Batch,
  state: RNNState,
  dir: Record<string, tf.Tensor>,
  eps: number,
  dropoutSeed?: number,
): number {
  const saved: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(model.params)) {
    saved[name] = tf.clone(v);
    v.assign(tf.tidy(() => tf.add(v, tf.mul(dir[name], eps))));
  }
  const r = lossAndGrads(model, batch, state, { dropoutSeed });
  disposeResult(r);
  for (const [name, v] of Object.entries(model.params)) v.assign(saved[name]);
  tf.dispose(Object.values(saved));
  return r.loss;
}

async function checkGradients(
  backend: 'wasm' | 'cpu',
  cell: CellType,
  layers: number,
  dropout: number,
  fused = true,
): Promise<void> {
  await initBackend(backend);
  useFusedKernels(fused);
  const model = CharRNN.create(
    { cell, vocabSize: V, hiddenSize: H, numLayers: layers, dropout },
    { seed: 7, initScale: 0.5 },
  );
  const batch = randomBatch(V, T, B, 3);
  const state = randomState(model, B, 11);
  const dropoutSeed = dropout > 0 ? 1234 : undefined;
  const hand = lossAndGrads(model, batch, state, { dropoutSeed });
  const auto = lossAndGradsAutodiff(model, batch, state, { dropoutSeed });
  const what = `${backend} ${fused ? 'fused' : 'plain ops'} ${cell} ${layers} layer(s) dropout ${dropout}`;

  // Hand-written backward == autodiff of the same loss (same dropout masks), parameter by parameter.
  assert.ok(Math.abs(hand.loss - auto.loss) <= 1e-5 * auto.loss, `${what}: loss ${hand.loss} vs ${auto.loss}`);
  assert.deepEqual(Object.keys(hand.grads).sort(), Object.keys(model.params).sort());
  for (const name of Object.keys(model.params)) {
    assert.deepEqual(hand.grads[name].shape, model.params[name].shape, `${what}: shape of ${name}`);
    const scale = maxAbs(auto.grads[name]);
    const diff = tf.tidy(() => maxAbs(tf.sub(hand.grads[name], auto.grads[name])));
    assert.ok(scale > 1e-6, `${what}: ${name} has no gradient`);
    assert.ok(diff <= 1e-4 * scale + 1e-7, `${what}: ${name} differs from autodiff by ${diff} (scale ${scale})`);
  }
  // The final states agree too.
  for (let l = 0; l < layers; l++) {
    assert.ok(tf.tidy(() => maxAbs(tf.sub(hand.state.h[l], auto.state.h[l]))) < 1e-6, `${what}: final h`);
  }

  // Centred finite difference of the loss along a direction == <grad, direction>. The direction is random plus
  // the autodiff gradient (so the derivative is far from zero), scaled so no entry moves by more than eps.
  const rng = new Rng(5);
  const gmax = Math.max(...Object.values(auto.grads).map(maxAbs));
  const dir: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(model.params)) {
    const noise = tf.tensor(
      Float32Array.from({ length: v.size }, () => rng.uniform(-0.5, 0.5)),
      v.shape as number[],
    );
    dir[name] = tf.tidy(() => tf.add(noise, tf.div(auto.grads[name], gmax)));
    noise.dispose();
  }
  let analytic = 0;
  for (const n of Object.keys(dir)) analytic += tf.tidy(() => tf.sum(tf.mul(hand.grads[n], dir[n])).dataSync()[0]);
  const eps = 1e-2;
  const numeric =
    (lossAt(model, batch, state, dir, eps, dropoutSeed) - lossAt(model, batch, state, dir, -eps, dropoutSeed)) /
    (2 * eps);
  assert.ok(Math.abs(analytic) > 1e-3, `${what}: directional derivative too small to test (${analytic})`);
  assert.ok(
    Math.abs(numeric - analytic) <= 5e-3 * Math.abs(analytic),
    `${what}: finite difference ${numeric} vs analytic ${analytic}`,
  );

  tf.dispose(Object.values(dir));
  disposeResult(hand);
  disposeResult(auto);
  disposeState(state);
  model.dispose();
  useFusedKernels(true);
}

for (const cell of ['rnn', 'lstm', 'gru'] as CellType[]) {
  for (const layers of [1, 2, 3]) {
    for (const dropout of [0, 0.3]) {
      if (layers === 1 && dropout > 0) continue;
      test(`wasm: ${cell} x${layers} dropout ${dropout}: hand-written backward == autodiff == finite differences`, () =>
        checkGradients('wasm', cell, layers, dropout));
    }
  }
  test(`cpu: ${cell} x2 dropout 0.3: hand-written backward == autodiff == finite differences`, () =>
    checkGradients('cpu', cell, 2, 0.3));
  test(`wasm, plain ops (no fused kernels): ${cell} x2 dropout 0.3: backward == autodiff == finite differences`, () =>
    checkGradients('wasm', cell, 2, 0.3, false));
}

test('same dropout seed gives the same loss; another seed or none gives another', async () => {
  await initBackend('wasm');
  const model = CharRNN.create({ cell: 'lstm', vocabSize: V, hiddenSize: 8, numLayers: 2, dropout: 0.5 }, { seed: 1 });
  const batch = randomBatch(V, T, B, 2);
  const state = model.zeroState(B);
  const run = (dropoutSeed?: number) => {
    const r = lossAndGrads(model, batch, state, { dropoutSeed });
    disposeResult(r);
    return r.loss;
  };
  const a = run(9);
  assert.equal(run(9), a);
  assert.notEqual(run(10), a);
  assert.notEqual(run(undefined), a);
  disposeState(state);
  model.dispose();
});

test('lossAndGrads leaks no tensors and returns a fresh state', async () => {
  await initBackend('wasm');
  for (const cell of ['rnn', 'lstm', 'gru'] as CellType[]) {
    const model = CharRNN.create({ cell, vocabSize: V, hiddenSize: H, numLayers: 2, dropout: 0.2 }, { seed: 1 });
    const batch = randomBatch(V, T, B, 4);
    let state = model.zeroState(B);
    disposeResult(lossAndGrads(model, batch, state, { dropoutSeed: 1 })); // fills the model's weight cache
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const r = lossAndGrads(model, batch, state, { dropoutSeed: i });
      disposeState(state); // the returned state must not share tensors with the one passed in
      tf.dispose(Object.values(r.grads));
      state = r.state;
      assert.ok(!state.h[0].isDisposed && Number.isFinite(r.loss));
    }
    assert.equal(tf.memory().numTensors, before, `${cell}: tensors leaked`);
    disposeState(state);
    model.dispose();
  }
});

test('the carried state changes the loss (state flows from batch to batch)', async () => {
  await initBackend('wasm');
  const model = CharRNN.create(
    { cell: 'gru', vocabSize: V, hiddenSize: H, numLayers: 1, dropout: 0 },
    { seed: 3, initScale: 0.5 },
  );
  const batch = randomBatch(V, T, B, 5);
  const zero = model.zeroState(B);
  const first = lossAndGrads(model, batch, zero);
  const second = lossAndGrads(model, batch, first.state);
  assert.notEqual(second.loss, first.loss);
  disposeResult(first);
  disposeResult(second);
  disposeState(zero);
  model.dispose();
});

test('two batches with the state carried over give the loss of forward over both in one go', async () => {
  await initBackend('wasm');
  for (const cell of ['lstm', 'gru'] as CellType[]) {
    const model = CharRNN.create(
      { cell, vocabSize: V, hiddenSize: H, numLayers: 2, dropout: 0 },
      { seed: 8, initScale: 0.5 },
    );
    const whole = randomBatch(V, 2 * T, B, 6); // time-major: the first T*B ids are the first half in time
    const half = (k: number): Batch => ({
      x: whole.x.slice(k * T * B, (k + 1) * T * B),
      y: whole.y.slice(k * T * B, (k + 1) * T * B),
      T,
      B,
    });
    const zero = model.zeroState(B);
    const first = lossAndGrads(model, half(0), zero);
    const second = lossAndGrads(model, half(1), first.state);
    const f = forward(model, whole.x, 2 * T, B, zero);
    const full = tf.tidy(
      () => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(whole.y, 'int32'), V), f.logits).dataSync()[0],
    );
    assert.ok(
      Math.abs((first.loss + second.loss) / 2 - full) < 1e-5,
      `${cell}: ${(first.loss + second.loss) / 2} vs ${full}`,
    );
    assert.ok(tf.tidy(() => maxAbs(tf.sub(second.state.h[1], f.state.h[1]))) < 1e-6);
    [first, second].forEach(disposeResult);
    f.logits.dispose();
    [f.state, zero].forEach(disposeState);
    model.dispose();
  }
});

test('bad batches throw CharRNNError with one clear line', async () => {
  await initBackend('wasm');
  const model = CharRNN.create({ cell: 'lstm', vocabSize: V, hiddenSize: H, numLayers: 1, dropout: 0 });
  const state = model.zeroState(2);
  const ok = Int32Array.from([0, 1, 2, 3]);
  assert.throws(
    () => lossAndGrads(model, { x: Int32Array.from([0, 1, 9, 3]), y: ok, T: 2, B: 2 }, state),
    CharRNNError,
  );
  assert.throws(() => lossAndGrads(model, { x: ok, y: ok, T: 3, B: 2 }, state), /expected T\*B/);
  assert.throws(() => lossAndGrads(model, { x: ok, y: ok, T: 4, B: 1 }, state), /state tensor/);
  disposeState(state);
  model.dispose();
});
