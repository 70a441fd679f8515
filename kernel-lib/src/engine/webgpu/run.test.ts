import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../backend';
import { CharRNN, disposeState } from '../../model/charrnn';
import { CellType } from '../../model/config';
import { Rng } from '../../rng';
import { clipLikeCharRnn, ClipMode, Optimizer, OptimizerName } from '../../train/optimizers';
import { Batch } from '../batch';
import { lossAndGrads } from '../bptt';
import { Gpu, gpuDevice, releaseGpu } from './device';
import { RunOptions, WebGpuRun } from './run';

// On a machine without a GPU these run on SwiftShader (Debian's chromium ships it), a CPU emulation: tiny sizes.
const NO_GPU = 'no WebGPU adapter here (the optional webgpu package, or a Vulkan driver / SwiftShader, is missing)';
let gpu: Gpu | undefined;

test.before(async () => {
  await initBackend('wasm');
  gpu = await gpuDevice({ allowSoftware: true });
});
test.after(async () => {
  await releaseGpu();
});

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
    const run = await WebGpuRun.create(model, opt, state, { batchSize: B, seqLength: T, gradClip: 5, clipMode: 'value' });
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

test('no GPU buffer outlives its run: the live count stays flat over many iterations and returns to zero', async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  // Count the buffers the device makes and destroys while the run lives.
  const device = gpu!.device;
  const create = device.createBuffer.bind(device);
  let live = 0;
  device.createBuffer = (d: GPUBufferDescriptor) => {
    const b = create(d);
    live += 1;
    const destroy = b.destroy.bind(b);
    let done = false;
    b.destroy = (() => {
      if (!done) live -= 1;
      done = true;
      destroy();
    }) as GPUBuffer['destroy'];
    return b;
  };
  try {
    const model = CharRNN.create({ cell: 'gru', vocabSize: V, hiddenSize: H, numLayers: 1, dropout: 0.2 }, { seed: 5 });
    const opt = new Optimizer({ name: 'adam' });
    const state = model.zeroState(B);
    const run = await WebGpuRun.create(model, opt, state, { batchSize: B, seqLength: T, gradClip: 5, clipMode: 'norm' });
    const counts: number[] = [];
    for (const [i, batch] of batches(40, 3).entries()) {
      run.step(batch, 0.01, i);
      if (i % 3 === 0) await run.loss();
      if (i % 10 === 9) {
        disposeState(await run.sync());
        counts.push(live);
      }
    }
    assert.ok(counts[0] > 0);
    assert.deepEqual(counts, counts.map(() => counts[0]), `live buffers after 10, 20, 30, 40 iterations: ${counts}`);
    run.dispose();
    assert.equal(live, 0);
    disposeState(state);
    opt.dispose();
    model.dispose();
  } finally {
    device.createBuffer = create;
  }
});
