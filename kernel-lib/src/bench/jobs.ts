import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../rng';
import { CellType } from '../model/config';

/** The benchmark's workloads and the text they read, shared by the orchestrator (run.ts) and its child processes. */

/** A training workload: the configs a, b, c. */
export interface TrainConfig {
  name: string;
  cell: CellType;
  layers: number;
  hidden: number;
  batch: number;
  seq: number;
}

export const TRAIN_CONFIGS: TrainConfig[] = [
  { name: 'a', cell: 'lstm', layers: 2, hidden: 128, batch: 50, seq: 50 },
  { name: 'b', cell: 'lstm', layers: 2, hidden: 512, batch: 100, seq: 100 },
  { name: 'c', cell: 'lstm', layers: 3, hidden: 512, batch: 50, seq: 50 },
];

/**
 * Workloads run only where a hardware GPU runs our WebGPU engine and PyTorch has CUDA (the GPU targets):
 * a batch large enough to fill a GPU, and one whole epoch of War and Peace with a 3x512 LSTM (B 100, T 100).
 */
export const GPU_TRAIN_CONFIGS: TrainConfig[] = [
  { name: 'd', cell: 'lstm', layers: 2, hidden: 512, batch: 512, seq: 100 },
];
export const EPOCH_CONFIG: TrainConfig = {
  name: 'warpeace',
  cell: 'lstm',
  layers: 3,
  hidden: 512,
  batch: 100,
  seq: 100,
};
/** Streams sampled at once in the GPU's sampling row (against cuDNN at the same count). */
export const GPU_SAMPLE_STREAMS = 256;

/** Sampling workloads: batch 1, 1,000 chars. */
export const SAMPLE_CONFIGS = [
  { name: '2x128', cell: 'lstm' as CellType, layers: 2, hidden: 128 },
  { name: '2x512', cell: 'lstm' as CellType, layers: 2, hidden: 512 },
];

/** Our training and sampling paths: the TF.js engine on wasm, the native engine, the WebGPU engine. */
export type EnginePath = 'wasm' | 'native' | 'webgpu';

/** One measurement run in a child process (a fresh process each: clean peak RSS and no state between runs). */
export interface Job {
  /** 'check' (WebGPU on a software adapter): one batch's loss and gradients against the TF.js engine's, not timed. */
  kind: 'train' | 'sample' | 'check';
  path: EnginePath;
  text: string;
  cell: CellType;
  layers: number;
  hidden: number;
  batch: number;
  seq: number;
  /** Timed at least this long (after warm-up), and at least minIters iterations. */
  seconds: number;
  warmup: number;
  minIters: number;
  /** Chars to sample, per stream. */
  length: number;
  /** Streams sampled at once (default 1). */
  streams?: number;
  /** Train for this many whole epochs instead of `seconds` (0 or absent: timed). */
  epochs?: number;
}

/** What a child process reports, as one JSON line on stdout. */
export interface JobResult {
  charsPerSec: number;
  iters: number;
  seconds: number;
  /** Peak resident memory of the child, MB. */
  peakRssMB: number;
  /** tf.memory().numTensors after each timed iteration: constant when nothing leaks. */
  tensorCounts: number[];
  loss?: number;
  /** Training: ms to read all weights from TF.js once (dataSync), which the native path does every iteration. */
  weightReadMs?: number;
  /** WebGPU jobs: the adapter, as describeGpu names it. */
  adapter?: string;
  /** 'check' jobs: the largest difference from the TF.js engine (loss; gradients relative to their scale; sampling logits). */
  check?: { loss: number; grads: number; logits: number };
}

/** War and Peace from the shared datasets (../shared from the repo root), for the epoch row; undefined when absent. */
export function warAndPeace(repoRoot: string): string | undefined {
  const file = path.resolve(repoRoot, '..', 'shared', 'datasets', 'warpeace', 'input.txt');
  return fs.existsSync(file) ? file : undefined;
}

/** tinyshakespeare from the shared datasets when present (../shared from the repo root), else random text. */
export function benchText(repoRoot: string, scratchDir: string): { file: string; what: string } {
  const shared = path.resolve(repoRoot, '..', 'shared', 'datasets', 'tinyshakespeare', 'input.txt');
  if (fs.existsSync(shared)) return { file: shared, what: `tinyshakespeare (${shared})` };
  // 65 distinct chars like tinyshakespeare: code points 32..96.
  const rng = new Rng(1);
  const text = Array.from({ length: 300_000 }, () => String.fromCharCode(32 + Math.floor(rng.next() * 65))).join('');
  const file = path.join(scratchDir, 'random-65.txt');
  fs.writeFileSync(file, text);
  return { file, what: 'random text over 65 chars (tinyshakespeare not found)' };
}
