import { backendInfo } from '../backend';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import { nativeEngine } from './native/engine';
import type { Engine, EngineChoice } from './contract';
import { tfjsEngine } from './tfjs/engine';
import { webgpuEngine } from './webgpu/engine';

const CHOICES: EngineChoice[] = ['auto', 'native', 'tfjs', 'webgpu'];

/**
 * The engine for a model, with the one-line reason for the choice; the one place that decides which code runs.
 * 'auto' (the default, or CHARRNN_ENGINE) takes the native engine when its addon is built and the model uses the
 * built-in cells, except on tfjs-node-gpu, whose GPU beats the CPU; otherwise the TF.js engine, with a note saying
 * why. 'native' throws a CharRNNError when it cannot be used. 'webgpu' is only ever forced for now (no run on a GPU
 * has measured it yet); it needs a WebGPU adapter, which its first step asks for (a CharRNNError when there is none).
 */
export function chooseEngine(model: CharRNN, choice: EngineChoice = (process.env.CHARRNN_ENGINE as EngineChoice) || 'auto'): Engine {
  if (!CHOICES.includes(choice)) throw new CharRNNError(`unknown engine '${choice}' (expected auto, native, tfjs or webgpu)`);
  if (choice === 'tfjs') return { ...tfjsEngine, reason: 'the TF.js engine, as asked' };
  if (choice === 'webgpu') {
    const why = webgpuEngine.cannotRun(model);
    return why ? { ...tfjsEngine, reason: why, note: why } : { ...webgpuEngine, reason: 'the WebGPU engine, as asked' };
  }
  const why = nativeEngine.cannotRun(model);
  if (choice === 'native') {
    if (why) throw new CharRNNError(why);
    return { ...nativeEngine, reason: 'the native engine, as asked' };
  }
  if (why) return { ...tfjsEngine, reason: why, note: why };
  if (backendInfo()?.package.includes('gpu')) return { ...tfjsEngine, reason: 'auto: TF.js on tfjs-node-gpu, whose GPU beats the CPU' };
  return { ...nativeEngine, reason: 'auto: the native addon is built and the model uses the built-in cells' };
}
