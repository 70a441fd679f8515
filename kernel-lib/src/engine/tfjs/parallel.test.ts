import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../start';
import { CharRNN, disposeState } from '../../model/charrnn';
import { CellType } from '../../model/config';
import { Rng } from '../../rng';
import { lossAndGrads } from './bptt';
import { ParallelEngine } from './parallel';

function batch(V: number, T: number, B: number, seed: number) {
  const rng = new Rng(seed);
  const ids = () => Int32Array.from({ length: T * B }, () => Math.floor(rng.next() * V));
  return { x: ids(), y: ids(), T, B };
}

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let scale = 1e-6;
  for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]));
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d / scale;
}

test.before(async () => {
  await initBackend('wasm');
});

for (const [cell, dropout, threads] of [
  ['lstm', 0.3, 2],
  ['gru', 0, 2],
  ['rnn', 0.2, 3],
] as [CellType, number, number][]) {
  test(`${threads} threads give the same loss, gradients and state as one (${cell}, dropout ${dropout})`, async () => {
    const V = 11;
    const model = CharRNN.create({ cell, vocabSize: V, hiddenSize: 12, numLayers: 2, dropout }, { seed: 3 });
    const engine = await ParallelEngine.start(model, threads);
    const B = 7; // uneven shares
    const b = batch(V, 6, B, 1);
    const state = model.zeroState(B);
    // Two steps, the second from the state the first left, so carried state is exercised too.
    const one1 = lossAndGrads(model, b, state, { dropoutSeed: 42 });
    const par1 = await engine.lossAndGrads(model, b, state, { dropoutSeed: 42 });
    const b2 = batch(V, 6, B, 2);
    const one2 = lossAndGrads(model, b2, one1.state, { dropoutSeed: 43 });
    const par2 = await engine.lossAndGrads(model, b2, par1.state, { dropoutSeed: 43 });
    for (const [one, par] of [
      [one1, par1],
      [one2, par2],
    ]) {
      assert.ok(Math.abs(one.loss - par.loss) < 1e-5, `loss ${one.loss} vs ${par.loss}`);
      for (const name of Object.keys(model.params))
        assert.ok(maxRelDiff(one.grads[name], par.grads[name]) < 1e-4, name);
      one.state.h.forEach((h, l) => assert.ok(maxRelDiff(h, par.state.h[l]) < 1e-5));
      tf.dispose([...Object.values(one.grads), ...Object.values(par.grads)]);
    }
    for (const s of [state, one1.state, par1.state, one2.state, par2.state]) disposeState(s);
    await engine.dispose();
    model.dispose();
  });
}
