import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { CharRNN } from '../model/charrnn';
import { Vocab } from '../text/vocab';
import { sample, sampleTexts } from './sampler';

const vocab = Vocab.fromText('abcdefgh \n');
let model: CharRNN;

test.before(async () => {
  await initBackend('wasm');
  // Large weights make the output distribution peaked enough for argmax / temperature tests to mean something.
  model = CharRNN.create({ cell: 'lstm', vocabSize: vocab.size, hiddenSize: 16, numLayers: 2, dropout: 0 }, { seed: 4, initScale: 0.5 });
});

test('same seed gives the same text; another seed another text', () => {
  const a = sample(model, vocab, { length: 100, seed: 11 });
  const b = sample(model, vocab, { length: 100, seed: 11 });
  const c = sample(model, vocab, { length: 100, seed: 12 });
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.equal([...a].length, 100);
});

test('argmax, temperature 0 and top-k 1 agree and ignore the seed', () => {
  const greedy = sample(model, vocab, { length: 50, argmax: true, seed: 1 });
  assert.equal(sample(model, vocab, { length: 50, temperature: 0, seed: 2 }), greedy);
  assert.equal(sample(model, vocab, { length: 50, topK: 1, seed: 3 }), greedy);
});

test('prime text starts the sample; streaming sees every drawn char', () => {
  const streamed: string[] = [];
  const text = sample(model, vocab, { prime: 'abc', length: 20, seed: 5, onChar: (ch) => streamed.push(ch) });
  assert.ok(text.startsWith('abc'));
  assert.equal(streamed.join(''), text.slice(3));
});

test('a prime with unknown characters is a clear error naming them, or they are dropped on request', () => {
  assert.throws(() => sample(model, vocab, { prime: 'abXcY' }), /not in the model's vocabulary: 'X' \(U\+0058\), 'Y' \(U\+0059\)/);
  const kept = sample(model, vocab, { prime: 'abXc', dropUnknown: true, length: 5, seed: 1 });
  assert.ok(kept.startsWith('abc'));
});

test('N samples at once come back as N texts, reproducibly, without leaking tensors', () => {
  const before = tf.memory().numTensors;
  const texts = sampleTexts(model, vocab, { count: 4, length: 30, seed: 9 });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(texts.length, 4);
  assert.deepEqual(sampleTexts(model, vocab, { count: 4, length: 30, seed: 9 }), texts);
  assert.ok(new Set(texts).size > 1);
});

test('low temperature concentrates on likely chars; high temperature spreads out', () => {
  const distinct = (t: number) => new Set(sample(model, vocab, { length: 400, temperature: t, seed: 3 })).size;
  assert.ok(distinct(0.1) < distinct(2), `${distinct(0.1)} vs ${distinct(2)}`);
});
