import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../start';
import { CharRNN } from '../../model/charrnn';
import { Rng } from '../../rng';
import { Optimizer, OptimizerName } from '../optimizer';
import { nativeApply } from './optimizer';
import { maxRelDiff, withAddon, withoutAddon } from './testing';

for (const name of ['adam', 'rmsprop'] as OptimizerName[]) {
  test(
    `nativeApply (${name}) makes the same updates, slots and step count as Optimizer.apply, without leaks`,
    withAddon,
    async () => {
      await initBackend('wasm');
      const config = { cell: 'gru' as const, vocabSize: 7, hiddenSize: 5, numLayers: 2, dropout: 0 };
      const [ours, ref] = [CharRNN.create(config, { seed: 3 }), CharRNN.create(config, { seed: 3 })];
      const [optOurs, optRef] = [new Optimizer({ name }), new Optimizer({ name })];
      const rng = new Rng(9);
      const counts: number[] = [];
      for (let step = 0; step < 4; step++) {
        const grads = Object.fromEntries(
          Object.entries(ref.params).map(([k, v]) => [
            k,
            tf.tensor(
              Float32Array.from({ length: v.size }, () => rng.uniform(-1, 1)),
              v.shape,
            ),
          ]),
        );
        nativeApply(optOurs, ours.params, grads, 0.01);
        optRef.apply(ref.params, grads, 0.01);
        tf.dispose(Object.values(grads));
        counts.push(tf.memory().numTensors);
      }
      assert.equal(optOurs.step, optRef.step);
      assert.deepEqual(Object.keys(optOurs.slots).sort(), Object.keys(optRef.slots).sort());
      for (const k of Object.keys(ref.params))
        assert.ok(maxRelDiff(ours.params[k].dataSync(), ref.params[k].dataSync()) < 1e-5, k);
      for (const k of Object.keys(optRef.slots))
        assert.ok(maxRelDiff(optOurs.slots[k].dataSync(), optRef.slots[k].dataSync()) < 1e-5, k);
      assert.ok(
        counts.slice(1).every((c) => c === counts[1]),
        `tensor counts ${counts}`,
      );
      [optOurs, optRef].forEach((o) => o.dispose());
      [ours, ref].forEach((m) => m.dispose());
    },
  );
}

for (const name of ['adam', 'rmsprop'] as OptimizerName[]) {
  test(
    `nativeApply (${name}) stays finite where a gradient is 0 and its running average has decayed to 0`,
    withAddon,
    async () => {
      // A char seen once early and never again: its weights' slots decay below the smallest float. Under
      // -ffast-math this once turned a whole weight row into NaN (a vector sqrt of 0).
      await initBackend('wasm');
      const p = { w: tf.variable(tf.ones([64])) };
      const opt = new Optimizer({ name });
      const first = { w: tf.ones([64]) };
      nativeApply(opt, p, first, 0.01);
      first.w.dispose();
      const zero = { w: tf.zeros([64]) };
      for (let i = 0; i < 3000; i++) nativeApply(opt, p, zero, 0.01);
      zero.w.dispose();
      assert.ok((p.w.dataSync() as Float32Array).every(Number.isFinite));
      opt.dispose();
      p.w.dispose();
    },
  );
}

test('nativeApply without the addon throws one line saying why', withoutAddon, () => {
  assert.throws(() => nativeApply(new Optimizer(), {}, {}, 0.1), {
    name: 'CharRNNError',
    message: /^native path off[^\n]*$/,
  });
});
