import * as tf from '@tensorflow/tfjs-core';
import { Gemm, compileGemm } from './gemm';

/**
 * Faster kernels for the wasm backend, registered over the stock ones.
 *
 * The stock wasm Slice (and SplitV, which slices once per piece) first copies the WHOLE input out of the wasm
 * heap (readSync) and then takes the piece, so cutting a [T*B, N] tensor into T steps costs T whole copies:
 * 480 ms for [2500, 512] into 50 pieces, more than the matrix products of the step. These versions read the
 * input through a view of the heap and copy only the piece. Inputs they do not handle go to the stock kernel.
 */

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  wasm: { asm: { memory: object }; _malloc(bytes: number): number; _free(ptr: number): void };
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs: Record<string, unknown>; backend: WasmBackend };
type Kernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** Copies rows [begin[0], begin[0] + size[0]) and columns [begin[1], ...) of a 2-D (or contiguous) slice. */
function slice(x: tf.TensorInfo, begin: number[], size: number[], backend: WasmBackend): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  // Views only after makeOutput: allocating may grow the heap, which detaches older views.
  const xs = backend.typedArrayFromHeap(x);
  const os = backend.typedArrayFromHeap(out);
  const cols = x.shape.length === 1 ? 1 : x.shape[1];
  if (x.shape.length === 1) {
    os.set(xs.subarray(begin[0], begin[0] + size[0]));
  } else if (size[1] === cols) {
    os.set(xs.subarray(begin[0] * cols, (begin[0] + size[0]) * cols));
  } else {
    for (let i = 0; i < size[0]; i++) {
      const from = (begin[0] + i) * cols + begin[1];
      os.set(xs.subarray(from, from + size[1]), i * size[1]);
    }
  }
  return out;
}

const handled = (x: tf.TensorInfo) => ['float32', 'int32', 'bool'].includes(x.dtype) && x.shape.length <= 2;

function fastSlice(stock: Kernel): Kernel {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (!handled(x)) return stock(args);
    const [begin, size] = tf.slice_util.parseSliceParams(
      x as tf.Tensor,
      args.attrs.begin as number[],
      args.attrs.size as number[],
    );
    return slice(x, begin, size, args.backend);
  };
}

function fastSplit(stock: Kernel): Kernel {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (!handled(x)) return stock(args);
    const axis = tf.util.parseAxisParam(args.attrs.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(
      x as tf.Tensor,
      args.attrs.numOrSizeSplits as number | number[],
      axis,
    );
    const begin = x.shape.map(() => 0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[axis] = s;
      const piece = slice(x, begin, size, args.backend);
      begin[axis] += s;
      return piece;
    });
  };
}

/** gemm.ts's product compiled for this backend's memory, once prepareWasmKernels() ran. */
let compiled: { gemm: Gemm; fma: boolean } | undefined;

/**
 * The last two right-hand operands, packed. Training multiplies by the same recurrent weights T times in a row
 * (forward, then backward with their transpose): packing them once instead of every step trained configs b and c
 * about 8% faster (one thread, c 696 -> 758 chars/s). Tensor data never changes under a dataId, so the dataId
 * identifies the contents. Operands over 16 MB (one-off activations) are not kept, so this holds at most 32 MB.
 */
const packs: { id: object; at: number }[] = [];
const KEEP_BYTES = 16 << 20;

function packedOperand(
  backend: WasmBackend,
  g: Gemm,
  b: tf.TensorInfo,
  K: number,
  N: number,
): { at: number; keep: boolean } {
  const hit = packs.find((p) => p.id === b.dataId);
  if (hit) return { at: hit.at, keep: true };
  const at = backend.wasm._malloc(K * N * 4);
  g.pack(backend.typedArrayFromHeap(b).byteOffset, K, N, at);
  if (K * N * 4 > KEEP_BYTES) return { at, keep: false };
  packs.unshift({ id: b.dataId, at });
  if (packs.length > 2) backend.wasm._free((packs.pop() as { at: number }).at);
  return { at, keep: true };
}

/**
 * BatchMatMul through gemm.ts for the plain case the engine uses everywhere (no transposes: it transposes weights
 * explicitly, once per iteration), one matrix each side, float32, N a multiple of 8. Anything else, and the
 * output layer's product (N = vocabulary size), goes to the stock kernel.
 */
function fastMatMul(stock: Kernel): Kernel {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs;
    const [M, K] = a.shape.slice(-2);
    const N = b.shape[b.shape.length - 1];
    const single = (t: tf.TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1);
    const gemm = compiled?.gemm;
    if (
      !gemm ||
      transposeA ||
      transposeB ||
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      !single(a) ||
      !single(b) ||
      N % 8 !== 0 ||
      K < 1
    ) {
      return stock(args);
    }
    const backend = args.backend;
    const out = backend.makeOutput([...a.shape.slice(0, -2).map(() => 1), M, N], 'float32');
    const p = packedOperand(backend, gemm, b, K, N);
    // Addresses only after every allocation (the heap may grow); they stay valid while it grows.
    gemm.multiply(M, N, K, backend.typedArrayFromHeap(a).byteOffset, p.at, backend.typedArrayFromHeap(out).byteOffset);
    if (!p.keep) backend.wasm._free(p.at);
    return out;
  };
}

/**
 * Compiles gemm.ts's product for the wasm backend's memory; call once after the backend starts.
 * Returns what the products run on, for reports.
 */
export async function prepareWasmKernels(): Promise<string> {
  compiled ??= await compileGemm((tf.backend() as unknown as WasmBackend).wasm.asm.memory);
  installWasmKernels();
  return `charrnn gemm, ${compiled.fma ? 'relaxed-SIMD fused multiply-add' : 'SIMD multiply and add'}`;
}

let installed = false;

/** Installs the kernels above once, when the wasm backend is active. Cheap to call before every engine call. */
export function installWasmKernels(): void {
  if (installed || tf.getBackend() !== 'wasm') return;
  installed = true;
  for (const [name, make] of [
    [tf.Slice, fastSlice],
    [tf.SplitV, fastSplit],
    [tf.BatchMatMul, fastMatMul],
  ] as [string, (stock: Kernel) => Kernel][]) {
    const stock = tf.getKernel(name, 'wasm');
    if (!stock) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: make(stock.kernelFunc as unknown as Kernel) as unknown as tf.KernelFunc,
    });
  }
}
