import * as v8 from 'node:v8';

/**
 * A matrix product for the wasm backend, C[M, N] = A[M, K] B[K, N] (row-major float32, N a multiple of 8),
 * in WebAssembly generated below and run on the backend's own memory.
 *
 * Why by hand: side by side on the 2-core Xeon (Sapphire Rapids) this was written on, busy with other work, the
 * XNNPACK build inside tfjs-backend-wasm 4.22 ran the products of char-RNN training ([100, 512] x [512, 2048],
 * [2000, 1024] x [1024, 2048], ...) at 19-23 GFLOP/s on one core; this kernel at 30-41 with relaxed SIMD's fused
 * multiply-add (f32x4.relaxed_madd), 15-36 without. One thread of the wasm engine trains config b (2 x 512,
 * B100 T100) 1.8x faster with it.
 * Its shape: B is packed into panels of 8 columns so the inner loop reads memory in order, and each inner step
 * updates a 4 x 8 block of C held in 8 SIMD registers (4 x 8 beat 5 x 8 and 6 x 8 there: wasm engines have 16).
 * Rows of A are taken in chunks of 128 so that a chunk stays in cache while every panel passes over it.
 */

// The WebAssembly global as used here (tsconfig's libs, without the DOM's, do not declare it).
declare const WebAssembly: {
  validate(binary: Uint8Array): boolean;
  instantiate(binary: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

const MR = 4; // rows of C per inner block
const MC = 128; // rows of A per chunk

/** `a * b + c` on f32x4: fused where the engine has relaxed SIMD, else a product then a sum. */
const madd = (fma: boolean, a: string, b: string, c: string) =>
  fma ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;

/** C rows pc.. (+ldc) = A rows pa.. (+lda) times a packed panel pb, for R rows of A and 8 columns. */
function blockFunc(name: string, R: number, fma: boolean): string {
  const rows = Array.from({ length: R }, (_, r) => r);
  // Offsets of rows 1.. of A, computed once outside the inner loop.
  const row = (base: string, stride: string, r: number) =>
    r === 0 ? `(local.get $${base})` : `(i32.add (local.get $${base}) (local.get $${stride}${r}))`;
  const accs = rows.flatMap((r) => [`$c${r}0`, `$c${r}1`]);
  const offsets = rows.slice(1).flatMap((r) => [`$lda${r}`, `$ldc${r}`]);
  return `(func $${name} (param $pa i32) (param $lda i32) (param $pb i32) (param $pc i32) (param $ldc i32) (param $K i32)
  (local $k i32) (local $a v128) (local $b0 v128) (local $b1 v128) ${[...accs.map((c) => `(local ${c} v128)`), ...offsets.map((o) => `(local ${o} i32)`)].join(' ')}
  ${rows
    .slice(1)
    .map(
      (r) => `(local.set $lda${r} (i32.mul (local.get $lda) (i32.const ${r})))
  (local.set $ldc${r} (i32.mul (local.get $ldc) (i32.const ${r})))`,
    )
    .join('\n  ')}
  (local.set $k (local.get $K))
  (loop $inner
    (local.set $b0 (v128.load (local.get $pb)))
    (local.set $b1 (v128.load offset=16 (local.get $pb)))
    ${rows
      .map(
        (r) => `(local.set $a (v128.load32_splat ${row('pa', 'lda', r)}))
    (local.set $c${r}0 ${madd(fma, '(local.get $a)', '(local.get $b0)', `(local.get $c${r}0)`)})
    (local.set $c${r}1 ${madd(fma, '(local.get $a)', '(local.get $b1)', `(local.get $c${r}1)`)})`,
      )
      .join('\n    ')}
    (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
    (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
    (local.set $k (i32.sub (local.get $k) (i32.const 1)))
    (br_if $inner (local.get $k)))
  ${rows
    .map(
      (r) => `(v128.store ${row('pc', 'ldc', r)} (local.get $c${r}0))
  (v128.store offset=16 ${row('pc', 'ldc', r)} (local.get $c${r}1))`,
    )
    .join('\n  ')})`;
}

/** The module: pack(B, K, N, P) puts B in P (K * N floats); multiply(M, N, K, A, P, C). Byte addresses; K >= 1. */
function moduleText(fma: boolean): string {
  const block = (
    name: string,
  ) => `(call $${name} (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $lda))) (local.get $lda)
          (i32.add (local.get $P) (i32.mul (local.get $j) (local.get $K4)))
          (i32.add (i32.add (local.get $C) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldc) (local.get $K))`;
  return `(module
  (import "env" "memory" (memory 1))
  ${blockFunc('rows4', MR, fma)}
  ${blockFunc('rows1', 1, fma)}
  ;; B [K, N] into panels [N / 8][K][8]
  (func (export "pack") (param $B i32) (param $K i32) (param $N i32) (param $dst i32)
    (local $ldb i32)
    (local $j i32) (local $k i32) (local $src i32)
    (local.set $ldb (i32.shl (local.get $N) (i32.const 2)))
    (block $done (loop $panels
      (br_if $done (i32.ge_u (local.get $j) (local.get $N)))
      (local.set $src (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $k (local.get $K))
      (loop $copy
        (v128.store (local.get $dst) (v128.load (local.get $src)))
        (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $src (i32.add (local.get $src) (local.get $ldb)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br_if $copy (local.get $k)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $panels))))
  (func (export "multiply") (param $M i32) (param $N i32) (param $K i32) (param $A i32) (param $P i32) (param $C i32)
    (local $lda i32) (local $ldc i32) (local $K4 i32) (local $i0 i32) (local $end i32) (local $i i32) (local $j i32)
    (local.set $lda (i32.shl (local.get $K) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $N) (i32.const 2)))
    (local.set $K4 (local.get $lda))
    (block $done (loop $chunks
      (br_if $done (i32.ge_u (local.get $i0) (local.get $M)))
      (local.set $end (select (i32.add (local.get $i0) (i32.const ${MC})) (local.get $M)
        (i32.lt_u (i32.add (local.get $i0) (i32.const ${MC})) (local.get $M))))
      (local.set $j (i32.const 0))
      (block $panelsDone (loop $panels
        (br_if $panelsDone (i32.ge_u (local.get $j) (local.get $N)))
        (local.set $i (local.get $i0))
        (block $fours (loop $four
          (br_if $fours (i32.gt_u (i32.add (local.get $i) (i32.const ${MR})) (local.get $end)))
          ${block('rows4')}
          (local.set $i (i32.add (local.get $i) (i32.const ${MR})))
          (br $four)))
        (block $ones (loop $one
          (br_if $ones (i32.ge_u (local.get $i) (local.get $end)))
          ${block('rows1')}
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $one)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $panels)))
      (local.set $i0 (local.get $end))
      (br $chunks)))))`;
}

export interface Gemm {
  /** B [K, N] at address b into panels at p (K * N floats). */
  pack(b: number, K: number, N: number, p: number): void;
  /** C [M, N] at c = A [M, K] at a times the packed B at p. */
  multiply(M: number, N: number, K: number, a: number, p: number, c: number): void;
}

/** Relaxed SIMD is on by default from V8 11.4 (Chrome 114, Node 22); Node 20 has it behind a flag. */
function relaxedSimd(binary: Uint8Array): boolean {
  if (WebAssembly.validate(binary)) return true;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(binary);
}

/**
 * Compiles the product for a wasm memory: with fused multiply-add where the engine allows it (CHARRNN_WASM_FMA=0
 * turns that off). `fma` says which one it got.
 */
export async function compileGemm(memory: object): Promise<{ gemm: Gemm; fma: boolean }> {
  const wabt = await (await import('wabt')).default();
  const binary = (fma: boolean) =>
    wabt.parseWat('gemm.wat', moduleText(fma), { simd: true, relaxed_simd: fma }).toBinary({}).buffer;
  const withFma = binary(true);
  const fma = process.env.CHARRNN_WASM_FMA !== '0' && relaxedSimd(withFma);
  const instance = await WebAssembly.instantiate(fma ? withFma : binary(false), { env: { memory } });
  return { gemm: instance.instance.exports as unknown as Gemm, fma };
}
