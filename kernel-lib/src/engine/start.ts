import { inspect } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import { checkChoice } from '../errors';
import { BACKEND_CHOICES, type BackendChoice, type BackendInfo, startBackend } from './tfjs/backends';
import { describeGpu, probeGpu, probedGpu } from './webgpu/device';

/**
 * The start of every program and notebook: initBackend() starts the TF.js backend (tfjs/backends.ts) and probes
 * the GPU (webgpu/device.ts), once, so that the engine chooser (choose.ts), which is synchronous, knows both.
 */

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
  return Object.defineProperty(info, inspect.custom, { value: () => parts.join('; '), configurable: true });
}

/** The backend choice when none is given: the CHARRNN_BACKEND environment variable (read here only), else 'auto'. */
function defaultBackendChoice(): BackendChoice {
  const set = process.env.CHARRNN_BACKEND;
  return set ? checkChoice(set, BACKEND_CHOICES, 'CHARRNN_BACKEND') : 'auto';
}

/**
 * Picks and starts a TF.js backend and probes the GPU. `auto` (the default, or the CHARRNN_BACKEND environment
 * variable) tries tfjs-node-gpu, tfjs-node, wasm, then cpu.
 */
export async function initBackend(choice: BackendChoice = defaultBackendChoice()): Promise<BackendInfo> {
  // The GPU is the main thread's (worker threads run CPU engines, and need not load Dawn's addon).
  if (isMainThread) await probeGpu();
  return withSummary(await startBackend(choice));
}

export { backendInfo } from './tfjs/backends';
export type { BackendChoice, BackendInfo } from './tfjs/backends';
