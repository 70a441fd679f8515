import * as os from 'node:os';
import type { EngineMemory } from '../engine/contract';
import { nativeEngine } from '../engine/native/engine';
import { CharRNNError } from '../errors';
import { GATES, ModelConfig, paramCount } from '../model/config';
import type { TrainOptions } from './options';

/**
 * The memory a training run needs, estimated from its shapes before anything is allocated, so that a run that
 * cannot fit is refused with one line instead of dying mid-way ("Invalid typed array length", the wasm heap's
 * abort, the OOM killer). The constants were measured here (1 iteration of a 2 x 128 LSTM, batch 50 x
 * 50, vocabularies of 65 to 20,000 chars): the estimate is meant to be close, a little above.
 */

const MB = 2 ** 20;
/** Node, TF.js and our code before any model. */
const BASE = 100 * MB;
/** One worker thread of the TF.js engine: its isolate and its own TF.js backend. */
const WORKER = 30 * MB;
/** The wasm backend's heap cannot grow past 4 GiB (wasm32), per thread. */
const WASM_HEAP = 4 * 2 ** 30;

/** One part of the estimate, with the options that shrink it. */
export interface MemoryPart {
  what: string;
  bytes: number;
  /** TrainOptions or ModelConfig fields, most effective first. */
  lower: string[];
}

export interface MemoryEstimate {
  bytes: number;
  parts: MemoryPart[];
  /** The most one thread's wasm heap must hold on the wasm backend, else 0. */
  perWasmThread: number;
}

/**
 * Estimates the memory of a run of a model with `config` under `options` on an engine with these memory facts
 * (engine.memory) and `threads` threads (an engine with worker threads shares each batch's streams between them, so at
 * most batchSize are used). Without an engine: the leanest (native), a lower bound before the engine is known.
 */
export function trainingMemory(
  config: ModelConfig,
  options: TrainOptions,
  engine: EngineMemory = nativeEngine.memory,
  threads = 1,
  backend = 'wasm',
): MemoryEstimate {
  const { batchSize: B, seqLength: T } = options;
  const { vocabSize: V, hiddenSize: H, numLayers: L } = config;
  const P = paramCount(config);
  const workers = engine.workerThreads ? Math.min(Math.max(threads, 1), B) - 1 : 0;
  // Weights, their gradients, the clipped gradients and the optimizer's slots (RMSProp one, Adam two).
  const weights = 4 * P * (3 + (options.optimizer === 'adam' ? 2 : 1));
  const output = 4 * T * B * V * engine.outputCopies;
  // Per layer and step: the gates, c and h kept for backprop, and as much again for their gradients.
  const recurrent = 4 * T * B * L * H * (GATES[config.cell] + 2) * 2;
  const parts: MemoryPart[] = [
    {
      what: `the output layer, ${(T * B).toLocaleString('en-US')} chars per batch x ${V.toLocaleString('en-US')} in the vocabulary`,
      bytes: output,
      lower: ['batchSize', 'seqLength'],
    },
    {
      what: `weights and optimizer, ${(P / 1e6).toLocaleString('en-US', { maximumSignificantDigits: 3 })} million weights`,
      bytes: weights,
      lower: ['hiddenSize', 'numLayers'],
    },
    { what: `the recurrent layers' activations`, bytes: recurrent, lower: ['batchSize', 'seqLength', 'hiddenSize'] },
    // Each worker holds the weights and its gradients; the batch's activations are shared out (counted above).
    { what: `${workers} worker threads`, bytes: workers * (WORKER + 4 * P * 2), lower: ['threads'] },
  ];
  const bytes = BASE + parts.reduce((s, p) => s + p.bytes, 0);
  // On the wasm backend the weights, gradients and slots are tensors in the main thread's wasm heap, and so is
  // validation's cross-entropy over [seqLength x batchSize, vocabSize] logits (about 4 copies), whatever the engine;
  // the TF.js engine also keeps its share of the batch's activations there.
  const validation = 4 * T * B * V * 4;
  const ownShare = engine.workerThreads ? (output + recurrent) / (workers + 1) : 0;
  const perWasmThread = backend === 'wasm' ? weights + Math.max(validation, ownShare) : 0;
  return { bytes, parts, perWasmThread };
}

/**
 * The memory a run may use: CHARRNN_MAX_MEMORY when set (bytes, or with a K, M or G suffix), else this machine's
 * memory (or its container's limit).
 */
export function memoryBudget(): { bytes: number; source: string } {
  const set = process.env.CHARRNN_MAX_MEMORY;
  if (set) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*$/i.exec(set);
    if (!m) throw new CharRNNError(`CHARRNN_MAX_MEMORY must be a size such as 4G or 512M, got '${set}'`);
    const bytes = Number(m[1]) * 1024 ** ' KMG'.indexOf((m[2] || ' ').toUpperCase());
    return { bytes, source: 'CHARRNN_MAX_MEMORY' };
  }
  const limit = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() || Infinity;
  return limit < os.totalmem()
    ? { bytes: limit, source: "this container's limit" }
    : { bytes: os.totalmem(), source: "this machine's memory" };
}

export function formatBytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GB` : `${Math.ceil(n / MB)} MB`;
}

/**
 * Refuses a run that cannot fit, with the estimate, its largest part and the options that shrink it. `nameOf` names
 * an option for the reader (the CLI gives its flags).
 */
export function checkTrainingMemory(estimate: MemoryEstimate, nameOf: (option: string) => string = (o) => o): void {
  const budget = memoryBudget();
  const largest = estimate.parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const lower = `lower ${largest.lower.map(nameOf).join(' or ')}`;
  if (estimate.bytes > budget.bytes) {
    throw new CharRNNError(
      `this run needs about ${formatBytes(estimate.bytes)} of memory (${largest.what}: ${formatBytes(largest.bytes)}), ` +
        `more than ${budget.source} (${formatBytes(budget.bytes)}): ${lower}`,
    );
  }
  if (estimate.perWasmThread > WASM_HEAP) {
    throw new CharRNNError(
      `this run needs about ${formatBytes(estimate.perWasmThread)} per thread on the wasm backend, whose memory stops at ` +
        `${formatBytes(WASM_HEAP)} (${largest.what}: ${formatBytes(largest.bytes)}): ${lower}, or use a backend without that limit (cpu, tensorflow)`,
    );
  }
}
