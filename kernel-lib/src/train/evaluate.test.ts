import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/start';
import { CharRNN, disposeState } from '../model/charrnn';
import { onEngine } from '../engine/native/testing';
import { corpusFromText } from '../text/corpus';
import type { CharIds } from '../text/vocab';
import { standInCorpus } from '../data/standin';
import { step } from '../engine/tfjs/forward';
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

/** -log p of each next char of data[from..to], one step at a time from a zero state, as a reader would by hand. */
function byHand(model: CharRNN, data: CharIds, from: number, scoredFrom: number, to: number): number[] {
  let state = model.zeroState(1);
  const losses: number[] = [];
  for (let p = from; p < to; p++) {
    const r = step(model, Int32Array.of(data[p]), state);
    disposeState(state);
    state = r.state;
    if (p >= scoredFrom) losses.push(-tf.tidy(() => tf.logSoftmax(r.logits).arraySync()[0][data[p + 1]]));
    r.logits.dispose();
  }
  disposeState(state);
  return losses;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

for (const engine of ['tfjs', 'native'] as const) {
  test(
    `continuous reading equals a by-hand loop over the split with the state carried through (${engine} engine)`,
    onEngine(engine),
    async () => {
      await initBackend('wasm');
      const corpus = corpusFromText(standInCorpus({ chars: 700 }));
      const model = CharRNN.create(
        { cell: 'lstm', vocabSize: corpus.vocab.size, hiddenSize: 16, numLayers: 2, dropout: 0 },
        { seed: 3 },
      );
      const data = corpus.data;
      // One stream: every char after the first, in chunks of 50 (the last one shorter).
      const one = evaluate(model, data, { reading: 'continuous', seqLength: 50, engine });
      assert.equal(one.chars, data.length - 1);
      assert.ok(Math.abs(one.loss - mean(byHand(model, data, 0, 0, data.length - 1))) < 1e-5);
      // Three streams after a 40-char warm-up: stream b reads from b * L and scores from b * L + 40.
      const three = evaluate(model, data, { reading: 'continuous', batchSize: 3, warmup: 40, seqLength: 16, engine });
      const L = Math.floor((data.length - 1 - 40) / 3);
      const hand = [0, 1, 2].flatMap((b) => byHand(model, data, b * L, b * L + 40, b * L + 40 + L));
      assert.equal(three.chars, 3 * L);
      assert.ok(Math.abs(three.loss - mean(hand)) < 1e-5, `${three.loss} vs ${mean(hand)}`);
      // char-rnn's cold streams read the same text higher: each of its 50 streams starts from nothing.
      const cold = evaluate(model, data, { batchSize: 10, seqLength: 10, engine });
      assert.notEqual(cold.loss, one.loss);
      assert.throws(() => evaluate(model, data.subarray(0, 30), { reading: 'continuous', batchSize: 2, warmup: 40 }), {
        name: 'CharRNNError',
        message: /too short for 2 streams after a 40-char warm-up/,
      });
      model.dispose();
    },
  );
}
