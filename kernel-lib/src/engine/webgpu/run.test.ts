import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../../errors';
import { CharRNN, disposeState } from '../../model/charrnn';
import { CellType } from '../../model/config';
import { Rng } from '../../rng';
import { corpusFromText } from '../../text/corpus';
import { loadCheckpoint } from '../../train/checkpoint';
import { clipLikeCharRnn, ClipMode, Optimizer, OptimizerName } from '../optimizer';
import { TrainOptions } from '../../train/options';
import { Trainer } from '../../train/trainer';
import { Batch } from '../batch';
import { lossAndGrads } from '../tfjs/bptt';
import { Gpu, gpuDevice, releaseGpu } from './device';
import { NO_GPU, openTestGpu } from './testing';
import type { RunOptions } from '../contract';
import { WebGpuRun } from './run';

let gpu: Gpu | undefined;
test.before(async () => (gpu = await openTestGpu()));
test.after(releaseGpu);

const [V, H, T, B] = [6, 8, 4, 3];

function batches(n: number, seed: number): Batch[] {
  const rng = new Rng(seed);
  const ids = () => Int32Array.from({ length: T * B }, () => Math.floor(rng.next() * V));
  return Array.from({ length: n }, () => ({ x: ids(), y: ids(), T, B }));
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

const runCases: [CellType, OptimizerName, ClipMode, number][] = [
  ['lstm', 'rmsprop', 'value', 0.2],
  ['gru', 'adam', 'norm', 0.5],
  ['rnn', 'adam', 'value', 0],
];
for (const [cell, name, clipMode, gradClip] of runCases) {
  test(`a resident ${cell} run with ${name}, ${clipMode} clipping ${gradClip}: losses, weights, slots and state equal the host loop's`, async (t) => {
    if (!gpu) return t.skip(NO_GPU);
    const config = { cell, vocabSize: V, hiddenSize: H, numLayers: 2, dropout: 0 };
    const host = CharRNN.create(config, { seed: 5, initScale: 0.5 });
    const dev = CharRNN.create(config, { seed: 5, initScale: 0.5 });
    const [hostOpt, devOpt] = [new Optimizer({ name }), new Optimizer({ name })];
    const opts: RunOptions = { batchSize: B, seqLength: T, gradClip, clipMode };
    let state = host.zeroState(B);
    const start = dev.zeroState(B);
    const run = await WebGpuRun.create(dev, devOpt, start, opts);
    disposeState(start);
    for (const [i, batch] of batches(6, 1).entries()) {
      const lr = 0.02 * (i + 1);
      const r = lossAndGrads(host, batch, state);
      const clipped = clipLikeCharRnn(r.grads, gradClip, clipMode, T);
      hostOpt.apply(host.params, clipped, lr);
      tf.dispose([...Object.values(r.grads), ...Object.values(clipped)]);
      disposeState(state);
      state = r.state;
      run.step(batch, lr, 123);
      const loss = await run.loss();
      assert.ok(Math.abs(loss - r.loss) < 1e-4, `step ${i + 1}: loss ${loss} vs ${r.loss}`);
    }
    const devState = await run.sync();
    assert.equal(devOpt.step, hostOpt.step);
    for (const k of Object.keys(host.params)) assert.ok(maxDiff(dev.params[k], host.params[k]) < 2e-4, `weight ${k}`);
    assert.deepEqual(Object.keys(devOpt.slots).sort(), Object.keys(hostOpt.slots).sort());
    for (const k of Object.keys(hostOpt.slots)) {
      const scale = tf.tidy(() => tf.max(tf.abs(hostOpt.slots[k])).dataSync()[0]);
      assert.ok(maxDiff(devOpt.slots[k], hostOpt.slots[k]) <= 1e-3 * Math.max(scale, 1e-6), `slot ${k}`);
    }
    devState.h.forEach((h, l) => assert.ok(maxDiff(h, state.h[l]) < 1e-4, `state h${l}`));
    run.dispose();
    [hostOpt, devOpt].forEach((o) => o.dispose());
    [state, devState].forEach(disposeState);
    [host, dev].forEach((m) => m.dispose());
  });
}

test('a resident run with dropout: the same seed gives the same run, another seed another one', async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  const config = { cell: 'lstm' as const, vocabSize: V, hiddenSize: H, numLayers: 2, dropout: 0.4 };
  const losses = async (seed: number) => {
    const model = CharRNN.create(config, { seed: 5 });
    const opt = new Optimizer();
    const state = model.zeroState(B);
    const run = await WebGpuRun.create(model, opt, state, {
      batchSize: B,
      seqLength: T,
      gradClip: 5,
      clipMode: 'value',
    });
    const out: number[] = [];
    for (const batch of batches(4, 2)) {
      run.step(batch, 0.01, seed);
      out.push(await run.loss());
    }
    run.dispose();
    disposeState(state);
    opt.dispose();
    model.dispose();
    return out;
  };
  const a = await losses(7);
  assert.deepEqual(await losses(7), a);
  assert.notDeepEqual(await losses(8), a);
});

/** Counts the buffers `device` makes (created) and has not destroyed (live), until restore(). */
function countBuffers(device: GPUDevice) {
  const create = device.createBuffer.bind(device);
  const count = { live: 0, created: 0, restore: () => (device.createBuffer = create) };
  device.createBuffer = (d: GPUBufferDescriptor) => {
    const b = create(d);
    count.live += 1;
    count.created += 1;
    const destroy = b.destroy.bind(b);
    let done = false;
    b.destroy = (() => {
      if (!done) count.live -= 1;
      done = true;
      destroy();
    }) as GPUBuffer['destroy'];
    return b;
  };
  return count;
}

test('no GPU buffer outlives its run: the live count stays flat over many iterations and returns to zero', async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  const count = countBuffers(gpu!.device);
  try {
    const model = CharRNN.create({ cell: 'gru', vocabSize: V, hiddenSize: H, numLayers: 1, dropout: 0.2 }, { seed: 5 });
    const opt = new Optimizer({ name: 'adam' });
    const state = model.zeroState(B);
    const run = await WebGpuRun.create(model, opt, state, {
      batchSize: B,
      seqLength: T,
      gradClip: 5,
      clipMode: 'norm',
    });
    const counts: number[] = [];
    for (const [i, batch] of batches(40, 3).entries()) {
      run.step(batch, 0.01, i);
      if (i % 3 === 0) await run.loss();
      if (i % 10 === 9) {
        disposeState(await run.sync());
        counts.push(count.live);
      }
    }
    assert.ok(counts[0] > 0);
    assert.deepEqual(
      counts,
      counts.map(() => counts[0]),
      `live buffers after 10, 20, 30, 40 iterations: ${counts}`,
    );
    run.dispose();
    assert.equal(count.live, 0);
    disposeState(state);
    opt.dispose();
    model.dispose();
  } finally {
    count.restore();
  }
});

// The trainer on WebGPU: a 2-layer model, batch 2, 6 steps, over a text of ~27 batches an epoch, so that 30
// iterations cross an epoch (state reset, lr decay) and pass validations and samples (each syncs from the GPU).
const CORPUS = corpusFromText('the quick brown fox jumps over the lazy dog. '.repeat(8));

function trainer(cell: CellType, dropout: number, opts: Partial<TrainOptions>): Trainer {
  const model = CharRNN.create(
    { cell, vocabSize: CORPUS.vocab.size, hiddenSize: 8, numLayers: 2, dropout },
    { seed: 7 },
  );
  const o: Partial<TrainOptions> = {
    batchSize: 2,
    seqLength: 6,
    seed: 5,
    learningRate: 0.01,
    lrDecayAfter: 1,
    lrDecay: 0.9,
    evalValEvery: 10,
    threads: 1,
  };
  return new Trainer(model, CORPUS.vocab, CORPUS.data, { ...o, ...opts });
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-webgpu-'));
}

/** Trains to maxIters, or to half and then on from the checkpoint with `resumeOn`; the whole loss curve and the end. */
async function curve(cell: CellType, dropout: number, opts: Partial<TrainOptions>, resumeOn?: 'tfjs' | 'webgpu') {
  let tr = trainer(cell, dropout, resumeOn ? { ...opts, maxIters: opts.maxIters! / 2, checkpointDir: tmpDir() } : opts);
  assert.equal((await tr.run()).status, 'done');
  if (resumeOn) {
    const dir = tr.options.checkpointDir!;
    tr.dispose();
    tr.model.dispose();
    tr = Trainer.resume(path.join(dir, 'latest'), CORPUS.data, { engine: resumeOn, maxIters: opts.maxIters });
    assert.equal((await tr.run()).status, 'done');
    fs.rmSync(dir, { recursive: true });
  }
  const out = {
    train: tr.history.train,
    val: tr.history.val,
    weights: Object.fromEntries(Object.entries(tr.model.params).map(([k, v]) => [k, v.dataSync() as Float32Array])),
  };
  tr.dispose();
  tr.model.dispose();
  return out;
}

function assertClose(
  a: Awaited<ReturnType<typeof curve>>,
  b: Awaited<ReturnType<typeof curve>>,
  tol: number,
  what: string,
): void {
  assert.equal(a.train.length, b.train.length);
  a.train.forEach(([i, l], k) =>
    assert.ok(
      b.train[k][0] === i && Math.abs(b.train[k][1] - l) <= tol,
      `${what}: iteration ${i} loss ${l} vs ${b.train[k][1]}`,
    ),
  );
  a.val.forEach(([i, l], k) =>
    assert.ok(
      b.val[k][0] === i && Math.abs(b.val[k][1] - l) <= tol,
      `${what}: validation at ${i} ${l} vs ${b.val[k][1]}`,
    ),
  );
  for (const k of Object.keys(a.weights)) {
    const d = a.weights[k].reduce((m, v, i) => Math.max(m, Math.abs(v - b.weights[k][i])), 0);
    assert.ok(d <= 10 * tol, `${what}: weights ${k} differ by ${d}`);
  }
}

test("30 iterations of the trainer on WebGPU: the loss curve, validations and weights equal the TF.js engine's", async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  const opts: Partial<TrainOptions> = { maxIters: 30, sampleEvery: 15, sampleLength: 20 };
  const count = countBuffers(gpu!.device);
  const gpuRun = await curve('lstm', 0, { ...opts, engine: 'webgpu' }).finally(count.restore);
  // The run stays on the GPU: buffers are made once, then only at the 4 syncs (3 validations, 1 sample in between)
  // and for the validations' forward passes, which run on the GPU too; not per iteration (uploading weights and
  // reading gradients would make ~40 an iteration, 1,200 in all).
  assert.ok(count.created < 200, `${count.created} GPU buffers made in 30 iterations`);
  assert.equal(count.live, 0);
  const cpuRun = await curve('lstm', 0, { ...opts, engine: 'tfjs' });
  assert.ok(gpuRun.train.length === 30 && gpuRun.val.length === 3);
  assertClose(gpuRun, cpuRun, 2e-4, 'webgpu vs tfjs');
});

test('exact resume on WebGPU (with dropout): 2N iterations = N, checkpoint, resume, N', async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  const opts: Partial<TrainOptions> = { maxIters: 20, engine: 'webgpu', optimizer: 'adam' };
  const straight = await curve('lstm', 0.3, opts);
  const resumed = await curve('lstm', 0.3, opts, 'webgpu');
  assertClose(straight, resumed, 1e-6, 'resumed on webgpu');
});

test('a checkpoint written on WebGPU continues on TF.js, and one written on TF.js continues on WebGPU', async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  const opts: Partial<TrainOptions> = { maxIters: 20, optimizer: 'adam', clipMode: 'norm', gradClip: 1 };
  const reference = await curve('gru', 0, { ...opts, engine: 'tfjs' });
  assertClose(reference, await curve('gru', 0, { ...opts, engine: 'webgpu' }, 'tfjs'), 2e-4, 'webgpu then tfjs');
  assertClose(reference, await curve('gru', 0, { ...opts, engine: 'tfjs' }, 'webgpu'), 2e-4, 'tfjs then webgpu');
});

// Last: these destroy the shared device (the next request opens a new one). Lost before iteration 6's step, or after
// it, when the checkpoint of iteration 6 is about to read the run back.
for (const [at, when] of [
  [5, 'a step'],
  [6, 'a checkpoint'],
] as const) {
  test(`a GPU device lost during training (before ${when}) stops with one clear line and keeps the last good checkpoint`, async (t) => {
    if (!gpu) return t.skip(NO_GPU);
    const dir = tmpDir();
    const tr = trainer('rnn', 0, {
      maxIters: 30,
      engine: 'webgpu',
      checkpointDir: dir,
      checkpointEvery: 3,
      evalValEvery: 1000,
    });
    const device = (await gpuDevice({ allowSoftware: true }))!.device;
    const run = tr.run({ onProgress: (p) => p.iter === at && device.destroy() });
    await assert.rejects(
      run,
      (e: Error) => e instanceof CharRNNError && /GPU device was lost/.test(e.message) && !e.message.includes('\n'),
    );
    tr.dispose();
    const ckpt = loadCheckpoint(path.join(dir, 'latest'));
    assert.equal(ckpt.meta.state?.iter, 3);
    for (const v of Object.values(ckpt.model.params)) assert.ok((v.dataSync() as Float32Array).every(Number.isFinite));
    ckpt.model.dispose();
    tr.model.dispose();
    fs.rmSync(dir, { recursive: true });
  });
}
