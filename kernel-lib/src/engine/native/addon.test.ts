import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../rng';
import { nativeAddon, nativeStatus } from './addon';
import { withAddon, withoutAddon } from './testing';

function random(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Element (r, c) of op(X) where X is row-major with row stride ld. */
function at(X: Float32Array, trans: number, ld: number, r: number, c: number): number {
  return trans ? X[c * ld + r] : X[r * ld + c];
}

test('native addon absent: one line says why and how to build it', withoutAddon, () => {
  const { detail } = nativeStatus();
  assert.match(detail, /^native path off/);
  assert.ok(!detail.includes('\n'));
  assert.throws(() => nativeAddon(), { name: 'CharRNNError' });
});

test('blasInfo names the BLAS in use', withAddon, () => {
  assert.match(nativeAddon().blasInfo(), /OpenBLAS|Accelerate/);
});

test(
  'sgemm equals a naive product for every transpose combination, strides, alpha/beta, and the M = 1 path',
  withAddon,
  () => {
    const nat = nativeAddon();
    const rng = new Rng(1);
    for (const [M, N, K] of [
      [5, 7, 3],
      [1, 9, 6],
      [1, 1, 4],
      [33, 17, 65],
    ]) {
      for (const ta of [0, 1]) {
        for (const tb of [0, 1]) {
          const lda = (ta ? M : K) + 2; // padded rows: the product must respect the stride
          const ldb = (tb ? K : N) + 1;
          const ldc = N + 3;
          const A = random((ta ? K : M) * lda, rng);
          const B = random((tb ? N : K) * ldb, rng);
          const C = random(M * ldc, rng);
          const want = Float32Array.from(C);
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < N; j++) {
              let s = 0;
              for (let k = 0; k < K; k++) s += at(A, ta, lda, i, k) * at(B, tb, ldb, k, j);
              want[i * ldc + j] = 0.5 * s + 2 * C[i * ldc + j];
            }
          }
          nat.sgemm(ta, tb, M, N, K, 0.5, A, lda, B, ldb, 2, C, ldc);
          for (let i = 0; i < C.length; i++) {
            assert.ok(
              Math.abs(C[i] - want[i]) < 1e-5,
              `M${M} N${N} K${K} ta${ta} tb${tb} at ${i}: ${C[i]} vs ${want[i]}`,
            );
          }
        }
      }
    }
  },
);

test('sgemm and the row helpers refuse arrays too small for the sizes given', withAddon, () => {
  const nat = nativeAddon();
  const a = new Float32Array(6);
  assert.throws(() => nat.sgemm(0, 0, 3, 3, 3, 1, a, 3, a, 3, 0, new Float32Array(9), 3), RangeError);
  assert.throws(
    () => nat.sgemm(0, 0, 2, 2, 3, 1, new Float32Array(9), 2, a, 2, 0, new Float32Array(4), 2),
    /leading dimension/,
  );
  assert.throws(() => nat.gatherRowsBias(a, a, Int32Array.of(0, 5), new Float32Array(4), 2, 2), RangeError);
  assert.throws(() => nat.softmaxXent(new Float32Array(4), Int32Array.of(2, 0), 2, 2, 1), RangeError);
  assert.throws(() => nat.lstmForward(a, a, a, a, 2, 2), RangeError);
  assert.throws(() => (nat.addRow as (...args: unknown[]) => void)(a, [1, 2], 1, 2), TypeError);
});

test('gather, scatter, bias, column sums and masks equal naive loops', withAddon, () => {
  const nat = nativeAddon();
  const rng = new Rng(2);
  const [R, M, N] = [6, 5, 9];
  const W = random(R * M, rng);
  const bias = random(M, rng);
  const idx = Int32Array.from({ length: N }, () => Math.floor(rng.next() * R));
  const out = new Float32Array(N * M);
  nat.gatherRowsBias(W, bias, idx, out, N, M);
  const dW = new Float32Array(R * M);
  nat.scatterAddRows(out, idx, dW, N, M);
  const want = new Float32Array(R * M);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < M; j++) {
      assert.ok(Math.abs(out[n * M + j] - (W[idx[n] * M + j] + bias[j])) < 1e-6);
      want[idx[n] * M + j] += out[n * M + j];
    }
  }
  dW.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5));
  const sums = Float32Array.of(10, 20);
  nat.colSum(out, N, M, 2, 2, sums);
  for (let j = 0; j < 2; j++) {
    let s = j === 0 ? 10 : 20;
    for (let n = 0; n < N; n++) s += out[n * M + 2 + j];
    assert.ok(Math.abs(sums[j] - s) < 1e-4);
  }
  const z = Float32Array.from(out);
  nat.addRow(z, bias, N, M);
  nat.mulInPlace(
    z,
    Float32Array.from(z, (_, i) => i % 2),
  );
  z.forEach((v, i) => assert.ok(Math.abs(v - (i % 2) * (out[i] + bias[i % M])) < 1e-6));
});

test('softmaxXent returns the summed cross-entropy and leaves scale * (softmax - onehot)', withAddon, () => {
  const nat = nativeAddon();
  const rng = new Rng(3);
  const [N, V] = [4, 7];
  const logits = random(N * V, rng).map((v) => v * 30); // large logits: exp would overflow without the max subtracted
  const targets = Int32Array.from({ length: N }, () => Math.floor(rng.next() * V));
  const copy = Float32Array.from(logits);
  const loss = nat.softmaxXent(logits, targets, N, V, 0.25);
  let want = 0;
  for (let n = 0; n < N; n++) {
    const row = Array.from(copy.subarray(n * V, (n + 1) * V));
    const mx = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp(v - mx), 0);
    want += Math.log(sum) - (row[targets[n]] - mx);
    row.forEach((v, j) => {
      const g = 0.25 * (Math.exp(v - mx) / sum - (j === targets[n] ? 1 : 0));
      assert.ok(Math.abs(logits[n * V + j] - g) < 1e-6, `grad ${n},${j}`);
    });
  }
  assert.ok(Math.abs(loss - want) < 1e-4 * want, `${loss} vs ${want}`);
});
