import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { installWasmKernels } from './wasm';

/** Values 0..n-1 in the given shape, so every element says where it came from. */
const iota = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => i), shape);

test('wasm Slice and SplitV overrides return the same pieces as computed by hand', async () => {
  await initBackend('wasm');
  installWasmKernels();
  const x = iota([6, 4]); // x[i][j] = 4 i + j
  assert.deepEqual(Array.from(tf.slice(x, [2, 0], [3, 4]).dataSync()), Array.from({ length: 12 }, (_, k) => 8 + k));
  assert.deepEqual(Array.from(tf.slice(x, [1, 1], [2, 2]).dataSync()), [5, 6, 9, 10]);
  assert.deepEqual(Array.from(tf.slice(x, [4, 2], [-1, -1]).dataSync()), [18, 19, 22, 23]);
  assert.deepEqual(Array.from(tf.slice(iota([10]), [3], [4]).dataSync()), [3, 4, 5, 6]);
  const rows = tf.split(x, 3, 0);
  assert.deepEqual(rows.map((r) => r.shape), [[2, 4], [2, 4], [2, 4]]);
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
