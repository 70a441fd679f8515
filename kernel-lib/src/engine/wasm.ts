import * as tf from '@tensorflow/tfjs-core';

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
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, args.attrs.begin as number[], args.attrs.size as number[]);
    return slice(x, begin, size, args.backend);
  };
}

function fastSplit(stock: Kernel): Kernel {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (!handled(x)) return stock(args);
    const axis = tf.util.parseAxisParam(args.attrs.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, args.attrs.numOrSizeSplits as number | number[], axis);
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

let installed = false;

/** Installs the kernels above once, when the wasm backend is active. Cheap to call before every engine call. */
export function installWasmKernels(): void {
  if (installed || tf.getBackend() !== 'wasm') return;
  installed = true;
  for (const [name, make] of [
    [tf.Slice, fastSlice],
    [tf.SplitV, fastSplit],
  ] as [string, (stock: Kernel) => Kernel][]) {
    const stock = tf.getKernel(name, 'wasm');
    if (!stock) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: make(stock.kernelFunc as unknown as Kernel) as unknown as tf.KernelFunc });
  }
}
