import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../start';
import { Batch } from '../batch';
import { lossAndGrads } from '../tfjs/bptt';
import { forward, step } from '../tfjs/forward';
import { CharRNN, RNNState, disposeState } from '../../model/charrnn';
import { CellType } from '../../model/config';
import { Rng } from '../../rng';
import { Batches } from '../../text/batches';
import { nativeForward, nativeLossAndGrads, nativeStep } from './engine';
import { maxRelDiff, withAddon, withoutAddon } from './testing';

/** A batch as training makes it (char-rnn's layout, targets = next chars) from seeded random text over V chars. */
function randomBatch(V: number, T: number, B: number, seed: number): Batch {
  const rng = new Rng(seed);
  const ids = Uint16Array.from({ length: T * B + 1 }, () => Math.floor(rng.next() * V));
  return new Batches(ids, B, T).get(0);
}

/** A non-zero starting state (c too for LSTM), from the seed. */
function randomState(model: CharRNN, B: number, seed: number): RNNState {
  const { hiddenSize: H, numLayers: L } = model.config;
  const rng = new Rng(seed);
  const r = () =>
    tf.tensor2d(
      Float32Array.from({ length: B * H }, () => rng.uniform(-0.9, 0.9)),
      [B, H],
    );
  const h = Array.from({ length: L }, r);
  return model.config.cell === 'lstm' ? { h, c: Array.from({ length: L }, r) } : { h };
}

/** max |a - b| relative to max |b|, of two tensors. */
function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  return maxRelDiff(a.dataSync(), b.dataSync());
}

function disposeResult(r: { grads: Record<string, tf.Tensor>; state: RNNState }): void {
  tf.dispose(Object.values(r.grads));
  disposeState(r.state);
}

const V = 11;
const H = 6;
const T = 5;
const B = 3;

test('without the addon the native engine says why in one line', withoutAddon, async () => {
  await initBackend('wasm');
  const model = CharRNN.create({ cell: 'lstm', vocabSize: V, hiddenSize: H, numLayers: 1, dropout: 0 });
  const state = model.zeroState(B);
  assert.throws(
    () => nativeLossAndGrads(model, randomBatch(V, T, B, 1), state),
    (e: Error) => e.name === 'CharRNNError' && !e.message.includes('\n'),
  );
  disposeState(state);
  model.dispose();
});

for (const cell of ['rnn', 'lstm', 'gru'] as CellType[]) {
  for (const layers of [1, 2]) {
    for (const dropout of [0, 0.3]) {
      test(
        `native ${cell} ${layers} layer(s) dropout ${dropout}: loss, gradients and state equal the TF.js engine`,
        withAddon,
        async () => {
          await initBackend('wasm');
          const model = CharRNN.create(
            { cell, vocabSize: V, hiddenSize: H, numLayers: layers, dropout },
            { seed: 5, initScale: 0.5 },
          );
          const batch = randomBatch(V, T, B, 2);
          const state = randomState(model, B, 9);
          const dropoutSeed = dropout > 0 ? 77 : undefined;
          const ours = nativeLossAndGrads(model, batch, state, { dropoutSeed });
          const ref = lossAndGrads(model, batch, state, { dropoutSeed });
          assert.ok(Math.abs(ours.loss - ref.loss) < 1e-5 * ref.loss, `loss ${ours.loss} vs ${ref.loss}`);
          assert.deepEqual(Object.keys(ours.grads).sort(), Object.keys(ref.grads).sort());
          for (const name of Object.keys(ref.grads)) {
            assert.deepEqual(ours.grads[name].shape, ref.grads[name].shape, name);
            assert.ok(
              relDiff(ours.grads[name], ref.grads[name]) < 1e-4,
              `${name}: ${relDiff(ours.grads[name], ref.grads[name])}`,
            );
          }
          for (let l = 0; l < layers; l++) {
            assert.ok(relDiff(ours.state.h[l], ref.state.h[l]) < 1e-5, `h of layer ${l}`);
            if (cell === 'lstm')
              assert.ok(
                relDiff((ours.state.c as tf.Tensor[])[l], (ref.state.c as tf.Tensor[])[l]) < 1e-5,
                `c of layer ${l}`,
              );
          }
          disposeResult(ours);
          disposeResult(ref);
          disposeState(state);
          model.dispose();
        },
      );
    }
  }
}

test(
  'native engine on the cpu backend too (values shared with TF.js, never modified): equal to the TF.js engine',
  withAddon,
  async () => {
    await initBackend('cpu');
    const model = CharRNN.create(
      { cell: 'lstm', vocabSize: V, hiddenSize: H, numLayers: 2, dropout: 0.3 },
      { seed: 4, initScale: 0.5 },
    );
    const batch = randomBatch(V, T, B, 6);
    const state = randomState(model, B, 2);
    const before = Object.values(model.params).map((p) => Float32Array.from(p.dataSync()));
    const ours = nativeLossAndGrads(model, batch, state, { dropoutSeed: 3 });
    const again = nativeLossAndGrads(model, batch, ours.state, { dropoutSeed: 4 }); // reuses the workspace
    const ref = lossAndGrads(model, batch, state, { dropoutSeed: 3 });
    assert.ok(Math.abs(ours.loss - ref.loss) < 1e-5 * ref.loss);
    for (const name of Object.keys(ref.grads)) assert.ok(relDiff(ours.grads[name], ref.grads[name]) < 1e-4, name);
    Object.values(model.params).forEach((p, i) => assert.deepEqual(p.dataSync(), before[i]));
    [ours, again, ref].forEach(disposeResult);
    disposeState(state);
    model.dispose();
    await initBackend('wasm');
  },
);

test(
  'native engine on part of a batch (data-parallel streams) uses that part of the dropout masks',
  withAddon,
  async () => {
    await initBackend('wasm');
    const model = CharRNN.create(
      { cell: 'gru', vocabSize: V, hiddenSize: H, numLayers: 2, dropout: 0.4 },
      { seed: 8, initScale: 0.5 },
    );
    const batch = randomBatch(V, T, B, 12);
    const state = randomState(model, B, 13);
    const opts = { dropoutSeed: 21, streams: { from: 2, to: 2 + B, total: 7 } };
    const ours = nativeLossAndGrads(model, batch, state, opts);
    const ref = lossAndGrads(model, batch, state, opts);
    const whole = nativeLossAndGrads(model, batch, state, { dropoutSeed: 21 });
    assert.ok(Math.abs(ours.loss - ref.loss) < 1e-5 * ref.loss, `loss ${ours.loss} vs ${ref.loss}`);
    assert.notEqual(ours.loss, whole.loss); // other masks than the whole-batch ones
    for (const name of Object.keys(ref.grads)) assert.ok(relDiff(ours.grads[name], ref.grads[name]) < 1e-4, name);
    [ours, ref, whole].forEach(disposeResult);
    disposeState(state);
    model.dispose();
  },
);

/** Loss with every parameter moved by eps * dir[name]; parameters restored after. */
function lossAt(
  model: CharRNN,
  batch: Batch,
  state: RNNState,
  dir: Record<string, Float32Array>,
  eps: number,
  dropoutSeed: number,
): number {
  const saved = Object.fromEntries(Object.entries(model.params).map(([name, v]) => [name, tf.clone(v)]));
  for (const [name, v] of Object.entries(model.params)) {
    const moved = tf.tidy(() => tf.add(v, tf.mul(tf.tensor(dir[name], v.shape), eps)));
    v.assign(moved);
    moved.dispose();
  }
  const r = nativeLossAndGrads(model, batch, state, { dropoutSeed });
  disposeResult(r);
  for (const [name, v] of Object.entries(model.params)) v.assign(saved[name]);
  tf.dispose(Object.values(saved));
  return r.loss;
}

for (const cell of ['rnn', 'lstm', 'gru'] as CellType[]) {
  test(
    `native ${cell}: gradient equals a centred finite difference of the loss (2 layers, dropout)`,
    withAddon,
    async () => {
      await initBackend('wasm');
      const model = CharRNN.create(
        { cell, vocabSize: V, hiddenSize: H, numLayers: 2, dropout: 0.25 },
        { seed: 3, initScale: 0.5 },
      );
      const batch = randomBatch(V, T, B, 4);
      const state = randomState(model, B, 8);
      const r = nativeLossAndGrads(model, batch, state, { dropoutSeed: 5 });
      const rng = new Rng(6);
      const dir: Record<string, Float32Array> = {};
      let predicted = 0; // <grad, dir>
      for (const [name, v] of Object.entries(model.params)) {
        dir[name] = Float32Array.from({ length: v.size }, () => rng.uniform(-1, 1));
        const g = r.grads[name].dataSync();
        for (let i = 0; i < g.length; i++) predicted += g[i] * dir[name][i];
      }
      const eps = 1e-2;
      const measured =
        (lossAt(model, batch, state, dir, eps, 5) - lossAt(model, batch, state, dir, -eps, 5)) / (2 * eps);
      assert.ok(
        Math.abs(measured - predicted) < 2e-2 * Math.abs(predicted) + 1e-3,
        `${cell}: finite difference ${measured} vs gradient ${predicted}`,
      );
      disposeResult(r);
      disposeState(state);
      model.dispose();
    },
  );
}

for (const cell of ['rnn', 'lstm', 'gru'] as CellType[]) {
  test(`native ${cell} step equals the TF.js engine's step, at batch 1 and 3`, withAddon, async () => {
    await initBackend('wasm');
    const model = CharRNN.create(
      { cell, vocabSize: V, hiddenSize: H, numLayers: 2, dropout: 0 },
      { seed: 2, initScale: 0.5 },
    );
    for (const b of [1, 3]) {
      let ours = randomState(model, b, 1);
      let ref = randomState(model, b, 1);
      for (let i = 0; i < 4; i++) {
        const x = Int32Array.from({ length: b }, (_, k) => (i * 3 + k) % V);
        const a = nativeStep(model, x, ours);
        const e = step(model, x, ref);
        assert.ok(relDiff(a.logits, e.logits) < 1e-5, `logits at step ${i}`);
        disposeState(ours);
        disposeState(ref);
        tf.dispose([a.logits, e.logits]);
        ours = a.state;
        ref = e.state;
      }
      assert.ok(relDiff(ours.h[1], ref.h[1]) < 1e-5);
      disposeState(ours);
      disposeState(ref);
    }
    model.dispose();
  });
}

for (const cell of ['rnn', 'lstm', 'gru'] as CellType[]) {
  test(
    `native ${cell} forward equals the TF.js engine's forward: logits, state and collected activations`,
    withAddon,
    async () => {
      await initBackend('wasm');
      const model = CharRNN.create(
        { cell, vocabSize: V, hiddenSize: H, numLayers: 2, dropout: 0.5 },
        { seed: 6, initScale: 0.5 },
      );
      const batch = randomBatch(V, T, B, 7);
      const state = randomState(model, B, 5);
      const ours = nativeForward(model, batch.x, T, B, state, { collect: true });
      const ref = forward(model, batch.x, T, B, state, { collect: true });
      assert.ok(relDiff(ours.logits, ref.logits) < 1e-5, 'logits');
      const a = ours.activations as NonNullable<typeof ours.activations>;
      const e = ref.activations as NonNullable<typeof ref.activations>;
      for (let l = 0; l < 2; l++) {
        assert.ok(relDiff(ours.state.h[l], ref.state.h[l]) < 1e-5, `h of layer ${l}`);
        assert.deepEqual(a.h[l].shape, e.h[l].shape);
        assert.ok(relDiff(a.h[l], e.h[l]) < 1e-5, `activations h ${l}`);
        assert.deepEqual((a.gates as tf.Tensor[])[l].shape, (e.gates as tf.Tensor[])[l].shape);
        assert.ok(relDiff((a.gates as tf.Tensor[])[l], (e.gates as tf.Tensor[])[l]) < 1e-5, `gates ${l}`);
        if (cell === 'lstm')
          assert.ok(relDiff((a.c as tf.Tensor[])[l], (e.c as tf.Tensor[])[l]) < 1e-5, `activations c ${l}`);
      }
      for (const r of [ours, ref]) {
        tf.dispose([
          r.logits,
          ...(r.activations?.h ?? []),
          ...(r.activations?.c ?? []),
          ...(r.activations?.gates ?? []),
        ]);
        disposeState(r.state);
      }
      disposeState(state);
      model.dispose();
    },
  );
}

test('native training and sampling leak no tensors', withAddon, async () => {
  await initBackend('wasm');
  const model = CharRNN.create({ cell: 'lstm', vocabSize: V, hiddenSize: H, numLayers: 2, dropout: 0.2 }, { seed: 1 });
  let state = model.zeroState(B);
  const counts: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = nativeLossAndGrads(model, randomBatch(V, T, B, i), state, { dropoutSeed: i });
    for (const [name, g] of Object.entries(r.grads)) {
      const updated = tf.tidy(() => tf.sub(model.params[name], tf.mul(g, 0.1)));
      model.params[name].assign(updated);
      updated.dispose();
    }
    tf.dispose(Object.values(r.grads));
    disposeState(state);
    state = r.state;
    const s = nativeStep(model, Int32Array.of(1, 2, 3), state);
    s.logits.dispose();
    disposeState(s.state);
    counts.push(tf.memory().numTensors);
  }
  assert.ok(
    counts.every((c) => c === counts[0]),
    `tensor counts ${counts}`,
  );
  disposeState(state);
  model.dispose();
});
