import test, { mock } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/start';
import { CharRNN } from '../model/charrnn';
import { ModelConfig, paramCount } from '../model/config';
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
    const model = CharRNN.create(
      { cell, vocabSize: vocab.size, hiddenSize: 8, numLayers: 2, dropout: 0.1 },
      { seed: 3 },
    );
    const dir = path.join(tmpDir(), 'latest');
    const carried = tf.randomNormal([4, 8]);
    await saveCheckpoint(dir, {
      model,
      vocab,
      history: { train: [[1, 2.5]], val: [] },
      state: { iter: 1 },
      trainTensors: { 'state/h0': carried },
    });
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
  const a = CharRNN.create(
    { cell: 'rnn', vocabSize: vocab.size, hiddenSize: 4, numLayers: 1, dropout: 0 },
    { seed: 1 },
  );
  const b = CharRNN.create(
    { cell: 'rnn', vocabSize: vocab.size, hiddenSize: 4, numLayers: 1, dropout: 0 },
    { seed: 2 },
  );
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

const small: ModelConfig = { cell: 'lstm', vocabSize: vocab.size, hiddenSize: 4, numLayers: 2, dropout: 0 };
const iterOf = (where: string) => (readCheckpointMeta(where).meta.state as { iter: number }).iter;

/** Saves a checkpoint of a fresh model (seeded by its iteration) at `dir`; returns its output bias for comparisons. */
async function saveAt(dir: string, iter: number): Promise<Float32Array> {
  const model = CharRNN.create(small, { seed: iter });
  await saveCheckpoint(dir, { model, vocab, state: { iter }, trainTensors: { 'state/h0': tf.ones([2, 4]) } });
  const bias = model.params['output/bias'].dataSync() as Float32Array;
  model.dispose();
  return bias;
}

/** fs functions that change the disk: a crash is simulated by making every call from the n-th on fail. */
const WRITES = [
  'mkdirSync',
  'openSync',
  'writeSync',
  'fsyncSync',
  'closeSync',
  'renameSync',
  'rmSync',
  'writeFileSync',
] as const;

function crashAfter(n: number): { calls: () => number } {
  let calls = 0;
  for (const name of WRITES) {
    const real = (nodeFs as any)[name];
    mock.method(nodeFs, name, (...args: unknown[]) => {
      if (calls++ >= n) throw Object.assign(new Error('EIO: simulated crash'), { code: 'EIO' });
      return real(...args);
    });
  }
  return { calls: () => calls };
}

test('a crash at any step of a save, beside leftovers of earlier crashes, loads the newest complete checkpoint', async () => {
  // How many disk-changing calls one save makes.
  const probe = path.join(tmpDir(), 'latest');
  await saveAt(probe, 1);
  const counter = crashAfter(Infinity);
  await saveAt(probe, 2);
  const steps = counter.calls();
  mock.restoreAll();
  assert.ok(steps > 10, `a save makes ${steps} calls`);

  let previous = 0;
  for (let k = 0; k <= steps; k++) {
    const root = tmpDir();
    const dir = path.join(root, 'latest');
    // Leftovers of earlier crashes: a complete old copy (iteration 179), a partial copy, and a newer but damaged one.
    await saveAt(path.join(root, 'scratch'), 179);
    fs.renameSync(path.join(root, 'scratch'), path.join(root, 'latest.old-111'));
    fs.mkdirSync(path.join(root, 'latest.tmp-222'));
    fs.writeFileSync(path.join(root, 'latest.tmp-222', 'weights.bin'), Buffer.alloc(10));
    await saveAt(path.join(root, 'scratch'), 500);
    const weights = path.join(root, 'scratch', 'weights.bin');
    const bytes = fs.readFileSync(weights);
    bytes[3] ^= 0xff;
    fs.writeFileSync(weights, bytes);
    fs.renameSync(path.join(root, 'scratch'), path.join(root, 'latest.tmp-333'));
    const at455 = await saveAt(dir, 455);
    const model = CharRNN.create(small, { seed: 456 });
    crashAfter(k);
    const saved = await saveCheckpoint(dir, {
      model,
      vocab,
      state: { iter: 456 },
      trainTensors: { 'state/h0': tf.ones([2, 4]) },
    }).then(
      () => true,
      () => false,
    );
    mock.restoreAll();
    if (k === steps) assert.ok(saved, 'a save that is not interrupted succeeds');

    const ckpt = loadCheckpoint(root);
    const iter = (ckpt.meta.state as { iter: number }).iter;
    assert.ok(iter === 455 || iter === 456, `crash after ${k}: loaded iteration ${iter}`);
    if (saved) assert.equal(iter, 456, `crash after ${k}`);
    assert.ok(iter >= previous, `crash after ${k}: iteration ${iter} after ${previous} for an earlier crash`);
    previous = iter;
    const expected = iter === 456 ? model.params['output/bias'].dataSync() : at455;
    assert.deepEqual(ckpt.model.params['output/bias'].dataSync(), expected);
    if (!fs.existsSync(dir)) assert.match(ckpt.recovered ?? '', /newest complete copy \(iteration 456\)/);
    else assert.equal(ckpt.recovered, undefined);
    ckpt.model.dispose();
    tf.dispose(Object.values(ckpt.trainTensors));
    model.dispose();

    // The next save puts a good checkpoint in place and removes every leftover.
    await saveAt(dir, 457);
    assert.deepEqual(fs.readdirSync(root), ['latest'], `crash after ${k}`);
    assert.equal(iterOf(root), 457);
  }
  assert.equal(previous, 456);
});

test('writes that take fewer bytes than asked still write the whole checkpoint', async () => {
  const dir = path.join(tmpDir(), 'latest');
  const real = nodeFs.writeSync;
  mock.method(nodeFs, 'writeSync', (fd: number, data: Buffer, offset = 0) =>
    real(fd, data, offset, Math.min(7, data.length - offset)),
  );
  const bias = await saveAt(dir, 3).finally(() => mock.restoreAll());
  const ckpt = loadCheckpoint(dir);
  assert.deepEqual(ckpt.model.params['output/bias'].dataSync(), bias);
  ckpt.model.dispose();
  tf.dispose(Object.values(ckpt.trainTensors));
});

test('a full disk at a save: one line naming the folder, no partial files, the previous checkpoint intact', async () => {
  const root = tmpDir();
  const dir = path.join(root, 'latest');
  await saveAt(dir, 10);
  let written = 0;
  const real = nodeFs.writeSync;
  mock.method(nodeFs, 'writeSync', (fd: number, data: Buffer, offset = 0) => {
    if (written > 100)
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    const n = real(fd, data, offset, Math.min(64, data.length - offset));
    written += n;
    return n;
  });
  await assert.rejects(
    saveAt(dir, 11).finally(() => mock.restoreAll()),
    (e: Error) => {
      assert.equal(e.name, 'CharRNNError');
      assert.equal(e.message, `cannot save the checkpoint ${dir}: no space left on device (ENOSPC)`);
      return true;
    },
  );
  assert.deepEqual(fs.readdirSync(root), ['latest']);
  assert.equal(iterOf(root), 10);
});

/**
 * A good checkpoint (ok/, saved at iteration 7) and ways to damage it: `refused(damage, pattern)` restores the good
 * files, applies `damage`, and expects loading it (or `read` it) to fail with one line matching `pattern`.
 */
async function damageable() {
  const root = tmpDir();
  const dir = path.join(root, 'ok');
  await saveAt(dir, 7);
  const pristine = Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
  const meta = JSON.parse(pristine['checkpoint.json'].toString());
  const manifest = JSON.parse(pristine['model.json'].toString());
  /** Restores the good checkpoint, applies `damage`, and expects `pattern` from loading it. */
  const refused = (damage: () => void, pattern: RegExp, read: (where: string) => unknown = loadCheckpoint) => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    for (const [f, data] of Object.entries(pristine)) fs.writeFileSync(path.join(dir, f), data);
    damage();
    assert.throws(
      () => read(dir),
      (e: Error) => {
        assert.equal(e.name, 'CharRNNError', e.message);
        assert.match(e.message, pattern);
        assert.equal(e.message.split('\n').length, 1);
        return true;
      },
    );
  };
  const setMeta = (m: unknown) => () => fs.writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify(m));
  const setModel = (model: object) => setMeta({ ...meta, model: { ...meta.model, ...model } });
  const setWeights = (w: object) => () => {
    const group = { ...manifest.weightsManifest[0], ...w };
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ ...manifest, weightsManifest: [group] }));
  };
  return { root, dir, meta, manifest, refused, setMeta, setModel, setWeights };
}

test('a damaged or inconsistent checkpoint.json is refused with one line before anything is allocated', async () => {
  const { meta, refused, setMeta, setModel } = await damageable();
  for (const version of [0, -1, 'abc', undefined])
    refused(setMeta({ ...meta, version }), /format version .* is not one charrnn writes/, readCheckpointMeta);
  refused(setMeta(null), /not a charrnn checkpoint/, readCheckpointMeta);
  refused(setModel({ cell: 'foo' }), /unknown cell 'foo'/, readCheckpointMeta);
  refused(setModel({ hiddenSize: -64 }), /hiddenSize must be a positive integer, got -64/, readCheckpointMeta);
  refused(
    setMeta({ ...meta, vocab: meta.vocab.slice(1) }),
    /vocabulary has 6 chars but model.vocabSize is 7/,
    readCheckpointMeta,
  );
  refused(
    setMeta({ ...meta, state: { iter: 1e12 } }),
    /state.iter 1000000000000 is not an iteration count/,
    readCheckpointMeta,
  );
  refused(setMeta({ ...meta, sha256: undefined }), /no sha256 recorded for weights.bin/);
});

test('weights that do not fit the model, this machine or the folder, or are damaged or missing, are refused with one line', async () => {
  const { root, dir, manifest, refused, setModel, setWeights } = await damageable();
  refused(
    setModel({ numLayers: 3 }),
    /weight layer2\/kernel is missing in model.json, but checkpoint.json's model \(3 x 4 lstm/,
  );
  refused(
    setModel({ numLayers: 1e6, hiddenSize: 128 }),
    /needs about [\d.,]+ GB of memory to load, more than this machine's/,
  );
  // A 2 x 20000 LSTM: refused by its memory estimate where it cannot fit, else by its shapes; never allocated.
  const huge = { ...small, hiddenSize: 20000 };
  refused(
    setModel(huge),
    12 * paramCount(huge) > os.totalmem() ? /needs about [\d.,]+ GB/ : /weight layer0\/kernel is \[11,16\]/,
  );
  refused(
    setWeights({ paths: ['../../../../../etc/hostname'] }),
    /weights file "..\/..\/..\/..\/..\/etc\/hostname" is outside the checkpoint folder/,
  );
  refused(
    setWeights({ weights: manifest.weightsManifest[0].weights.map((w: object) => ({ ...w, dtype: 'int32' })) }),
    /is stored as int32; charrnn checkpoints hold float32/,
  );
  refused(() => {
    const file = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(file);
    for (let i = 0; i < 2000; i++) bytes[(i * 7) % bytes.length] ^= 0x55;
    fs.writeFileSync(file, bytes);
  }, /weights.bin is damaged: its sha256 differs/);
  refused(() => fs.rmSync(path.join(dir, 'weights.bin')), /ok\/weights.bin is missing/);
  refused(() => fs.rmSync(path.join(dir, 'train-state.bin')), /ok\/train-state.bin is missing/);
  refused(() => fs.rmSync(path.join(dir, 'model.json')), /cannot read .*model.json: the file is missing/);
  const file = path.join(root, 'a-file');
  fs.writeFileSync(file, 'not a checkpoint');
  assert.throws(() => loadCheckpoint(file), /a-file is a file; a checkpoint is a folder/);
});

test('NaN or infinite weights are refused', async () => {
  for (const bad of [NaN, Infinity]) {
    const dir = path.join(tmpDir(), 'latest');
    const model = CharRNN.create(small);
    model.params['layer0/kernel'].assign(tf.fill(model.params['layer0/kernel'].shape, bad));
    await saveCheckpoint(dir, { model, vocab, state: { iter: 1 } });
    model.dispose();
    assert.throws(() => loadCheckpoint(dir), /weights.bin holds 176 NaN or infinite values/);
  }
});

test('checkpoints of format version 1 (no sha256) still load', async () => {
  const dir = path.join(tmpDir(), 'latest');
  const bias = await saveAt(dir, 5);
  const file = path.join(dir, 'checkpoint.json');
  const { sha256, ...meta } = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.match(sha256['weights.bin'], /^[0-9a-f]{64}$/);
  fs.writeFileSync(file, JSON.stringify({ ...meta, version: 1 }));
  const ckpt = loadCheckpoint(dir);
  assert.deepEqual(ckpt.model.params['output/bias'].dataSync(), bias);
  ckpt.model.dispose();
  tf.dispose(Object.values(ckpt.trainTensors));
});
