import * as fs from 'node:fs';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { lossAndGrads } from '../engine/tfjs/bptt';
import { Batch } from '../engine/batch';
import type { LossAndGrads } from '../engine/contract';
import { ParallelEngine } from '../engine/tfjs/parallel';
import { CharRNN, RNNState, disposeState } from '../model/charrnn';
import { nativeLossAndGrads } from '../engine/native/engine';
import { nativeApply } from '../engine/native/optimizer';
import { sample as sampleText } from '../sample/sampler';
import { Batches } from '../text/batches';
import { Vocab } from '../text/vocab';
import { Optimizer } from '../train/optimizers';
import { Job, JobResult } from './jobs';

/**
 * One benchmark measurement, run by run.ts as `node child.js JOB_JSON` in a fresh process; prints a JobResult.
 * Each path runs as the library runs it for users:
 *   training: Adam (lr 2e-3) on char-rnn batches with the state carried, timed after warm-up iterations; the wasm
 *     path shares each batch between one thread per core (ParallelEngine), as the Trainer does; the native path
 *     updates the weights with nativeApply;
 *   sampling: the library's sampler at batch 1, temperature 1, on the chosen engine; best of 3 runs of `length`.
 */

function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

type LossAndGradsFn = (model: CharRNN, batch: Batch, state: RNNState) => LossAndGrads | Promise<LossAndGrads>;
type ApplyFn = (optimizer: Optimizer, params: Record<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number) => void;

const tfjsApply: ApplyFn = (optimizer, params, grads, lr) => optimizer.apply(params, grads, lr);

/**
 * The training path: native engine and optimizer update on this thread, or the TF.js engine on wasm shared between
 * one thread per core with the TF.js optimizer.
 */
async function trainingPath(job: Job, model: CharRNN): Promise<{ run: LossAndGradsFn; apply: ApplyFn; stop: () => Promise<void> }> {
  const threads = Math.min(os.availableParallelism(), job.batch);
  if (job.path === 'native') return { run: nativeLossAndGrads, apply: nativeApply, stop: async () => undefined };
  if (threads < 2) return { run: lossAndGrads, apply: tfjsApply, stop: async () => undefined };
  const parallel = await ParallelEngine.start(model, threads);
  return { run: (m, b, s) => parallel.lossAndGrads(m, b, s), apply: tfjsApply, stop: () => parallel.dispose() };
}

async function train(job: Job, text: string): Promise<JobResult> {
  const vocab = Vocab.fromText(text);
  const batches = new Batches(vocab.encode(text), job.batch, job.seq);
  const model = CharRNN.create({ cell: job.cell, vocabSize: vocab.size, hiddenSize: job.hidden, numLayers: job.layers, dropout: 0 }, { seed: 1 });
  const optimizer = new Optimizer({ name: 'adam' });
  const path = await trainingPath(job, model);
  let state = model.zeroState(job.batch);
  let i = 0;
  let loss = NaN;
  const iteration = async () => {
    const r = await path.run(model, batches.get(i++ % batches.numBatches), state);
    path.apply(optimizer, model.params, r.grads, 2e-3);
    tf.dispose(Object.values(r.grads));
    disposeState(state);
    state = r.state;
    loss = r.loss;
  };
  for (let k = 0; k < job.warmup; k++) await iteration();
  const counts: number[] = [];
  const start = performance.now();
  let iters = 0;
  while (iters < job.minIters || performance.now() - start < job.seconds * 1000) {
    await iteration();
    iters += 1;
    counts.push(tf.memory().numTensors);
  }
  const seconds = (performance.now() - start) / 1000;
  await path.stop();
  // What reading every weight back from TF.js costs (the native path does it once per iteration).
  const t0 = performance.now();
  for (const v of Object.values(model.params)) v.dataSync();
  const weightReadMs = performance.now() - t0;
  return { charsPerSec: (iters * job.batch * job.seq) / seconds, iters, seconds, peakRssMB: peakRssMB(), tensorCounts: counts, loss, weightReadMs };
}

function sample(job: Job, text: string): JobResult {
  const vocab = Vocab.fromText(text);
  const model = CharRNN.create({ cell: job.cell, vocabSize: vocab.size, hiddenSize: job.hidden, numLayers: job.layers, dropout: 0 }, { seed: 1 });
  const engine = job.path === 'native' ? 'native' : 'tfjs';
  sampleText(model, vocab, { length: 20, engine }); // warm-up
  const counts: number[] = [];
  let seconds = Infinity;
  for (let repeat = 0; repeat < 3; repeat++) { // the best of 3 runs, as the peer: a busy machine only slows runs down
    const start = performance.now();
    sampleText(model, vocab, { length: job.length, engine, seed: repeat + 1 });
    seconds = Math.min(seconds, (performance.now() - start) / 1000);
    counts.push(tf.memory().numTensors);
  }
  return { charsPerSec: job.length / seconds, iters: job.length, seconds, peakRssMB: peakRssMB(), tensorCounts: counts };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as Job;
  await initBackend('wasm');
  const text = fs.readFileSync(job.text, 'utf8');
  const result = job.kind === 'train' ? await train(job, text) : sample(job, text);
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
