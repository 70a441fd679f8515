import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { CharRNN } from '../model/charrnn';
import { nativeStatus } from '../native/addon';
import { corpusFromText } from '../text/corpus';
import { evaluate } from './evaluate';

test('a model with a zero output layer scores exactly log(V) nats, 1 bit per char for V = 2', async () => {
  await initBackend('wasm');
  const corpus = corpusFromText('ab'.repeat(300));
  const model = CharRNN.create({ cell: 'gru', vocabSize: 2, hiddenSize: 8, numLayers: 2, dropout: 0 });
  model.params['output/kernel'].assign(tf.zerosLike(model.params['output/kernel']));
  model.params['output/bias'].assign(tf.zerosLike(model.params['output/bias']));
  const r = evaluate(model, corpus.data, { batchSize: 4, seqLength: 10, engine: 'tfjs' });
  if (nativeStatus().available) {
    const n = evaluate(model, corpus.data, { batchSize: 4, seqLength: 10, engine: 'native' });
    assert.ok(Math.abs(n.loss - r.loss) < 1e-6 && n.chars === r.chars);
  }
  assert.ok(Math.abs(r.loss - Math.log(2)) < 1e-6);
  assert.ok(Math.abs(r.bpc - 1) < 1e-6);
  assert.ok(Math.abs(r.perplexity - 2) < 1e-5);
  assert.equal(r.chars, 4 * 10 * Math.floor(599 / 40));
  model.dispose();
});
