import test from 'node:test';
import assert from 'node:assert/strict';
import { CharRNNError } from '../errors';
import { Batches } from './batches';

// data[i] = i, so every id tells where it came from.
const ramp = (n: number) => Uint16Array.from({ length: n }, (_, i) => i);

test('each batch is [T, B] time-major, y is x shifted by one char', () => {
  const T = 7,
    B = 4;
  const batches = new Batches(ramp(1000), B, T);
  assert.equal(batches.numBatches, Math.floor(999 / (B * T)));
  for (let i = 0; i < batches.numBatches; i++) {
    const { x, y, T: t, B: b } = batches.get(i);
    assert.equal(t, T);
    assert.equal(b, B);
    assert.equal(x.length, T * B);
    assert.equal(y.length, T * B);
    for (let k = 0; k < T * B; k++) assert.equal(y[k], x[k] + 1);
    for (let s = 0; s < B; s++) for (let k = 1; k < T; k++) assert.equal(x[k * B + s], x[(k - 1) * B + s] + 1);
  }
});

test('batch i + 1 continues batch i in every stream; streams are disjoint and cover the data in order', () => {
  const T = 5,
    B = 3;
  const batches = new Batches(ramp(400), B, T);
  const seen: number[] = [];
  for (let s = 0; s < B; s++) {
    for (let i = 0; i < batches.numBatches; i++) {
      const { x, y } = batches.get(i);
      for (let t = 0; t < T; t++) seen.push(x[t * B + s]);
      if (i + 1 < batches.numBatches) assert.equal(batches.get(i + 1).x[s], y[(T - 1) * B + s]);
    }
  }
  assert.deepEqual(
    seen,
    Array.from({ length: B * batches.numBatches * T }, (_, i) => i),
  );
});

test('too little data for one batch is a CharRNNError; exactly enough gives one batch', () => {
  assert.throws(
    () => new Batches(ramp(49), 7, 7),
    (e: Error) => e instanceof CharRNNError && /too small/.test(e.message),
  );
  assert.equal(new Batches(ramp(50), 7, 7).numBatches, 1);
  assert.throws(() => new Batches(ramp(6), 1, 6), CharRNNError);
  assert.equal(new Batches(ramp(7), 1, 6).numBatches, 1);
  assert.throws(() => new Batches(ramp(100), 0, 5), CharRNNError);
  assert.throws(() => new Batches(ramp(100), 2, 1.5), CharRNNError);
  assert.throws(() => new Batches(ramp(100), 2, 5).get(100), RangeError);
});
