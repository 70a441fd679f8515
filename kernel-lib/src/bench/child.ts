import * as fs from 'node:fs';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/start';
import { lossAndGrads } from '../engine/tfjs/bptt';
import { Batch } from '../engine/batch';
import type { LossAndGrads } from '../engine/contract';
import { ParallelEngine } from '../engine/tfjs/parallel';
import { CharRNN, RNNState, disposeState } from '../model/charrnn';
import { nativeLossAndGrads } from '../engine/native/engine';
import { nativeApply } from '../engine/native/optimizer';
import { chooseEngine } from '../engine/choose';
import { webgpuLossAndGrads } from '../engine/webgpu/bptt';
import { describeGpu, releaseGpu, requireGpu } from '../engine/webgpu/device';
import { WebGpuStepper } from '../engine/webgpu/forward';
import { step as tfjsStep } from '../engine/tfjs/forward';
import { sampleTextsAsync } from '../sample/sampler';
import { Batches } from '../text/batches';
import { Vocab } from '../text/vocab';
import { Optimizer } from '../engine/optimizer';
import { Job, JobResult } from './jobs';

/**
 * One benchmark measurement, run by run.ts as `node child.js JOB_JSON` in a fresh process; prints a JobResult.
 * Each path runs as the library runs it for users:
 *   training: Adam (lr 2e-3) on char-rnn batches with the state carried, timed after warm-up iterations; the wasm
 *     path shares each batch between one thread per core (ParallelEngine), as the Trainer does; the native path
 *     updates the weights with nativeApply; the webgpu path steps the training run kept on the GPU, as the Trainer
 *     does, reading the loss back every 10 iterations and once at the end (which waits for the GPU's queue);
 *   sampling: the library's sampler, temperature 1, on the chosen engine, `streams` at once (sampleTextsAsync on
 *     the GPU); best of 3 runs of `length`;
 *   check (WebGPU on a software adapter): one batch's loss and gradients and a few sampling steps against the TF.js
 *     engine, untimed.
 */

function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

type LossAndGradsFn = (model: CharRNN, batch: Batch, state: RNNState) => LossAndGrads | Promise<LossAndGrads>;
type ApplyFn = (
  optimizer: Optimizer,
  params: Record<string, tf.Variable>,
  grads: Record<string, tf.Tensor>,
  lr: number,
) => void;

const tfjsApply: ApplyFn = (optimizer, params, grads, lr) => optimizer.apply(params, grads, lr);

/**
 * The training path: native engine and optimizer update on this thread, or the TF.js engine on wasm shared between
 * one thread per core with the TF.js optimizer.
 */
async function trainingPath(
  job: Job,
  model: CharRNN,
): Promise<{ run: LossAndGradsFn; apply: ApplyFn; stop: () => Promise<void> }> {
  const threads = Math.min(os.availableParallelism(), job.batch);
  if (job.path === 'native') return { run: nativeLossAndGrads, apply: nativeApply, stop: async () => undefined };
  if (threads < 2) return { run: lossAndGrads, apply: tfjsApply, stop: async () => undefined };
  const parallel = await ParallelEngine.start(model, threads);
  return { run: (m, b, s) => parallel.lossAndGrads(m, b, s), apply: tfjsApply, stop: () => parallel.dispose() };
}

async function train(job: Job, text: string): Promise<JobResult> {
  const vocab = Vocab.fromText(text);
  const batches = new Batches(vocab.encode(text), job.batch, job.seq);
  const model = CharRNN.create(
    { cell: job.cell, vocabSize: vocab.size, hiddenSize: job.hidden, numLayers: job.layers, dropout: 0 },
    { seed: 1 },
  );
  const optimizer = new Optimizer({ name: 'adam' });
  let state = model.zeroState(job.batch);
  const gpuRun =
    job.path === 'webgpu'
      ? await chooseEngine(model, 'webgpu').startRun!(model, optimizer, state, {
          batchSize: job.batch,
          seqLength: job.seq,
          gradClip: 5,
          clipMode: 'value',
        })
      : undefined;
  const path = gpuRun ? undefined : await trainingPath(job, model);
  let i = 0;
  let loss = NaN;
  const iteration = async () => {
    if (gpuRun) {
      gpuRun.step(batches.get(i++ % batches.numBatches), 2e-3, 1);
      if (i % 10 === 0) loss = await gpuRun.loss();
      return;
    }
    const r = await path!.run(model, batches.get(i++ % batches.numBatches), state);
    path!.apply(optimizer, model.params, r.grads, 2e-3);
    tf.dispose(Object.values(r.grads));
    disposeState(state);
    state = r.state;
    loss = r.loss;
  };
  for (let k = 0; k < job.warmup; k++) await iteration();
  const counts: number[] = [];
  const start = performance.now();
  let iters = 0;
  const epochIters = (job.epochs ?? 0) * batches.numBatches; // whole epochs, when asked, however long they take
  while (epochIters ? iters < epochIters : iters < job.minIters || performance.now() - start < job.seconds * 1000) {
    await iteration();
    iters += 1;
    counts.push(tf.memory().numTensors);
  }
  if (gpuRun) loss = await gpuRun.loss();
  const seconds = (performance.now() - start) / 1000;
  await (gpuRun ? gpuRun.dispose() : path!.stop());
  // What reading every weight back from TF.js costs (the native path does it once per iteration).
  const t0 = performance.now();
  for (const v of Object.values(model.params)) v.dataSync();
  const weightReadMs = performance.now() - t0;
  const adapter = gpuRun ? describeGpu(await requireGpu()) : undefined;
  return {
    charsPerSec: (iters * job.batch * job.seq) / seconds,
    iters,
    seconds,
    peakRssMB: peakRssMB(),
    tensorCounts: counts,
    loss,
    weightReadMs,
    adapter,
  };
}

async function sample(job: Job, text: string): Promise<JobResult> {
  const vocab = Vocab.fromText(text);
  const model = CharRNN.create(
    { cell: job.cell, vocabSize: vocab.size, hiddenSize: job.hidden, numLayers: job.layers, dropout: 0 },
    { seed: 1 },
  );
  const engine = job.path === 'wasm' ? 'tfjs' : job.path;
  const count = job.streams ?? 1;
  await sampleTextsAsync(model, vocab, { length: 20, engine, count }); // warm-up
  const counts: number[] = [];
  let seconds = Infinity;
  for (let repeat = 0; repeat < 3; repeat++) {
    // the best of 3 runs, as the peer: a busy machine only slows runs down
    const start = performance.now();
    await sampleTextsAsync(model, vocab, { length: job.length, engine, seed: repeat + 1, count });
    seconds = Math.min(seconds, (performance.now() - start) / 1000);
    counts.push(tf.memory().numTensors);
  }
  const adapter = job.path === 'webgpu' ? describeGpu(await requireGpu()) : undefined;
  return {
    charsPerSec: (job.length * count) / seconds,
    iters: job.length,
    seconds,
    peakRssMB: peakRssMB(),
    tensorCounts: counts,
    adapter,
  };
}

/** WebGPU against the TF.js engine, untimed: one batch's loss and gradients, then 4 steps of `streams` streams. */
async function check(job: Job, text: string): Promise<JobResult> {
  const vocab = Vocab.fromText(text);
  const model = CharRNN.create(
    { cell: job.cell, vocabSize: vocab.size, hiddenSize: job.hidden, numLayers: job.layers, dropout: 0 },
    { seed: 1 },
  );
  const batch = new Batches(vocab.encode(text), job.batch, job.seq).get(0);
  const state = model.zeroState(job.batch);
  const [want, got] = [lossAndGrads(model, batch, state), await webgpuLossAndGrads(model, batch, state)];
  const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
  const grads = Math.max(
    ...Object.keys(want.grads).map((k) =>
      tf.tidy(() => maxAbs(tf.sub(got.grads[k], want.grads[k])) / Math.max(maxAbs(want.grads[k]), 1e-12)),
    ),
  );
  const streams = job.streams ?? 4;
  const stepper = await WebGpuStepper.create(model, streams);
  let cpuState = model.zeroState(streams);
  let logits = 0;
  for (let n = 0; n < 4; n++) {
    const x = Int32Array.from({ length: streams }, (_, b) => vocab.encode(text[n * streams + b])[0]);
    const r = tfjsStep(model, x, cpuState);
    const gpuLogits = tf.tensor2d(await stepper.step(x), r.logits.shape);
    logits = Math.max(logits, maxAbs(tf.sub(gpuLogits, r.logits)));
    tf.dispose([gpuLogits, r.logits]);
    disposeState(cpuState);
    cpuState = r.state;
  }
  stepper.dispose();
  const adapter = describeGpu(await requireGpu());
  return {
    charsPerSec: 0,
    iters: 1,
    seconds: 0,
    peakRssMB: peakRssMB(),
    tensorCounts: [],
    adapter,
    check: { loss: Math.abs(got.loss - want.loss), grads, logits },
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as Job;
  await initBackend('wasm');
  const text = fs.readFileSync(job.text, 'utf8');
  const result =
    job.kind === 'train'
      ? await train(job, text)
      : job.kind === 'check'
        ? await check(job, text)
        : await sample(job, text);
  process.stdout.write(JSON.stringify(result) + '\n');
  await releaseGpu(); // Dawn keeps the process alive while its device is open
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
