import type { CharRNN } from '../../model/charrnn';
import type { Engine } from '../contract';
import { nativeEngine } from '../native/engine';
import { tfjsEngine } from '../tfjs/engine';
import { webgpuLossAndGrads } from './bptt';
import { gpuName } from './device';
import { WebGpuStepper, webgpuForward } from './forward';
import { WebGpuRun } from './run';

/**
 * The WebGPU engine: a training run kept on the GPU (run.ts: one command buffer an iteration, only the loss read
 * back). lossAndGrads is one batch with the weights uploaded and the gradients read back (tests, other callers).
 * Inference on the GPU is asynchronous (`device`: forward.ts), used by evaluateAsync (validation during training,
 * `charrnn eval`), sampleTextsAsync and inspectTextAsync; the synchronous forward and step (evaluate, beam search,
 * sampleTexts, inspectText) run on the CPU.
 */

/** The CPU engine for the synchronous forward and step: native where its addon is built, else TF.js. */
const cpu = (model: CharRNN): Engine => (nativeEngine.cannotRun(model) ? tfjsEngine : nativeEngine);

export const webgpuEngine: Engine = {
  name: 'webgpu',
  describe: () => `WebGPU engine on ${gpuName()}`,
  cannotRun: (model) =>
    model.custom
      ? 'the WebGPU engine runs the built-in cells only; your own cells train on the TF.js engine'
      : undefined,
  lossAndGrads: webgpuLossAndGrads,
  forward: (model, ...rest) => cpu(model).forward(model, ...rest),
  step: (model, x, state) => cpu(model).step(model, x, state),
  // The run's update happens on the GPU; this only counts the step (no gradients come back), as the GPU's does.
  apply: tfjsEngine.apply,
  startRun: (model, optimizer, state, opts) => WebGpuRun.create(model, optimizer, state, opts),
  device: { forward: webgpuForward, stepper: (model, streams) => WebGpuStepper.create(model, streams) },
};
