import { CharRNNError, checkChoice, oneOf } from '../errors';
import { CharRNN } from '../model/charrnn';
import { ENGINE_CHOICES, type Engine, type EngineChoice, type EngineMemory } from './contract';
import { nativeEngine } from './native/engine';
import { backendInfo } from './tfjs/backends';
import { tfjsEngine } from './tfjs/engine';
import { GpuProbe, describeGpu, probedGpu } from './webgpu/device';
import { webgpuEngine } from './webgpu/engine';

/**
 * The one place that decides which code runs a model. A run chooses once, here, and hands the Engine it got (not
 * its name) to whatever else it runs (validation, samples): every function that takes an `engine` option takes
 * either a choice or an Engine (engineFor).
 */

/** `value` as an engine choice, or a CharRNNError naming the choices. */
export function checkEngineChoice(value: string): EngineChoice {
  const found = ENGINE_CHOICES.find((c) => c === value);
  if (found === undefined) throw new CharRNNError(`unknown engine '${value}' (expected ${oneOf(ENGINE_CHOICES)})`);
  return found;
}

/**
 * The engine choice when none is given: the CHARRNN_ENGINE environment variable (read here only, for the library
 * and the CLI alike), else 'auto'.
 */
export function defaultEngineChoice(): EngineChoice {
  const set = process.env.CHARRNN_ENGINE;
  return set ? checkChoice(set, ENGINE_CHOICES, 'CHARRNN_ENGINE') : 'auto';
}

/**
 * The engine for a model, with the one-line reason for the choice. 'auto' (the default, or CHARRNN_ENGINE) takes
 * WebGPU when initBackend() found a hardware adapter (`gpu`, the probe's result; a software one such as SwiftShader
 * is slower than our CPU engines), else the native engine when its addon is built and the model uses the built-in
 * cells, except on tfjs-node-gpu, whose GPU beats the CPU; otherwise the TF.js engine, with a note saying why.
 * 'native' throws a CharRNNError when it cannot be used. 'webgpu' forces WebGPU on any adapter, software included
 * (a CharRNNError at its first step when there is none).
 */
export function chooseEngine(
  model: CharRNN,
  choice: EngineChoice = defaultEngineChoice(),
  gpu: GpuProbe | undefined = probedGpu(),
): Engine {
  checkEngineChoice(choice);
  const chosen = (engine: Engine, reason: string, note?: string): Engine => ({
    ...engine,
    reason,
    note,
    asked: choice,
  });
  if (choice === 'tfjs') return chosen(tfjsEngine, 'the TF.js engine, as asked');
  const cannotGpu = webgpuEngine.cannotRun(model);
  if (choice === 'webgpu') {
    const on = gpu?.adapter ? ` on ${describeGpu(gpu.adapter)}` : '';
    if (cannotGpu) return chosen(tfjsEngine, cannotGpu, cannotGpu);
    return chosen(withCpuHalf(model), `the WebGPU engine, as asked${on}`);
  }
  const why = nativeEngine.cannotRun(model);
  if (choice === 'native') {
    if (why) throw new CharRNNError(why);
    return chosen(nativeEngine, 'the native engine, as asked');
  }
  const noGpu = !gpu
    ? 'no GPU probed (initBackend() probes it)'
    : (gpu.why ??
      (gpu.adapter.software
        ? `the WebGPU adapter is a software one (${describeGpu(gpu.adapter)}), slower than the CPU engines`
        : cannotGpu));
  if (!noGpu) return chosen(withCpuHalf(model), `auto: a hardware WebGPU adapter, ${describeGpu(gpu!.adapter!)}`);
  const notGpu = `; not WebGPU: ${noGpu}`;
  if (why) return chosen(tfjsEngine, why + notGpu, why);
  if (backendInfo()?.package.includes('gpu')) {
    return chosen(tfjsEngine, `auto: TF.js on tfjs-node-gpu, whose GPU beats the CPU${notGpu}`);
  }
  return chosen(nativeEngine, `auto: the native addon is built and the model uses the built-in cells${notGpu}`);
}

/**
 * WebGPU with its CPU half, the only engine made of two: the synchronous forward and step (evaluate, beam search,
 * sampleTexts, inspectText) run on the CPU engine that 'auto' takes without a GPU.
 */
function withCpuHalf(model: CharRNN): Engine {
  const cpu = chooseEngine(model, 'auto', { why: 'the CPU half of the WebGPU engine' });
  return { ...webgpuEngine, forward: cpu.forward, step: cpu.step, cpu };
}

/**
 * The memory facts of the engine a choice names, for an estimate made before there is a model to choose for;
 * undefined for 'auto' (the estimate then takes the leanest engine's).
 */
export function engineMemory(choice: EngineChoice): EngineMemory | undefined {
  return choice === 'auto'
    ? undefined
    : { native: nativeEngine, tfjs: tfjsEngine, webgpu: webgpuEngine }[choice].memory;
}

/** An `engine` option as an Engine: one already chosen (a run's), or chooseEngine's for a choice. */
export function engineFor(
  model: CharRNN,
  engine: EngineChoice | Engine | undefined,
  gpu: GpuProbe | undefined = probedGpu(),
): Engine {
  return typeof engine === 'object' ? engine : chooseEngine(model, engine, gpu);
}

/**
 * Streams from which `auto` samples on the GPU. Below, one step of a few streams is a few small products that a CPU
 * engine finishes in about the time of one GPU round trip (submit, then map the logits back to draw the next chars),
 * so sampling stays on the CPU. An estimate: no hardware GPU has measured it yet (README, Performance).
 */
export const GPU_SAMPLING_STREAMS = 32;

/**
 * The engine that samples `streams` streams at once: the engine (or chooseEngine's for a choice), except that
 * WebGPU taken by `auto` samples below GPU_SAMPLING_STREAMS streams on its CPU half.
 */
export function chooseSampler(
  model: CharRNN,
  choice: EngineChoice | Engine | undefined = undefined,
  streams = 1,
  gpu: GpuProbe | undefined = probedGpu(),
): Engine {
  const engine = engineFor(model, choice, gpu);
  if (!engine.cpu || engine.asked === 'webgpu' || streams >= GPU_SAMPLING_STREAMS) return engine;
  return {
    ...engine.cpu,
    reason: `auto: sampling ${streams} stream(s) on the CPU: below ${GPU_SAMPLING_STREAMS} streams a GPU round trip a char costs more than the step`,
  };
}
