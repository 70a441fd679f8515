import { backendInfo } from './backends';
import { lossAndGrads } from './bptt';
import type { Engine } from '../contract';
import { defaultThreads } from '../threads';
import { forward, step } from './forward';
import { ParallelEngine } from './parallel';

/**
 * The TF.js engine: backprop through time written out in TF.js ops for the built-in cells, autodiff over each cell's
 * step() for user-written ones; fused kernels and a multi-threaded matrix product on the wasm backend, and each
 * batch's streams shared between worker threads on CPU backends. It runs every model, on any TF.js backend.
 */
export const tfjsEngine: Engine = {
  name: 'tfjs',
  // Beside logits, probabilities and their gradient, the one-hot inputs and every intermediate autodiff keeps
  // (12.5 copies measured: 1 iteration of a 2 x 128 LSTM, batch 50 x 50, vocabularies of 65 to 20,000 chars).
  memory: { outputCopies: 13, workerThreads: true },
  describe: (threads) => `TF.js engine on ${backendInfo()?.name} x${threads} threads`,
  cannotRun: () => undefined,
  lossAndGrads,
  forward,
  step,
  apply: (optimizer, params, grads, lr) => optimizer.apply(params, grads, lr),
  threads: {
    // One per core (or CHARRNN_THREADS) on CPU backends (TF.js has no multi-threaded CPU backend in Node); tfjs-node threads its own ops.
    count(model, requested) {
      if (requested > 0) return requested;
      const cpuBackend = ['wasm', 'cpu'].includes(backendInfo()?.name ?? 'wasm');
      return cpuBackend && !model.custom ? defaultThreads() : 1;
    },
    start: (model, threads) => ParallelEngine.start(model, threads),
  },
};
