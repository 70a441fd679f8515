import { backendInfo } from '../backend';
import { lossAndGrads } from '../engine/bptt';
import { forward, step } from '../engine/forward';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import { nativeStatus } from './addon';
import { nativeForward, nativeLossAndGrads, nativeStep } from './engine';

/** Which engine trains and samples: the native BLAS addon, the TF.js engine, or the best one available. */
export type EngineChoice = 'auto' | 'native' | 'tfjs';

export interface Engine {
  name: 'native' | 'tfjs';
  lossAndGrads: typeof lossAndGrads;
  step: typeof step;
  /** The model over a whole sequence without dropout (evaluation, introspection). */
  forward: typeof forward;
  /** One line for the user when 'auto' could not use the native engine, saying why. */
  note?: string;
}

const TFJS: Engine = { name: 'tfjs', lossAndGrads, step, forward };
const NATIVE: Engine = { name: 'native', lossAndGrads: nativeLossAndGrads, step: nativeStep, forward: nativeForward };

/**
 * The engine for a model. 'auto' (the default, or CHARRNN_ENGINE) takes the native engine when its addon is built
 * and the model uses the built-in cells, except on tfjs-node-gpu, whose GPU beats the CPU; otherwise the TF.js
 * engine, with a note saying why. 'native' throws a CharRNNError when it cannot be used.
 */
export function chooseEngine(model: CharRNN, choice: EngineChoice = (process.env.CHARRNN_ENGINE as EngineChoice) || 'auto'): Engine {
  if (!['auto', 'native', 'tfjs'].includes(choice)) throw new CharRNNError(`unknown engine '${choice}' (expected auto, native or tfjs)`);
  if (choice === 'tfjs') return TFJS;
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
