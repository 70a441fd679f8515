import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { CharRNN } from '../model/charrnn';
import { Vocab } from '../text/vocab';
import { loadCheckpoint, readCheckpointMeta, saveCheckpoint } from './checkpoint';

const vocab = Vocab.fromText('abcdé😀\n');

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-ckpt-'));
}

test.before(async () => {
  await initBackend('wasm');
});

for (const cell of ['lstm', 'gru', 'rnn'] as const) {
  test(`checkpoint round trip keeps every weight, the vocab and the config (${cell})`, async () => {
    const model = CharRNN.create({ cell, vocabSize: vocab.size, hiddenSize: 8, numLayers: 2, dropout: 0.1 }, { seed: 3 });
    const dir = path.join(tmpDir(), 'latest');
    const carried = tf.randomNormal([4, 8]);
    await saveCheckpoint(dir, { model, vocab, history: { train: [[1, 2.5]], val: [] }, state: { iter: 1 }, trainTensors: { 'state/h0': carried } });
    const ckpt = loadCheckpoint(path.dirname(dir));
    assert.deepEqual(ckpt.meta.model, model.config);
    assert.deepEqual(ckpt.vocab.chars, vocab.chars);
    assert.deepEqual(ckpt.meta.history.train, [[1, 2.5]]);
    for (const [name, v] of Object.entries(model.params)) {
      assert.deepEqual(ckpt.model.params[name].dataSync(), v.dataSync(), name);
    }
    assert.deepEqual(ckpt.trainTensors['state/h0'].dataSync(), carried.dataSync());
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const names = manifest.weightsManifest[0].weights.map((w: { name: string }) => w.name);
    assert.deepEqual(names.sort(), Object.keys(model.params).sort());
    for (const t of [carried, ...Object.values(ckpt.trainTensors)]) t.dispose();
    ckpt.model.dispose();
    model.dispose();
  });
}

test('saving over a checkpoint replaces it whole; a crash between the renames still loads', async () => {
  const root = tmpDir();
  const dir = path.join(root, 'latest');
  const a = CharRNN.create({ cell: 'rnn', vocabSize: vocab.size, hiddenSize: 4, numLayers: 1, dropout: 0 }, { seed: 1 });
  const b = CharRNN.create({ cell: 'rnn', vocabSize: vocab.size, hiddenSize: 4, numLayers: 1, dropout: 0 }, { seed: 2 });
  await saveCheckpoint(dir, { model: a, vocab, state: { iter: 1 } });
  await saveCheckpoint(dir, { model: b, vocab, state: { iter: 2 } });
  assert.deepEqual(fs.readdirSync(root), ['latest']);
  const loaded = loadCheckpoint(root);
  assert.deepEqual(loaded.model.params['output/kernel'].dataSync(), b.params['output/kernel'].dataSync());
  loaded.model.dispose();
  // Simulate a crash after the old checkpoint moved aside and before the new one took its name.
  fs.renameSync(dir, path.join(root, 'latest.old-999'));
  fs.mkdirSync(path.join(root, 'latest.tmp-999'));
  assert.equal((readCheckpointMeta(root).meta.state as { iter: number }).iter, 2);
  a.dispose();
  b.dispose();
});

test('unreadable checkpoints give one clear error', async () => {
  const root = tmpDir();
  assert.throws(() => loadCheckpoint(path.join(root, 'nothing')), /no checkpoint found/);
  fs.writeFileSync(path.join(root, 'checkpoint.json'), '{not json');
  assert.throws(() => loadCheckpoint(root), /cannot read .*checkpoint\.json/);
  const model = CharRNN.create({ cell: 'lstm', vocabSize: vocab.size, hiddenSize: 4, numLayers: 1, dropout: 0 });
  const dir = path.join(root, 'ok');
  await saveCheckpoint(dir, { model, vocab });
  fs.truncateSync(path.join(dir, 'weights.bin'), 10);
  assert.throws(() => loadCheckpoint(dir), /weights\.bin has 10 bytes/);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify({ ...meta, version: 99 }));
  assert.throws(() => loadCheckpoint(dir), /format version 99/);
  model.dispose();
});
