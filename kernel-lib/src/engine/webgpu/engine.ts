import type { Engine } from '../contract';
import { webgpuLossAndGrads } from './bptt';
import { gpuName } from './device';
import { WebGpuStepper, webgpuForward } from './forward';
import { WebGpuRun } from './run';

/**
 * The WebGPU engine: a training run kept on the GPU (run.ts: one command buffer an iteration, only the loss read
 * back). lossAndGrads is one batch with the weights uploaded and the gradients read back (tests, other callers).
 * Inference on the GPU is asynchronous (`device`: forward.ts), used by evaluateAsync (validation during training,
 * `charrnn eval`), sampleTextsAsync and inspectTextAsync. The synchronous forward and step (evaluate, beam search,
 * sampleTexts, inspectText) are not here: the chooser (../choose.ts) gives them to a CPU engine, this engine's CPU half.
 */
export type GpuHalf = Omit<Engine, 'forward' | 'step'>;

export const webgpuEngine: GpuHalf = {
  name: 'webgpu',
  // On the host: the logits read back for validation, as the native engine's (the batch itself lives on the GPU).
  memory: { outputCopies: 4, workerThreads: false },
  describe: () => `WebGPU engine on ${gpuName()}`,
  cannotRun: (model) =>
    model.custom
      ? 'the WebGPU engine runs the built-in cells only; your own cells train on the TF.js engine'
      : undefined,
  lossAndGrads: webgpuLossAndGrads,
  // The run's update happens on the GPU; this only counts the step (no gradients come back), as the GPU's does.
  apply: (optimizer, params, grads, lr) => optimizer.apply(params, grads, lr),
  startRun: (model, optimizer, state, opts) => WebGpuRun.create(model, optimizer, state, opts),
  device: { forward: webgpuForward, stepper: (model, streams) => WebGpuStepper.create(model, streams) },
};
