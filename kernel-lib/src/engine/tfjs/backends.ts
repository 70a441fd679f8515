import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError, oneOf } from '../../errors';
import { prepareWasmKernels } from './wasm';

/**
 * The TF.js backends: which one runs the TF.js engine's ops (and holds every model's tensors), picked and started
 * once. engine/start.ts's initBackend() starts one here and probes the GPU beside it.
 */

/** Which TF.js backend to use: 'auto' picks the fastest one that loads here. */
export const BACKEND_CHOICES = ['auto', 'wasm', 'cpu', 'tensorflow'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendInfo {
  /** The TF.js backend name now active: 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  /** Which package provided it, e.g. '@tensorflow/tfjs-node-gpu'. */
  package: string;
  /** Why better backends were skipped, one line each. */
  skipped: string[];
  /** wasm only: what runs the matrix products (see engine/tfjs/gemm.ts). */
  matmul?: string;
  /**
   * The GPU the WebGPU engine would run on, "nvidia hopper (NVIDIA H200)", ", software" after a software one; or
   * "none (why)". Probed once here, so that the engine chooser can take WebGPU on a hardware adapter.
   */
  gpu?: string;
}

// Optional native packages, best first. They are not dependencies: they cannot install everywhere
// (their install script downloads libtensorflow), so they are used only when the user has them.
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

let current: BackendInfo | undefined;

function tryRequire(name: string): string | undefined {
  try {
    require(name);
    return undefined;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

/**
 * Runs `start` and removes the process-wide error handlers it added. The wasm backend's Emscripten start-up
 * code adds handlers that rethrow every uncaught exception and unhandled rejection, which makes them fatal
 * even where the program handles them: in the notebook kernel, a failing timer or display update killed the
 * kernel and every variable in it.
 */
async function keepErrorsNonFatal<T>(start: () => Promise<T>): Promise<T> {
  const events = ['uncaughtException', 'unhandledRejection'];
  const emitter: NodeJS.EventEmitter = process;
  const before = new Set(events.flatMap((event) => emitter.listeners(event)));
  try {
    return await start();
  } finally {
    for (const event of events) {
      for (const added of emitter.listeners(event)) if (!before.has(added)) emitter.off(event, added as () => void);
    }
  }
}

async function activate(name: string): Promise<boolean> {
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Picks and activates a backend (once: later calls with 'auto' or the same name return it). `auto` tries
 * tfjs-node-gpu, tfjs-node, wasm, then cpu.
 */
export async function startBackend(choice: BackendChoice): Promise<BackendInfo> {
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new CharRNNError(`unknown backend '${choice}' (expected ${oneOf(BACKEND_CHOICES)})`);
  }
  if (current && (choice === 'auto' || choice === current.name)) return current;
  const skipped: string[] = [];
  if (choice === 'auto' || choice === 'tensorflow') {
    for (const pkg of NATIVE_PACKAGES) {
      const why = tryRequire(pkg);
      if (why === undefined && (await activate('tensorflow')))
        return (current = { name: 'tensorflow', package: pkg, skipped });
      skipped.push(`${pkg}: ${why ?? 'loaded but could not start'}`);
    }
    if (choice === 'tensorflow') {
      throw new CharRNNError(`the tensorflow backend is not available (${skipped.join('; ')})`);
    }
  }
  if (choice === 'auto' || choice === 'wasm') {
    require('@tensorflow/tfjs-backend-wasm');
    if (await keepErrorsNonFatal(() => activate('wasm'))) {
      const matmul = await prepareWasmKernels();
      return (current = { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', skipped, matmul });
    }
    skipped.push('@tensorflow/tfjs-backend-wasm: could not start');
    if (choice === 'wasm') throw new CharRNNError('the wasm backend could not start');
  }
  require('@tensorflow/tfjs-backend-cpu');
  if (await activate('cpu')) return (current = { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', skipped });
  throw new CharRNNError(`no TF.js backend could start (${skipped.join('; ')})`);
}

/** The active backend, or undefined before initBackend(). */
export function backendInfo(): BackendInfo | undefined {
  return current;
}
