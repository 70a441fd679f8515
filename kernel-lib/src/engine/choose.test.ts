import test from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from './start';
import { lossAndGrads } from './tfjs/bptt';
import { webgpuLossAndGrads } from './webgpu/bptt';
import { CharRNN } from '../model/charrnn';
import { RNNCell } from '../model/rnn';
import { GPU_SAMPLING_STREAMS, chooseEngine, chooseSampler } from './choose';
import type { GpuProbe } from './webgpu/device';
import { nativeForward, nativeLossAndGrads } from './native/engine';
import { withAddon, withoutAddon } from './native/testing';

async function tinyModel(): Promise<CharRNN> {
  await initBackend();
  return CharRNN.create({ cell: 'gru', vocabSize: 5, hiddenSize: 3, numLayers: 1, dropout: 0 });
}

test('chooseEngine: tfjs and webgpu on request, auto not webgpu without an adapter; an unknown engine is one clear error', async () => {
  const model = await tinyModel();
  assert.equal(chooseEngine(model, 'tfjs').lossAndGrads, lossAndGrads);
  assert.equal(chooseEngine(model, 'webgpu').lossAndGrads, webgpuLossAndGrads);
  assert.notEqual(chooseEngine(model, 'auto', { why: 'WebGPU found no adapter' }).name, 'webgpu');
  assert.throws(() => chooseEngine(model, 'fast' as 'auto'), {
    name: 'CharRNNError',
    message: /unknown engine 'fast'/,
  });
  model.dispose();
});

test('chooseEngine: auto takes native where the addon is built', withAddon, async () => {
  const model = await tinyModel();
  const auto = chooseEngine(model, 'auto');
  assert.equal(auto.name, 'native');
  assert.equal(auto.lossAndGrads, nativeLossAndGrads);
  assert.equal(auto.forward, nativeForward);
  assert.equal(auto.note, undefined);
  assert.equal(chooseEngine(model, 'native').name, 'native');
  model.dispose();
});

test(
  'chooseEngine: without the addon auto takes tfjs and says why in one line; native is refused',
  withoutAddon,
  async () => {
    const model = await tinyModel();
    const auto = chooseEngine(model, 'auto');
    assert.equal(auto.name, 'tfjs');
    assert.match(auto.note as string, /^native path off/);
    assert.throws(() => chooseEngine(model, 'native'), { name: 'CharRNNError' });
    model.dispose();
  },
);

test('chooseEngine: models with user-written cells stay on TF.js, with a note', async () => {
  await initBackend();
  const model = CharRNN.fromCells([new RNNCell(4, 3)], 4);
  const auto = chooseEngine(model, 'auto');
  assert.equal(auto.name, 'tfjs');
  assert.ok(auto.note && !auto.note.includes('\n'));
  assert.throws(() => chooseEngine(model, 'native'), { name: 'CharRNNError' });
  const gpu = chooseEngine(model, 'webgpu');
  assert.equal(gpu.name, 'tfjs');
  assert.match(gpu.note as string, /WebGPU engine runs the built-in cells only/);
  model.dispose();
});

// What initBackend()'s probe could have found (injected: these tests do not depend on this machine's GPU).
const H200: GpuProbe = {
  adapter: {
    info: { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' },
    software: false,
  },
};
const SWIFTSHADER: GpuProbe = {
  adapter: {
    info: { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader driver 5.0.0' },
    software: true,
  },
};
const NONE: GpuProbe = {
  why: 'no Vulkan driver (no manifest in /usr/share/vulkan/icd.d, /etc/vulkan/icd.d, /usr/local/share/vulkan/icd.d)',
};

test('chooseEngine: auto takes WebGPU on a hardware adapter and names it; not on a software one or none, and says why', async () => {
  const model = await tinyModel();
  const gpu = chooseEngine(model, 'auto', H200);
  assert.equal(gpu.name, 'webgpu');
  assert.equal(gpu.reason, 'auto: a hardware WebGPU adapter, nvidia hopper (NVIDIA H200)');
  const soft = chooseEngine(model, 'auto', SWIFTSHADER);
  assert.notEqual(soft.name, 'webgpu');
  assert.match(
    soft.reason as string,
    /not WebGPU: the WebGPU adapter is a software one \(google swiftshader \(SwiftShader driver 5\.0\.0\), software\), slower than the CPU engines$/,
  );
  const none = chooseEngine(model, 'auto', NONE);
  assert.notEqual(none.name, 'webgpu');
  assert.match(none.reason as string, /not WebGPU: no Vulkan driver \(no manifest in /);
  // initBackend() probed this machine's GPU: the default is its result, not "not probed".
  assert.doesNotMatch(chooseEngine(model, 'auto').reason as string, /no GPU probed/);
  for (const r of [soft.reason, none.reason]) assert.ok(!r?.includes('\n'), 'one line');
  model.dispose();
});

test('chooseEngine: --engine webgpu forces WebGPU on a software adapter or none; other engines ignore the GPU', async () => {
  const model = await tinyModel();
  for (const probe of [SWIFTSHADER, NONE, H200]) {
    assert.equal(chooseEngine(model, 'webgpu', probe).name, 'webgpu');
    assert.equal(chooseEngine(model, 'tfjs', probe).name, 'tfjs');
  }
  assert.equal(
    chooseEngine(model, 'webgpu', SWIFTSHADER).reason,
    'the WebGPU engine, as asked on google swiftshader (SwiftShader driver 5.0.0), software',
  );
  // User-written cells stay on TF.js even with a GPU.
  const custom = CharRNN.fromCells([new RNNCell(4, 3)], 4);
  assert.equal(chooseEngine(custom, 'auto', H200).name, 'tfjs');
  custom.dispose();
  model.dispose();
});

test(`chooseSampler: auto samples on the GPU from ${GPU_SAMPLING_STREAMS} streams, below on a CPU engine with the reason; forced webgpu always`, async () => {
  const model = await tinyModel();
  assert.equal(chooseSampler(model, 'auto', GPU_SAMPLING_STREAMS, H200).name, 'webgpu');
  assert.ok(chooseSampler(model, 'auto', 256, H200).device, 'the GPU engine samples through its device stepper');
  const one = chooseSampler(model, 'auto', 1, H200);
  assert.notEqual(one.name, 'webgpu');
  assert.equal(one.device, undefined);
  assert.match(
    one.reason as string,
    new RegExp(`^auto: sampling 1 stream\\(s\\) on the CPU: below ${GPU_SAMPLING_STREAMS} streams`),
  );
  assert.equal(chooseSampler(model, 'webgpu', 1, SWIFTSHADER).name, 'webgpu');
  assert.notEqual(chooseSampler(model, 'auto', 256, SWIFTSHADER).name, 'webgpu');
  model.dispose();
});
