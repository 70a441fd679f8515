import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/start';
import { lossAndGrads } from '../engine/tfjs/bptt';
import { CharRNN } from '../model/charrnn';
import { CellType } from '../model/config';
import { onEngine } from '../engine/native/testing';
import { corpusFromText } from '../text/corpus';
import { loadCheckpoint, readCheckpointMeta, saveCheckpoint } from './checkpoint';
import { TrainOptions } from './options';
import { Trainer } from './trainer';

const TEXT = 'the quick brown fox jumps over the lazy dog. '.repeat(40);

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-train-'));
}

function weights(model: CharRNN): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, v.dataSync() as Float32Array]));
}

function maxDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  let d = 0;
  for (const k of Object.keys(a)) for (let i = 0; i < a[k].length; i++) d = Math.max(d, Math.abs(a[k][i] - b[k][i]));
  return d;
}

function setup(cell: CellType, opts: Partial<TrainOptions>, dropout = 0): Trainer {
  const corpus = corpusFromText(TEXT);
  const model = CharRNN.create(
    { cell, vocabSize: corpus.vocab.size, hiddenSize: 16, numLayers: 2, dropout },
    { seed: 7 },
  );
  return new Trainer(model, corpus.vocab, corpus.data, { batchSize: 4, seqLength: 10, seed: 5, ...opts });
}

test.before(async () => {
  await initBackend('wasm');
});

test('a tiny model memorises a short text to near-zero loss', async () => {
  const corpus = corpusFromText('hello charrnn! ');
  const model = CharRNN.create(
    { cell: 'lstm', vocabSize: corpus.vocab.size, hiddenSize: 32, numLayers: 1, dropout: 0 },
    { seed: 1 },
  );
  const data = corpusFromText('hello charrnn! '.repeat(20), corpus.vocab).data;
  const trainer = new Trainer(model, corpus.vocab, data, {
    batchSize: 2,
    seqLength: 15,
    trainFrac: 1,
    valFrac: 0,
    optimizer: 'adam',
    learningRate: 0.01,
    maxIters: 300,
  });
  const result = await trainer.run();
  assert.equal(result.status, 'done');
  assert.ok(result.trainLoss < 0.05, `final loss ${result.trainLoss}`);
  assert.ok(trainer.history.train[0][1] > 2, 'starts near log(V)');
  trainer.dispose();
  model.dispose();
});

// Both engines; the native engine's runs are reported as skipped, with the reason, where its addon is not built.
const engines = ['tfjs', 'native'] as const;
const resumeCases = [
  ['lstm', 'rmsprop', 0.3],
  ['gru', 'adam', 0],
  ['rnn', 'rmsprop', 0],
] as const;
for (const engine of engines)
  for (const [cell, optimizer, dropout] of resumeCases) {
    test(
      `exact resume (${engine} engine, ${cell}, ${optimizer}, dropout ${dropout}): N + resume + N equals 2N`,
      onEngine(engine),
      async () => {
        // 34 batches of 4x10 per epoch here; lr decay from epoch 0 so the run crosses an epoch boundary and a decay.
        const opts: Partial<TrainOptions> = {
          engine,
          optimizer,
          lrDecayAfter: 0,
          lrDecay: 0.9,
          evalValEvery: 7,
          trainFrac: 0.8,
          valFrac: 0.1,
        };
        const straight = setup(cell, { ...opts, maxIters: 40 }, dropout);
        await straight.run();
        const dir = tmpDir();
        const first = setup(cell, { ...opts, maxIters: 20, checkpointDir: dir }, dropout);
        await first.run();
        first.dispose();
        first.model.dispose();
        const resumed = Trainer.resume(dir, corpusFromText(TEXT).data, { maxIters: 40 });
        assert.equal(resumed.iter, 20);
        await resumed.run();
        assert.equal(resumed.iter, 40);
        assert.ok(maxDiff(weights(straight.model), weights(resumed.model)) < 1e-6);
        assert.deepEqual(
          resumed.history.train.map((p) => p[0]),
          straight.history.train.map((p) => p[0]),
        );
        assert.ok(Math.abs(resumed.learningRate - straight.learningRate) < 1e-12);
        for (const t of [straight, resumed]) {
          t.dispose();
          t.model.dispose();
        }
      },
    );
  }

for (const engine of engines) {
  test(`training leaks no tensors from one iteration to the next (${engine} engine)`, onEngine(engine), async () => {
    const trainer = setup('lstm', { engine, maxIters: 12, evalValEvery: 3, trainFrac: 0.8, valFrac: 0.1 }, 0.2);
    const counts: number[] = [];
    await trainer.run({ onProgress: () => counts.push(tf.memory().numTensors) });
    assert.equal(counts.length, 12);
    // From the first validation on (which caches transposed weights for the forward pass) the count is flat.
    assert.ok(
      counts.slice(2).every((n) => n === counts[2]),
      `tensor counts ${counts}`,
    );
    trainer.dispose();
    trainer.model.dispose();
  });
}

test('stop() ends the run cleanly and saves a checkpoint at that iteration', async () => {
  const dir = tmpDir();
  const trainer = setup('lstm', { maxIters: 50, checkpointDir: dir });
  const result = await trainer.run({ onProgress: (p) => p.iter === 3 && trainer.stop() });
  assert.equal(result.status, 'stopped');
  assert.equal(result.iter, 3);
  const ckpt = loadCheckpoint(dir);
  assert.equal((ckpt.meta.state as { iter: number }).iter, 3);
  ckpt.model.dispose();
  trainer.dispose();
  trainer.model.dispose();
});

test('a diverging run stops with a message and keeps the last good checkpoint', async () => {
  const dir = tmpDir();
  const trainer = setup('rnn', { maxIters: 200, checkpointEvery: 1, optimizer: 'adam', learningRate: 5, gradClip: 0 });
  const result = await trainer.run();
  assert.equal(result.status, 'diverged');
  assert.match(result.message, /diverged at iteration \d+/);
  const good = result.iter;
  assert.ok(good >= 1 && good < 200);
  trainer.dispose();
  trainer.model.dispose();
  // Now with checkpoints: the saved one is the last good iteration, and its weights are finite.
  const again = setup('rnn', {
    maxIters: 200,
    checkpointEvery: 1,
    optimizer: 'adam',
    learningRate: 5,
    gradClip: 0,
    checkpointDir: dir,
  });
  const r2 = await again.run();
  assert.equal(r2.status, 'diverged');
  const ckpt = loadCheckpoint(dir);
  assert.equal((ckpt.meta.state as { iter: number }).iter, r2.iter);
  for (const v of Object.values(ckpt.model.params)) assert.ok((v.dataSync() as Float32Array).every(Number.isFinite));
  ckpt.model.dispose();
  again.dispose();
  again.model.dispose();
});

test('training on 2 threads follows training on 1 thread to float tolerance', async () => {
  const one = setup('lstm', { maxIters: 8, threads: 1, engine: 'tfjs' }, 0.25);
  const two = setup('lstm', { maxIters: 8, threads: 2, engine: 'tfjs' }, 0.25);
  await one.run();
  await two.run();
  assert.equal(two.threads, 2);
  assert.ok(maxDiff(weights(one.model), weights(two.model)) < 1e-5);
  for (const t of [one, two]) {
    t.dispose();
    t.model.dispose();
  }
});

test("gradClip acts in char-rnn's units: the clamp of the loss summed over the T steps", async () => {
  // char-rnn clamps the gradient of sum_t mean_b(loss), T times ours. Replay 4 iterations by hand from the same
  // start, clamping T * grad to [-c, c], and compare; with c = 0.05 that clamp acts on most elements here.
  const c = 0.05;
  const trainer = setup('lstm', { maxIters: 4, gradClip: c, engine: 'tfjs', threads: 1, trainFrac: 1, valFrac: 0 });
  const start = weights(trainer.model);
  await trainer.run();
  const replay = (clipOf: (g: tf.Tensor, T: number) => tf.Tensor) => {
    const t = setup('lstm', { maxIters: 4, gradClip: c, engine: 'tfjs', threads: 1, trainFrac: 1, valFrac: 0 });
    let state = t.model.zeroState(4);
    for (let i = 0; i < 4; i++) {
      const r = lossAndGrads(t.model, t.batches.get(i), state);
      const clipped = Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, clipOf(g, 10)]));
      t.optimizer.apply(t.model.params, clipped, t.learningRate);
      tf.dispose([...Object.values(r.grads), ...Object.values(clipped), ...state.h, ...(state.c ?? [])]);
      state = r.state;
    }
    return t;
  };
  const charRnn = replay((g, T) => tf.tidy(() => tf.div(tf.clipByValue(tf.mul(g, T), -c, c), T)));
  const unscaled = replay((g) => tf.clipByValue(g, -c, c));
  assert.ok(maxDiff(start, weights(charRnn.model)) > 1e-3, 'the replay trains');
  assert.ok(maxDiff(weights(trainer.model), weights(charRnn.model)) < 1e-6, 'equals the char-rnn clamp');
  assert.ok(maxDiff(weights(trainer.model), weights(unscaled.model)) > 1e-4, 'differs from clamping the mean gradient');
  for (const t of [trainer, charRnn, unscaled]) {
    t.dispose();
    t.model.dispose();
  }
});

test('patience ends a run once that many validations in a row fail to improve', async () => {
  // lr 0.5 with Adam overshoots at once, so validation stops improving within a few evaluations.
  const opts: Partial<TrainOptions> = {
    maxIters: 300,
    evalValEvery: 2,
    patience: 3,
    optimizer: 'adam',
    learningRate: 0.5,
    gradClip: 0,
    divergeFactor: 1e9,
    trainFrac: 0.8,
    valFrac: 0.1,
  };
  const trainer = setup('rnn', opts);
  const result = await trainer.run();
  assert.equal(result.status, 'done');
  assert.match(result.message, /stopped early at iteration \d+: 3 validations without improving/);
  const vals = trainer.history.val.map((p) => p[1]);
  const best = Math.min(...vals);
  assert.equal(vals.length - 1 - vals.indexOf(best), 3, `validations ${vals}`);
  assert.ok(result.iter < 300);
  trainer.dispose();
  trainer.model.dispose();
});

test('an unusable checkpoint folder is refused before the first step', async () => {
  const file = path.join(tmpDir(), 'a-file');
  fs.writeFileSync(file, '');
  const cases: [string, RegExp][] = [
    [file, /^CharRNNError: the checkpoint folder .*a-file is a file; choose another --checkpoint-dir$/],
    [
      path.join(file, 'cv'),
      /^CharRNNError: cannot write checkpoints in .*a-file\/cv: not a directory \(ENOTDIR\); choose another --checkpoint-dir$/,
    ],
  ];
  for (const [dir, pattern] of cases) {
    const trainer = setup('rnn', { maxIters: 5, threads: 1, checkpointDir: dir });
    let steps = 0;
    await assert.rejects(
      trainer.run({ onProgress: () => steps++ }).finally(() => trainer.dispose()),
      pattern,
    );
    assert.equal(steps, 0);
    trainer.model.dispose();
  }
});

const asRoot = process.getuid?.() === 0;
test(
  'a read-only checkpoint folder is refused before the first step',
  { skip: asRoot && 'root writes into read-only folders' },
  async () => {
    const dir = tmpDir();
    fs.chmodSync(dir, 0o555);
    const trainer = setup('rnn', { maxIters: 5, threads: 1, checkpointDir: path.join(dir, 'cv') });
    await assert.rejects(
      trainer.run().finally(() => trainer.dispose()),
      /^CharRNNError: cannot write checkpoints in .*cv: permission denied \(EACCES\)/,
    );
    assert.equal(trainer.iter, 0);
    trainer.model.dispose();
  },
);

test('a run diverging before its first save does not claim a checkpoint was kept', async () => {
  const dir = path.join(tmpDir(), 'cv');
  const trainer = setup('rnn', {
    maxIters: 200,
    optimizer: 'adam',
    learningRate: 5,
    gradClip: 0,
    threads: 1,
    checkpointDir: dir,
  });
  const result = await trainer.run();
  assert.equal(result.status, 'diverged');
  assert.deepEqual(fs.readdirSync(dir), []);
  assert.doesNotMatch(result.message, /checkpoint/);
  trainer.dispose();
  trainer.model.dispose();
});

test('resuming a checkpoint without training state is an error, not a restart from iteration 0', async () => {
  const dir = tmpDir();
  const corpus = corpusFromText(TEXT);
  const model = CharRNN.create({ cell: 'rnn', vocabSize: corpus.vocab.size, hiddenSize: 8, numLayers: 1, dropout: 0 });
  await saveCheckpoint(path.join(dir, 'latest'), { model, vocab: corpus.vocab });
  model.dispose();
  assert.throws(() => Trainer.resume(dir, corpus.data), /latest holds no training state, so it cannot be resumed/);
});

test('after a rollback to an older latest/, best/ is replaced only by a validation loss below its own', async () => {
  const dir = tmpDir();
  const data = corpusFromText(TEXT).data;
  const opts: Partial<TrainOptions> = { evalValEvery: 2, threads: 1, checkpointDir: dir };
  const first = setup('lstm', { ...opts, maxIters: 4 });
  await first.run();
  first.dispose();
  first.model.dispose();
  const early = path.join(tmpDir(), 'latest-at-4');
  fs.cpSync(path.join(dir, 'latest'), early, { recursive: true });
  const more = Trainer.resume(dir, data, { maxIters: 60, threads: 1 });
  await more.run();
  more.dispose();
  more.model.dispose();
  const best = readCheckpointMeta(path.join(dir, 'best')).meta.state as { iter: number; bestValLoss: number };
  assert.ok(best.iter > 8, `best at iteration ${best.iter}`);
  // The run is killed and latest/ rolls back to iteration 4; resuming there must not overwrite the better best/.
  fs.rmSync(path.join(dir, 'latest'), { recursive: true });
  fs.cpSync(early, path.join(dir, 'latest'), { recursive: true });
  const again = Trainer.resume(dir, data, { maxIters: 8, threads: 1 });
  const result = await again.run();
  again.dispose();
  again.model.dispose();
  const vals = again.history.val.filter(([iter]) => iter > 4).map(([, loss]) => loss);
  assert.ok(
    vals.every((v) => v > best.bestValLoss),
    `validations after the rollback ${vals} vs the best ${best.bestValLoss}`,
  );
  assert.deepEqual(readCheckpointMeta(path.join(dir, 'best')).meta.state, best);
  assert.equal(result.bestValLoss, best.bestValLoss);
});

test('an explicit maxIters alone is not capped by the default maxEpochs; given both, the fewer iterations win', () => {
  const runs = [setup('rnn', { maxIters: 100000 }), setup('rnn', { maxIters: 100000, maxEpochs: 2 }), setup('rnn', {})];
  const perEpoch = runs[0].batches.numBatches;
  assert.ok(50 * perEpoch < 100000);
  assert.deepEqual(
    runs.map((t) => t.totalIters),
    [100000, 2 * perEpoch, 50 * perEpoch],
  );
  for (const t of runs) {
    t.dispose();
    t.model.dispose();
  }
});
