import test from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../engine/start';
import { CharRNN } from '../model/charrnn';
import { ModelConfig } from '../model/config';
import { corpusFromText } from '../text/corpus';
import { checkTrainingMemory, memoryBudget, trainingMemory } from './footprint';
import { trainOptions } from './options';
import { Trainer } from './trainer';
import { nativeEngine } from '../engine/native/engine';
import { tfjsEngine } from '../engine/tfjs/engine';

const NATIVE = nativeEngine.memory;
const TFJS = tfjsEngine.memory;

/** Runs `f` with CHARRNN_MAX_MEMORY set to `value`, restoring it after. */
function withBudget<T>(value: string, f: () => T): T {
  const saved = process.env.CHARRNN_MAX_MEMORY;
  process.env.CHARRNN_MAX_MEMORY = value;
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env.CHARRNN_MAX_MEMORY;
    else process.env.CHARRNN_MAX_MEMORY = saved;
  }
}

const lstm = (vocabSize: number, hiddenSize = 128, numLayers = 2): ModelConfig => ({
  cell: 'lstm',
  vocabSize,
  hiddenSize,
  numLayers,
  dropout: 0,
});
const GB = 2 ** 30;

test('the estimate grows with what a run holds: the output layer, the weights, the worker threads', () => {
  const o = trainOptions();
  const small = trainingMemory(lstm(65), o, NATIVE);
  assert.ok(small.bytes > 100e6 && small.bytes < 200e6, `${small.bytes}`);
  // 100,000 distinct chars with the default batch: [2,500, 100,000] floats per copy of the output layer.
  const huge = trainingMemory(lstm(100_000), o, NATIVE, 1, 'wasm');
  assert.ok(huge.parts[0].bytes >= 4 * 2500 * 100_000 * 3);
  assert.ok(huge.perWasmThread > 4 * GB);
  assert.ok(
    trainingMemory(lstm(100_000), o, TFJS).bytes > huge.bytes,
    'the TF.js engine keeps more of the output layer',
  );
  const wide = trainingMemory(lstm(65, 20_000), o, NATIVE);
  assert.ok(wide.parts[1].bytes > 4 * 20_000 * 20_000 * 4 * 2, 'weights, gradients and slots of 2 x 20,000');
  // Threads beyond the first each hold the weights; at most batchSize of them are used.
  const t8 = trainingMemory(lstm(65), o, TFJS, 8);
  const t1 = trainingMemory(lstm(65), o, TFJS, 1);
  assert.ok(t8.bytes - t1.bytes >= 7 * 30 * 2 ** 20);
  assert.equal(trainingMemory(lstm(65), o, NATIVE, 8).bytes, trainingMemory(lstm(65), o, NATIVE, 1).bytes);
});

test('a run that cannot fit is refused with its estimate and the options that shrink it', () => {
  const o = trainOptions();
  assert.throws(
    () => checkTrainingMemory(trainingMemory(lstm(100_000), o, NATIVE, 1, 'wasm')),
    /^CharRNNError: this run needs about \d+\.\d GB per thread on the wasm backend, whose memory stops at 4\.0 GB \(the output layer, 2,500 chars per batch x 100,000 in the vocabulary: \d+\.\d GB\): lower batchSize or seqLength/,
  );
  assert.throws(
    () => withBudget('8G', () => checkTrainingMemory(trainingMemory(lstm(65, 20_000), o, NATIVE, 1, 'cpu'))),
    /needs about \d+\.\d GB of memory \(weights and optimizer, [\d,]+ million weights: .*\), more than CHARRNN_MAX_MEMORY \(8\.0 GB\): lower hiddenSize or numLayers$/,
  );
  assert.throws(
    () =>
      withBudget('16G', () =>
        checkTrainingMemory(
          trainingMemory(lstm(65), trainOptions({ batchSize: 1000 }), TFJS, 1000, 'cpu'),
          (x) => `--${x}`,
        ),
      ),
    /\(999 worker threads: .*\): lower --threads$/,
  );
  assert.doesNotThrow(() => checkTrainingMemory(trainingMemory(lstm(65), o, TFJS, 2, 'wasm')));
  assert.throws(
    () => trainOptions({ threads: 1000 }),
    /threads must be at most batchSize .* got threads 1000 with batchSize 50/,
  );
});

test('CHARRNN_MAX_MEMORY sets the budget (bytes, K, M or G); a bad value is named', () => {
  assert.equal(withBudget('512M', memoryBudget).bytes, 512 * 2 ** 20);
  assert.equal(withBudget('2G', memoryBudget).bytes, 2 * GB);
  assert.equal(withBudget('1000', memoryBudget).bytes, 1000);
  assert.throws(
    () => withBudget('lots', memoryBudget),
    /CHARRNN_MAX_MEMORY must be a size such as 4G or 512M, got 'lots'/,
  );
});

test('the Trainer refuses, before its first step, a run that cannot fit', async () => {
  await initBackend('wasm');
  const corpus = corpusFromText('abcdefgh '.repeat(200));
  const model = CharRNN.create(lstm(corpus.vocab.size, 32, 1), { seed: 1 });
  try {
    assert.throws(
      () => withBudget('50M', () => new Trainer(model, corpus.vocab, corpus.data, { engine: 'tfjs', threads: 1 })),
      /^CharRNNError: this run needs about \d+ MB of memory .* more than CHARRNN_MAX_MEMORY \(50 MB\)/,
    );
  } finally {
    model.dispose();
  }
});
