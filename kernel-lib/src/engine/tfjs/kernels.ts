import * as tf from '@tensorflow/tfjs-core';
import { FUSED, FusedSpec } from './fused';

/**
 * Registers the fused cell kernels (fused.ts) for the wasm and cpu backends, which keep tensors in memory that
 * JavaScript can read directly. Other backends (tfjs-node, GPUs) use the plain-op path of cellmath.ts.
 */

interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}
interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}
type Args<B> = { inputs: Record<string, tf.TensorInfo | undefined>; attrs: { H: number }; backend: B };

const inputNames = (spec: FusedSpec) => spec.inputs.map((n) => n.replace('?', ''));
const batchOf = (spec: FusedSpec, inputs: Record<string, tf.TensorInfo | undefined>) =>
  (inputs[inputNames(spec)[0]] as tf.TensorInfo).shape[0];

function wasmKernel(spec: FusedSpec) {
  return ({ inputs, attrs: { H }, backend }: Args<WasmBackend>) => {
    const B = batchOf(spec, inputs);
    const outs = spec.outputs.map((k) => backend.makeOutput([B, k * H], 'float32'));
    // Views only after every makeOutput: allocating may grow the wasm heap and detach older views.
    const ins: Record<string, Float32Array> = {};
    for (const n of inputNames(spec)) if (inputs[n]) ins[n] = backend.typedArrayFromHeap(inputs[n] as tf.TensorInfo);
    spec.run(
      ins,
      outs.map((o) => backend.typedArrayFromHeap(o)),
      B,
      H,
    );
    return outs;
  };
}

function cpuKernel(spec: FusedSpec) {
  return ({ inputs, attrs: { H }, backend }: Args<CpuBackend>) => {
    const B = batchOf(spec, inputs);
    const ins: Record<string, Float32Array> = {};
    for (const n of inputNames(spec))
      if (inputs[n]) ins[n] = backend.data.get((inputs[n] as tf.TensorInfo).dataId).values;
    const outs = spec.outputs.map((k) => new Float32Array(B * k * H));
    spec.run(ins, outs, B, H);
    return outs.map((values, o) => backend.makeTensorInfo([B, spec.outputs[o] * H], 'float32', values));
  };
}

for (const [name, spec] of Object.entries(FUSED)) {
  for (const [backendName, make] of [
    ['wasm', wasmKernel],
    ['cpu', cpuKernel],
  ] as const) {
    if (!tf.getKernel(name, backendName)) {
      tf.registerKernel({
        kernelName: name,
        backendName,
        kernelFunc: make(spec as FusedSpec) as unknown as tf.KernelFunc,
      });
    }
  }
}

let enabled = true;

/** Turns the fused kernels off (true = on, the default); the tests use it to check both paths. */
export function useFusedKernels(on: boolean): void {
  enabled = on;
}

/**
 * Above this many state elements (B * H) per step the wasm backend's vectorised ops beat the JavaScript loops:
 * measured on config b (B100, H512) 844 vs 677 chars/s with plain ops; below it the per-op overhead dominates
 * (sampling at batch 1 of 2x512: 952 vs 628 chars/s fused).
 */
const FUSED_MAX_ELEMENTS = 16384;

/** Whether to run the fused kernels for a step over a [B, H] state: on, small enough, and the backend has them. */
export function fusedAvailable(stateSize: number): boolean {
  return (
    enabled && stateSize <= FUSED_MAX_ELEMENTS && tf.getKernel('CharRNNLSTMForward', tf.getBackend()) !== undefined
  );
}

/** Runs a fused kernel; inputs left undefined are optional ones not given. Outputs as listed in FUSED[name]. */
export function runFused(name: string, inputs: Record<string, tf.Tensor | undefined>, H: number): tf.Tensor2D[] {
  const given: tf.NamedTensorMap = {};
  for (const [k, v] of Object.entries(inputs)) if (v) given[k] = v;
  const out = tf.engine().runKernel(name, given, { H } as unknown as tf.NamedAttrMap) as tf.Tensor2D | tf.Tensor2D[];
  return Array.isArray(out) ? out : [out];
}
