import * as path from 'node:path';
import { CharRNNError } from '../../errors';

/**
 * The optional native addon (kernel-lib/native, built by kernel-lib/native/build.js): matrix products through the
 * system BLAS (OpenBLAS on both cores, or Accelerate) and fused C loops for the cells and the loss. All arrays are
 * row-major and used in place; sizes are checked in C, so a wrong call throws instead of corrupting memory.
 */
export interface NativeAddon {
  /** C[M,N] = alpha op(A)[M,K] op(B)[K,N] + beta C; trans flags 0/1, ld* = row strides. */
  sgemm(
    transA: number,
    transB: number,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: Float32Array,
    lda: number,
    B: Float32Array,
    ldb: number,
    beta: number,
    C: Float32Array,
    ldc: number,
  ): void;
  /** out[n,:] = W[idx[n],:] + bias: the input projection of one-hot characters. */
  gatherRowsBias(W: Float32Array, bias: Float32Array, idx: Int32Array, out: Float32Array, N: number, M: number): void;
  /** dW[idx[n],:] += dz[n,:] */
  scatterAddRows(dz: Float32Array, idx: Int32Array, dW: Float32Array, N: number, M: number): void;
  /** z[n,:] += bias */
  addRow(z: Float32Array, bias: Float32Array, N: number, M: number): void;
  /** out += column sums of dz[N,M] over columns col0..col0+width-1 */
  colSum(dz: Float32Array, N: number, M: number, col0: number, width: number, out: Float32Array): void;
  /** a *= mask, elementwise */
  mulInPlace(a: Float32Array, mask: Float32Array): void;
  /** One step: z [B,G*H] pre-activations in, gate activations out (kept for backward). */
  rnnForward(z: Float32Array, h: Float32Array, B: number, H: number): void;
  lstmForward(z: Float32Array, cPrev: Float32Array, c: Float32Array, h: Float32Array, B: number, H: number): void;
  gruForward(
    zx: Float32Array,
    zh: Float32Array,
    bhn: Float32Array,
    hPrev: Float32Array,
    hn: Float32Array,
    h: Float32Array,
    B: number,
    H: number,
  ): void;
  /** One step back: z's activations are replaced by the gradient of the pre-activations. */
  rnnBackward(z: Float32Array, dh: Float32Array, B: number, H: number): void;
  lstmBackward(
    z: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    c: Float32Array,
    cPrev: Float32Array,
    B: number,
    H: number,
  ): void;
  gruBackward(
    zx: Float32Array,
    dzh: Float32Array,
    dh: Float32Array,
    hPrev: Float32Array,
    hn: Float32Array,
    dhPrev: Float32Array,
    B: number,
    H: number,
  ): void;
  /** Summed cross-entropy of rows of logits [N,V]; logits become scale * (softmax - onehot). */
  softmaxXent(logits: Float32Array, targets: Int32Array, N: number, V: number, scale: number): number;
  /** One Adam step over a parameter: new p, m, v into pOut, mOut, vOut (c1, c2: bias corrections 1 - beta^t). */
  adamUpdate(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    pOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    c1: number,
    c2: number,
  ): void;
  /** One RMSProp step over a parameter: new p and ms into pOut, msOut. */
  rmspropUpdate(
    p: Float32Array,
    g: Float32Array,
    ms: Float32Array,
    pOut: Float32Array,
    msOut: Float32Array,
    lr: number,
    decay: number,
    eps: number,
  ): void;
  /** The BLAS in use and its thread count, e.g. 'OpenBLAS 0.3.21 ... SkylakeX, 2 threads'. */
  blasInfo(): string;
}

/** Whether the native path can be used here, and in one line why (not). */
export interface NativeStatus {
  available: boolean;
  /** The BLAS it uses, or the reason it is off. */
  detail: string;
}

/** Where build.js puts the addon, relative to this file (dist/engine/native/addon.js). */
export const ADDON_PATH = path.join(__dirname, '..', '..', '..', 'native', 'build', 'Release', 'charrnn_native.node');

let loaded: { addon?: NativeAddon; status: NativeStatus } | undefined;

function load(): { addon?: NativeAddon; status: NativeStatus } {
  if (process.env.CHARRNN_NATIVE === '0')
    return { status: { available: false, detail: 'native path off (CHARRNN_NATIVE=0)' } };
  try {
    const addon = require(ADDON_PATH) as NativeAddon;
    return { addon, status: { available: true, detail: addon.blasInfo() } };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'MODULE_NOT_FOUND'
        ? 'the addon is not built (run: node kernel-lib/native/build.js)'
        : `the addon does not load: ${(e as Error).message.split('\n')[0]}`;
    return { status: { available: false, detail: `native path off, using wasm: ${why}` } };
  }
}

/** Whether the native addon is available (loads it on first call). Set CHARRNN_NATIVE=0 to turn it off. */
export function nativeStatus(): NativeStatus {
  loaded ??= load();
  return loaded.status;
}

/** The addon; throws when it is not available (check nativeStatus() first). */
export function nativeAddon(): NativeAddon {
  loaded ??= load();
  if (!loaded.addon) throw new CharRNNError(loaded.status.detail);
  return loaded.addon;
}
