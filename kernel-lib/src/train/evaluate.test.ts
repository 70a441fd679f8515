import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/start';
import { CharRNN } from '../model/charrnn';
import { onEngine } from '../engine/native/testing';
import { corpusFromText } from '../text/corpus';
import { evaluate } from './evaluate';

for (const engine of ['tfjs', 'native'] as const) {
  test(
    `a model with a zero output layer scores exactly log(V) nats, 1 bit per char for V = 2 (${engine} engine)`,
    onEngine(engine),
    async () => {
      await initBackend('wasm');
      const corpus = corpusFromText('ab'.repeat(300));
      const model = CharRNN.create({ cell: 'gru', vocabSize: 2, hiddenSize: 8, numLayers: 2, dropout: 0 });
      model.params['output/kernel'].assign(tf.zerosLike(model.params['output/kernel']));
      model.params['output/bias'].assign(tf.zerosLike(model.params['output/bias']));
      const r = evaluate(model, corpus.data, { batchSize: 4, seqLength: 10, engine });
      assert.ok(Math.abs(r.loss - Math.log(2)) < 1e-6);
      assert.ok(Math.abs(r.bpc - 1) < 1e-6);
      assert.ok(Math.abs(r.perplexity - 2) < 1e-5);
      assert.equal(r.chars, 4 * 10 * Math.floor(599 / 40));
      model.dispose();
    },
  );
}
