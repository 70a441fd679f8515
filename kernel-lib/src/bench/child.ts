import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { lossAndGrads } from '../engine/bptt';
import { step } from '../engine/forward';
import { CharRNN, disposeState } from '../model/charrnn';
import { nativeLossAndGrads, nativeStep } from '../native/engine';
import { Rng } from '../rng';
import { Batches } from '../text/batches';
import { Vocab } from '../text/vocab';
import { Optimizer } from '../train/optimizers';
import { Job, JobResult } from './jobs';

/**
 * One benchmark measurement, run by run.ts as `node child.js JOB_JSON` in a fresh process; prints a JobResult.
 * Training: Adam (lr 2e-3) on char-rnn batches with the state carried, timed after warm-up iterations.
 * Sampling: batch 1 from an untrained model, softmax at temperature 1, one char fed back each step; best of 3 runs.
 */

function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Runs `iteration` warmup times, then until both `seconds` and `minIters` are reached; returns timing and counts. */
function timed(job: Job, iteration: () => number | void): { iters: number; seconds: number; counts: number[]; last?: number } {
  for (let i = 0; i < job.warmup; i++) iteration();
  const counts: number[] = [];
  let last: number | void = undefined;
  const start = performance.now();
  let iters = 0;
  while (iters < job.minIters || performance.now() - start < job.seconds * 1000) {
    last = iteration();
    iters += 1;
    counts.push(tf.memory().numTensors);
  }
  return { iters, seconds: (performance.now() - start) / 1000, counts, last: last ?? undefined };
}

function train(job: Job, text: string): JobResult {
  const vocab = Vocab.fromText(text);
  const batches = new Batches(vocab.encode(text), job.batch, job.seq);
  const model = CharRNN.create({ cell: job.cell, vocabSize: vocab.size, hiddenSize: job.hidden, numLayers: job.layers, dropout: 0 }, { seed: 1 });
  const optimizer = new Optimizer({ name: 'adam' });
  const lossAndGradsOf = job.path === 'native' ? nativeLossAndGrads : lossAndGrads;
  let state = model.zeroState(job.batch);
  let i = 0;
  const run = timed(job, () => {
    const r = lossAndGradsOf(model, batches.get(i++ % batches.numBatches), state);
    optimizer.apply(model.params, r.grads, 2e-3);
    tf.dispose(Object.values(r.grads));
    disposeState(state);
    state = r.state;
    return r.loss;
  });
  // What reading every weight back from TF.js costs (the native path does it once per iteration).
  const t0 = performance.now();
  for (const v of Object.values(model.params)) v.dataSync();
  const weightReadMs = performance.now() - t0;
  return { charsPerSec: (run.iters * job.batch * job.seq) / run.seconds, iters: run.iters, seconds: run.seconds, peakRssMB: peakRssMB(), tensorCounts: run.counts, loss: run.last, weightReadMs };
}

function sample(job: Job, text: string): JobResult {
  const V = Vocab.fromText(text).size;
  const model = CharRNN.create({ cell: job.cell, vocabSize: V, hiddenSize: job.hidden, numLayers: job.layers, dropout: 0 }, { seed: 1 });
  const stepOf = job.path === 'native' ? nativeStep : step;
  const rng = new Rng(1);
  let state = model.zeroState(1);
  let id = 0;
  const draw = () => {
    const r = stepOf(model, Int32Array.of(id), state);
    const logits = r.logits.dataSync();
    r.logits.dispose();
    disposeState(state);
    state = r.state;
    const max = Math.max(...logits);
    let sum = 0;
    for (const l of logits) sum += Math.exp(l - max);
    let u = rng.next() * sum;
    id = logits.length - 1;
    for (let k = 0; k < logits.length; k++) {
      u -= Math.exp(logits[k] - max);
      if (u < 0) {
        id = k;
        break;
      }
    }
  };
  for (let k = 0; k < 20; k++) draw(); // warm-up
  const counts: number[] = [];
  let seconds = Infinity;
  for (let repeat = 0; repeat < 3; repeat++) { // the best of 3 runs, as the peer: a busy machine only slows runs down
    const start = performance.now();
    for (let k = 0; k < job.length; k++) draw();
    seconds = Math.min(seconds, (performance.now() - start) / 1000);
    counts.push(tf.memory().numTensors);
  }
  return { charsPerSec: job.length / seconds, iters: job.length, seconds, peakRssMB: peakRssMB(), tensorCounts: counts };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as Job;
  await initBackend('wasm');
  const text = fs.readFileSync(job.text, 'utf8');
  const result = job.kind === 'train' ? train(job, text) : sample(job, text);
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
