import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';

/**
 * float32 -> IEEE 754 half-precision bits, rounded to nearest even: the encoding TF.js reads for weights-manifest
 * entries with `quantization: {dtype: 'float16'}` (tf.io.decodeWeights turns them back into float32). Values beyond
 * float16's range (|x| > 65504) become infinities; callers that must not lose a weight check for them.
 */
const f32 = new Float32Array(1);
const bits = new Uint32Array(f32.buffer);

function half(value: number): number {
  f32[0] = value;
  const x = bits[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // infinity, NaN
  const e = exp - 127 + 15; // the exponent re-biased for float16
  if (e >= 0x1f) return sign | 0x7c00; // too large: infinity
  if (e <= 0) {
    // A subnormal float16 (or zero): the value is m * 2^-24 with m < 1024.
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    const m = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (rest > halfway || (rest === halfway && m & 1) ? m + 1 : m);
  }
  const h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa moves into the exponent, which is the right rounding (up to infinity).
  return sign | (rest > 0x1000 || (rest === 0x1000 && h & 1) ? h + 1 : h);
}

/** The float16 bits of every value. */
export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = half(values[i]);
  return out;
}

/** float16's largest finite value. */
export const FLOAT16_MAX = 65504;

/**
 * TF.js weights-manifest entries and bytes for `tensors` stored as float16 (each entry float32 with
 * `quantization: {dtype: 'float16'}`, which tf.io.decodeWeights and tf.io.loadWeights read back as float32).
 * A value beyond float16's range is an error naming the weight: it would come back as an infinity.
 */
export function encodeFloat16(tensors: Record<string, tf.Tensor>): {
  data: Buffer;
  specs: tf.io.WeightsManifestEntry[];
} {
  const parts: Uint16Array[] = [];
  const specs = Object.entries(tensors).map(([name, t]) => {
    const values = t.dataSync() as Float32Array;
    const big = values.findIndex((v) => !(Math.abs(v) <= FLOAT16_MAX));
    if (big >= 0)
      throw new CharRNNError(`weight ${name} holds ${values[big]}, beyond float16's range (|x| <= ${FLOAT16_MAX})`);
    parts.push(toFloat16(values));
    return { name, shape: t.shape, dtype: 'float32' as const, quantization: { dtype: 'float16' as const } };
  });
  return { data: Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))), specs };
}
