import { inspect } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { prepareWasmKernels } from './engine/tfjs/wasm';
import { describeGpu, probeGpu, probedGpu } from './engine/webgpu/device';
import { CharRNNError } from './errors';

/** Which TF.js backend to use: 'auto' picks the fastest one that loads here. */
export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

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

/**
 * The backend as a notebook shows it when `await initBackend()` ends a cell: one line, with the optional
 * packages that are not installed named, not their "Cannot find module" errors.
 */
function withSummary(info: BackendInfo): BackendInfo {
  const probe = probedGpu();
  info.gpu = probe?.adapter ? describeGpu(probe.adapter) : `none (${probe?.why ?? 'not probed'})`;
  const missing = info.skipped.filter((s) => s.includes('Cannot find module')).map((s) => s.split(':')[0]);
  const failed = info.skipped.filter((s) => !s.includes('Cannot find module'));
  const parts = [
    `TF.js backend ${info.name} (${info.package})`,
    ...(info.matmul ? [`matrix products: ${info.matmul}`] : []),
    ...(missing.length > 0 ? [`not installed: ${missing.join(', ')}`] : []),
    ...failed.map((s) => `skipped ${s}`),
    `WebGPU: ${info.gpu}`,
  ];
  return Object.defineProperty(info, inspect.custom, { value: () => parts.join('; ') });
}

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
 * Picks and activates a backend. `auto` tries tfjs-node-gpu, tfjs-node, wasm, then cpu.
 * The choice can also come from the CHARRNN_BACKEND environment variable.
 */
export async function initBackend(
  choice: BackendChoice = (process.env.CHARRNN_BACKEND as BackendChoice) || 'auto',
): Promise<BackendInfo> {
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(choice)) {
    throw new CharRNNError(`unknown backend '${choice}' (expected auto, tensorflow, wasm or cpu)`);
  }
  if (current && (choice === 'auto' || choice === current.name)) return current;
  // The GPU is the main thread's (worker threads run CPU engines, and need not load Dawn's addon).
  if (isMainThread) await probeGpu();
  const skipped: string[] = [];
  if (choice === 'auto' || choice === 'tensorflow') {
    for (const pkg of NATIVE_PACKAGES) {
      const why = tryRequire(pkg);
      if (why === undefined && (await activate('tensorflow')))
        return (current = withSummary({ name: 'tensorflow', package: pkg, skipped }));
      skipped.push(`${pkg}: ${why ?? 'loaded but could not start'}`);
    }
    if (choice === 'tensorflow') {
      throw new CharRNNError(`the tensorflow backend is not available (${skipped.join('; ')})`);
    }
  }
  if (choice === 'auto' || choice === 'wasm') {
    require('@tensorflow/tfjs-backend-wasm');
    if (await keepErrorsNonFatal(() => activate('wasm'))) {
      return (current = withSummary({
        name: 'wasm',
        package: '@tensorflow/tfjs-backend-wasm',
        skipped,
        matmul: await prepareWasmKernels(),
      }));
    }
    skipped.push('@tensorflow/tfjs-backend-wasm: could not start');
    if (choice === 'wasm') throw new CharRNNError('the wasm backend could not start');
  }
  require('@tensorflow/tfjs-backend-cpu');
  if (await activate('cpu'))
    return (current = withSummary({ name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', skipped }));
  throw new CharRNNError(`no TF.js backend could start (${skipped.join('; ')})`);
}

/** The active backend, or undefined before initBackend(). */
export function backendInfo(): BackendInfo | undefined {
  return current;
}
