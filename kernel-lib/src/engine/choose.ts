import { backendInfo } from '../backend';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import { nativeEngine } from './native/engine';
import type { Engine, EngineChoice } from './contract';
import { tfjsEngine } from './tfjs/engine';
import { GpuProbe, describeGpu, probedGpu } from './webgpu/device';
import { webgpuEngine } from './webgpu/engine';

const CHOICES: EngineChoice[] = ['auto', 'native', 'tfjs', 'webgpu'];

/**
 * The engine for a model, with the one-line reason for the choice; the one place that decides which code runs.
 * 'auto' (the default, or CHARRNN_ENGINE) takes WebGPU when initBackend() found a hardware adapter (`gpu`, the
 * probe's result; a software one such as SwiftShader is slower than our CPU engines), else the native engine when
 * its addon is built and the model uses the built-in cells, except on tfjs-node-gpu, whose GPU beats the CPU;
 * otherwise the TF.js engine, with a note saying why. 'native' throws a CharRNNError when it cannot be used.
 * 'webgpu' forces WebGPU on any adapter, software included (a CharRNNError at its first step when there is none).
 */
export function chooseEngine(
  model: CharRNN,
  choice: EngineChoice = (process.env.CHARRNN_ENGINE as EngineChoice) || 'auto',
  gpu: GpuProbe | undefined = probedGpu(),
): Engine {
  if (!CHOICES.includes(choice))
    throw new CharRNNError(`unknown engine '${choice}' (expected auto, native, tfjs or webgpu)`);
  if (choice === 'tfjs') return { ...tfjsEngine, reason: 'the TF.js engine, as asked' };
  const cannotGpu = webgpuEngine.cannotRun(model);
  if (choice === 'webgpu') {
    const on = gpu?.adapter ? ` on ${describeGpu(gpu.adapter)}` : '';
    return cannotGpu
      ? { ...tfjsEngine, reason: cannotGpu, note: cannotGpu }
      : { ...webgpuEngine, reason: `the WebGPU engine, as asked${on}` };
  }
  const why = nativeEngine.cannotRun(model);
  if (choice === 'native') {
    if (why) throw new CharRNNError(why);
    return { ...nativeEngine, reason: 'the native engine, as asked' };
  }
  const noGpu = !gpu
    ? 'no GPU probed (initBackend() probes it)'
    : (gpu.why ??
      (gpu.adapter.software
        ? `the WebGPU adapter is a software one (${describeGpu(gpu.adapter)}), slower than the CPU engines`
        : cannotGpu));
  if (!noGpu) return { ...webgpuEngine, reason: `auto: a hardware WebGPU adapter, ${describeGpu(gpu!.adapter!)}` };
  const notGpu = `; not WebGPU: ${noGpu}`;
  if (why) return { ...tfjsEngine, reason: why + notGpu, note: why };
  if (backendInfo()?.package.includes('gpu'))
    return { ...tfjsEngine, reason: `auto: TF.js on tfjs-node-gpu, whose GPU beats the CPU${notGpu}` };
  return { ...nativeEngine, reason: `auto: the native addon is built and the model uses the built-in cells${notGpu}` };
}

/**
 * Streams from which `auto` samples on the GPU. Below, one step of a few streams is a few small products that a CPU
 * engine finishes in about the time of one GPU round trip (submit, then map the logits back to draw the next chars),
 * so sampling stays on the CPU. An estimate: no hardware GPU has measured it yet (README, Performance).
 */
export const GPU_SAMPLING_STREAMS = 32;

/**
 * The engine that samples `streams` streams at once: chooseEngine's, except that `auto` keeps sampling below
 * GPU_SAMPLING_STREAMS streams on a CPU engine.
 */
export function chooseSampler(
  model: CharRNN,
  choice: EngineChoice = (process.env.CHARRNN_ENGINE as EngineChoice) || 'auto',
  streams = 1,
  gpu: GpuProbe | undefined = probedGpu(),
): Engine {
  const engine = chooseEngine(model, choice, gpu);
  if (engine.name !== 'webgpu' || choice === 'webgpu' || streams >= GPU_SAMPLING_STREAMS) return engine;
  const cpu = chooseEngine(model, 'auto', { why: 'sampling' });
  return {
    ...cpu,
    reason: `auto: sampling ${streams} stream(s) on the CPU: below ${GPU_SAMPLING_STREAMS} streams a GPU round trip a char costs more than the step`,
  };
}
