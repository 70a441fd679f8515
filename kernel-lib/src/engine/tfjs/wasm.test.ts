import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../start';
import { installWasmKernels, prepareWasmKernels } from './wasm';

/** Values 0..n-1 in the given shape, so every element says where it came from. */
const iota = (shape: number[]) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => i),
    shape,
  );

test('wasm Slice and SplitV overrides return the same pieces as computed by hand', async () => {
  await initBackend('wasm');
  installWasmKernels();
  const x = iota([6, 4]); // x[i][j] = 4 i + j
  assert.deepEqual(
    Array.from(tf.slice(x, [2, 0], [3, 4]).dataSync()),
    Array.from({ length: 12 }, (_, k) => 8 + k),
  );
  assert.deepEqual(Array.from(tf.slice(x, [1, 1], [2, 2]).dataSync()), [5, 6, 9, 10]);
  assert.deepEqual(Array.from(tf.slice(x, [4, 2], [-1, -1]).dataSync()), [18, 19, 22, 23]);
  assert.deepEqual(Array.from(tf.slice(iota([10]), [3], [4]).dataSync()), [3, 4, 5, 6]);
  const rows = tf.split(x, 3, 0);
  assert.deepEqual(
    rows.map((r) => r.shape),
    [
      [2, 4],
      [2, 4],
      [2, 4],
    ],
  );
  assert.deepEqual(Array.from(rows[2].dataSync()), [16, 17, 18, 19, 20, 21, 22, 23]);
  const cols = tf.split(x, [1, 3], 1);
  assert.deepEqual(Array.from(cols[0].dataSync()), [0, 4, 8, 12, 16, 20]);
  assert.deepEqual(Array.from(cols[1].dataSync()).slice(0, 3), [1, 2, 3]);
  // Rank 3, int32 and bool still work (rank 3 goes to the stock kernel).
  assert.deepEqual(Array.from(tf.slice(iota([2, 3, 2]), [1, 1, 0], [1, 2, 2]).dataSync()), [8, 9, 10, 11]);
  assert.deepEqual(Array.from(tf.slice(tf.tensor1d([5, 6, 7], 'int32'), [1], [2]).dataSync()), [6, 7]);
  assert.deepEqual(Array.from(tf.slice(tf.tensor1d([true, false, true], 'bool'), [1], [2]).dataSync()), [0, 1]);
  // Many allocations in a row (the heap may grow between them) keep the values right.
  const big = iota([3000, 300]);
  const pieces = tf.split(big, 100, 0);
  assert.equal(pieces[99].dataSync()[0], 99 * 30 * 300);
  tf.dispose([x, big, ...rows, ...cols, ...pieces]);
});

test('wasm matMul through gemm.ts equals a product done elementwise, follows changed weights, and leaks nothing', async () => {
  await initBackend('wasm');
  assert.match(await prepareWasmKernels(), /charrnn gemm/);
  const product = (a: tf.Tensor2D, b: tf.Tensor2D) =>
    tf.tidy(() => tf.sum(tf.mul(tf.expandDims(a, 2), tf.expandDims(b, 0)), 1));
  const maxDiff = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]);
  const before = tf.memory().numTensors;
  const w = tf.tidy(() => tf.variable(tf.randomNormal([48, 32], 0, 1, 'float32', 1)));
  for (let round = 0; round < 3; round++) {
    // The same right operand many times (packed once), then new values under the same variable.
    for (const M of [1, 5, 130]) {
      const a = tf.randomNormal([M, 48], 0, 1, 'float32', M + round) as tf.Tensor2D;
      const got = tf.matMul(a, w);
      const want = product(a, w as tf.Tensor2D);
      assert.ok(maxDiff(got, want) < 1e-4, `round ${round}, M ${M}`);
      tf.dispose([a, got, want]);
    }
    tf.tidy(() => w.assign(tf.mul(w, -2)));
  }
  // Cases left to the stock kernel: N not a multiple of 8, transposes, batches.
  const a = tf.randomNormal([6, 5], 0, 1, 'float32', 9) as tf.Tensor2D;
  const b = tf.randomNormal([5, 65], 0, 1, 'float32', 10) as tf.Tensor2D;
  const b8 = tf.randomNormal([5, 8], 0, 1, 'float32', 11) as tf.Tensor2D;
  tf.tidy(() => {
    assert.ok(maxDiff(tf.matMul(a, b), product(a, b)) < 1e-4);
    assert.ok(maxDiff(tf.matMul(tf.transpose(a), b8, true, false), product(a, b8)) < 1e-4);
    assert.ok(maxDiff(tf.matMul(a, tf.transpose(b8), false, true), product(a, b8)) < 1e-4);
    assert.ok(maxDiff(tf.matMul(tf.stack([a, a]), tf.stack([b, b])), tf.stack([product(a, b), product(a, b)])) < 1e-4);
  });
  tf.dispose([a, b, b8, w]);
  assert.equal(tf.memory().numTensors, before);
});
