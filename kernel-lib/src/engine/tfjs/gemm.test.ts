import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../rng';
import { compileGemm } from './gemm';

declare const WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } };

/** C = A B in float64, row-major, for reference. */
function reference(A: Float32Array, B: Float32Array, M: number, K: number, N: number): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) C[i * N + j] += A[i * K + k] * B[k * N + j];
  return C;
}

for (const fma of ['1', '0']) {
  test(`gemm (fused multiply-add ${fma === '1' ? 'where available' : 'off'}): products of every edge case match float64`, async () => {
    const saved = process.env.CHARRNN_WASM_FMA;
    process.env.CHARRNN_WASM_FMA = fma;
    const memory = new WebAssembly.Memory({ initial: 256 }); // 16 MB
    const { gemm, fma: used } = await compileGemm(memory);
    process.env.CHARRNN_WASM_FMA = saved;
    if (fma === '0') assert.equal(used, false);
    const rng = new Rng(5);
    // Rows: 1, a 4-row block plus leftovers, past a 128-row chunk; columns: one panel and several; K down to 1.
    for (const [M, K, N] of [
      [1, 1, 8],
      [3, 5, 16],
      [4, 7, 8],
      [9, 64, 24],
      [130, 33, 40],
      [257, 200, 64],
    ]) {
      const heap = new Float32Array(memory.buffer);
      const [a, b, p, c] = [0, M * K, M * K + K * N, M * K + 2 * K * N]; // float offsets
      for (let i = 0; i < M * K + K * N; i++) heap[i] = rng.next() * 2 - 1;
      heap.fill(NaN, c, c + M * N + 8); // C is written, never read; nothing past it is touched
      gemm.pack(b * 4, K, N, p * 4);
      gemm.multiply(M, N, K, a * 4, p * 4, c * 4);
      const want = reference(heap.subarray(a, a + M * K), heap.subarray(b, b + K * N), M, K, N);
      let worst = 0;
      for (let i = 0; i < M * N; i++) worst = Math.max(worst, Math.abs(heap[c + i] - want[i]));
      assert.ok(worst < 1e-5 * Math.sqrt(K), `${M}x${K}x${N}: max error ${worst}`);
      assert.ok(heap.subarray(c + M * N, c + M * N + 8).every(Number.isNaN), `${M}x${K}x${N}: wrote past C`);
    }
  });
}
