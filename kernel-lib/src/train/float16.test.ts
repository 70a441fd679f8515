import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { CharRNNError } from '../errors';
import { encodeFloat16, toFloat16 } from './float16';

test('toFloat16 rounds to the nearest float16, ties to even, as TF.js decodes it', async () => {
  await tf.setBackend('cpu');
  const values = [
    0,
    -0,
    1,
    -2,
    0.1,
    1 / 3,
    65504,
    65520,
    1e-8,
    5.960464477539063e-8,
    2.98e-8,
    6.1e-5,
    1 + 2 ** -11,
    1 + 3 * 2 ** -11,
    -Infinity,
    NaN,
  ];
  // Expected float16 values, worked out by hand: 65520 is the tie between 65504 and 2^16 (overflow) and goes up.
  const expected = [
    0,
    -0,
    1,
    -2,
    0.0999755859375,
    0.333251953125,
    65504,
    Infinity,
    0,
    5.960464477539063e-8,
    0,
    6.097555160522461e-5,
    1,
    1 + 2 ** -9,
    -Infinity,
    NaN,
  ];
  const bits = toFloat16(Float32Array.from(values));
  const back = tf.io.decodeWeights(bits.buffer, [
    { name: 'w', shape: [values.length], dtype: 'float32', quantization: { dtype: 'float16' } },
  ]);
  assert.deepEqual(Array.from(back.w.dataSync()), expected);
});

test('encodeFloat16 halves the bytes, keeps every weight to float16 precision, and refuses values beyond its range', async () => {
  await tf.setBackend('cpu');
  const w = tf.randomNormal([30, 7], 0, 2, 'float32', 3);
  const b = tf.tensor1d([0.5, -1.25, 3]);
  const { data, specs } = encodeFloat16({ w, b });
  assert.equal(data.byteLength, (210 + 3) * 2);
  const back = tf.io.decodeWeights(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength), specs);
  const got = back.w.dataSync();
  w.dataSync().forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= Math.abs(v) * 2 ** -11 + 1e-7, `${v} -> ${got[i]}`));
  assert.deepEqual(Array.from(back.b.dataSync()), [0.5, -1.25, 3]);
  assert.throws(
    () => encodeFloat16({ big: tf.tensor1d([1, 1e5]) }),
    (e: Error) => e instanceof CharRNNError && /big holds 100000, beyond float16's range/.test(e.message),
  );
});
