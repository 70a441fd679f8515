import { backendInfo } from '../backend';
import { lossAndGrads } from '../engine/bptt';
import { forward, step } from '../engine/forward';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import { webgpuLossAndGrads } from '../engine/webgpu/bptt';
import { nativeStatus } from './addon';
import { nativeForward, nativeLossAndGrads, nativeStep } from './engine';

/** Which engine trains and samples: the native BLAS addon, the TF.js engine, WebGPU, or the best one available. */
export type EngineChoice = 'auto' | 'native' | 'tfjs' | 'webgpu';

export interface Engine {
  name: 'native' | 'tfjs' | 'webgpu';
  lossAndGrads: (...args: Parameters<typeof lossAndGrads>) => ReturnType<typeof lossAndGrads> | Promise<ReturnType<typeof lossAndGrads>>;
  step: typeof step;
  /** The model over a whole sequence without dropout (evaluation, introspection). */
  forward: typeof forward;
  /** One line for the user when 'auto' could not use the native engine, saying why. */
  note?: string;
}

const TFJS: Engine = { name: 'tfjs', lossAndGrads, step, forward };
const NATIVE: Engine = { name: 'native', lossAndGrads: nativeLossAndGrads, step: nativeStep, forward: nativeForward };
// The trainer keeps a WebGPU run resident on the GPU (engine/webgpu/run.ts); lossAndGrads here is one batch with the
// weights uploaded and the gradients read back. Sampling and evaluation on TF.js for now (from weights synced back).
const WEBGPU: Engine = { name: 'webgpu', lossAndGrads: webgpuLossAndGrads, step, forward };

/**
 * The engine for a model. 'auto' (the default, or CHARRNN_ENGINE) takes the native engine when its addon is built
 * and the model uses the built-in cells, except on tfjs-node-gpu, whose GPU beats the CPU; otherwise the TF.js
 * engine, with a note saying why. 'native' throws a CharRNNError when it cannot be used. 'webgpu' is only ever
 * forced for now (no run on a GPU has measured it yet); it needs a WebGPU adapter, which its first step asks for (a
 * CharRNNError when there is none).
 */
export function chooseEngine(model: CharRNN, choice: EngineChoice = (process.env.CHARRNN_ENGINE as EngineChoice) || 'auto'): Engine {
  if (!['auto', 'native', 'tfjs', 'webgpu'].includes(choice)) throw new CharRNNError(`unknown engine '${choice}' (expected auto, native, tfjs or webgpu)`);
  if (choice === 'tfjs') return TFJS;
  if (choice === 'webgpu') {
    if (model.custom) return { ...TFJS, note: 'the WebGPU engine runs the built-in cells only; your own cells train on the TF.js engine' };
    return WEBGPU;
  }
  const status = nativeStatus();
  const why = !status.available ? status.detail
    : model.custom ? 'the native engine runs the built-in cells only; your own cells train on the TF.js engine'
      : undefined;
  if (choice === 'native') {
    if (why) throw new CharRNNError(why);
    return NATIVE;
  }
  if (why) return { ...TFJS, note: why };
  if (backendInfo()?.package.includes('gpu')) return TFJS;
  return NATIVE;
}
