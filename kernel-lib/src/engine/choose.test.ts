import test from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../backend';
import { lossAndGrads } from './tfjs/bptt';
import { webgpuLossAndGrads } from './webgpu/bptt';
import { CharRNN } from '../model/charrnn';
import { RNNCell } from '../model/rnn';
import { chooseEngine } from './choose';
import { nativeForward, nativeLossAndGrads } from './native/engine';
import { withAddon, withoutAddon } from './native/testing';

async function tinyModel(): Promise<CharRNN> {
  await initBackend();
  return CharRNN.create({ cell: 'gru', vocabSize: 5, hiddenSize: 3, numLayers: 1, dropout: 0 });
}

test('chooseEngine: tfjs and webgpu on request, auto never webgpu; an unknown engine is one clear error', async () => {
  const model = await tinyModel();
  assert.equal(chooseEngine(model, 'tfjs').lossAndGrads, lossAndGrads);
  assert.equal(chooseEngine(model, 'webgpu').lossAndGrads, webgpuLossAndGrads);
  assert.notEqual(chooseEngine(model, 'auto').name, 'webgpu');
  assert.throws(() => chooseEngine(model, 'fast' as 'auto'), { name: 'CharRNNError', message: /unknown engine 'fast'/ });
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

test('chooseEngine: without the addon auto takes tfjs and says why in one line; native is refused', withoutAddon, async () => {
  const model = await tinyModel();
  const auto = chooseEngine(model, 'auto');
  assert.equal(auto.name, 'tfjs');
  assert.match(auto.note as string, /^native path off/);
  assert.throws(() => chooseEngine(model, 'native'), { name: 'CharRNNError' });
  const gpu = chooseEngine(model, 'webgpu');
  assert.equal(gpu.name, 'tfjs');
  assert.match(gpu.note as string, /WebGPU engine runs the built-in cells only/);
  model.dispose();
});

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
