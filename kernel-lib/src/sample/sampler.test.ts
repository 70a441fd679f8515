import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/start';
import { CharRNN } from '../model/charrnn';
import { Vocab } from '../text/vocab';
import { forward } from '../engine/tfjs/forward';
import { beamSearch, sample, sampleTexts } from './sampler';

const vocab = Vocab.fromText('abcdefgh \n');
let model: CharRNN;

test.before(async () => {
  await initBackend('wasm');
  // Large weights make the output distribution peaked enough for argmax / temperature tests to mean something.
  model = CharRNN.create(
    { cell: 'lstm', vocabSize: vocab.size, hiddenSize: 16, numLayers: 2, dropout: 0 },
    { seed: 4, initScale: 0.5 },
  );
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
  assert.throws(
    () => sample(model, vocab, { prime: 'abXcY' }),
    /not in the model's vocabulary: 'X' \(U\+0058\), 'Y' \(U\+0059\)/,
  );
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

/** Total log-probability of `text`'s chars after `prime` under softmax(logits / temperature), by one forward pass. */
function logProbOf(prime: string, text: string, temperature: number): number {
  const ids = Int32Array.from(vocab.encode(text));
  const state = model.zeroState(1);
  const { logits, state: end } = forward(model, ids, ids.length, 1, state);
  const logp = tf.logSoftmax(tf.div(logits, temperature)).arraySync() as number[][];
  tf.dispose([logits, ...state.h, ...(state.c ?? []), ...end.h, ...(end.c ?? [])]);
  let total = 0;
  for (let t = prime.length; t < ids.length; t++) total += logp[t - 1][ids[t]];
  return total;
}

test('beam 1 is argmax; its log-probability is that of its text', () => {
  for (const prime of ['a', 'hg b']) {
    const greedy = sample(model, vocab, { prime, length: 60, argmax: true });
    const [best] = beamSearch(model, vocab, { prime, length: 60, beam: 1 });
    assert.equal(best.text, greedy);
    assert.equal(sample(model, vocab, { prime, length: 60, beam: 1 }), greedy);
    assert.ok(
      Math.abs(best.logProb - logProbOf(prime, greedy, 1)) < 1e-3,
      `${best.logProb} vs ${logProbOf(prime, greedy, 1)}`,
    );
  }
});

test('a wider beam finds texts at least as likely as greedy, best first, deterministically, without leaking tensors', () => {
  for (const [prime, temperature] of [
    ['a', 1],
    ['hg b', 1],
    ['cab', 0.7],
    ['e', 1.5],
  ] as const) {
    const before = tf.memory().numTensors;
    const beams = beamSearch(model, vocab, { prime, length: 40, beam: 5, temperature });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(beams.length, 5);
    assert.equal(new Set(beams.map((b) => b.text)).size, 5, 'five different continuations');
    for (let i = 1; i < beams.length; i++) assert.ok(beams[i - 1].logProb >= beams[i].logProb, 'best first');
    for (const b of beams) assert.ok(Math.abs(b.logProb - logProbOf(prime, b.text, temperature)) < 1e-3);
    const greedy = sample(model, vocab, { prime, length: 40, argmax: true });
    assert.ok(
      beams[0].logProb >= logProbOf(prime, greedy, temperature) - 1e-9,
      `beam ${beams[0].logProb} vs greedy ${logProbOf(prime, greedy, temperature)}`,
    );
    assert.deepEqual(
      beamSearch(model, vocab, { prime, length: 40, beam: 5, temperature, seed: 99 }),
      beams,
      'the seed plays no part',
    );
    assert.deepEqual(
      sampleTexts(model, vocab, { prime, length: 40, beam: 5, temperature }),
      beams.map((b) => b.text),
    );
  }
});

test('beam search keeps to the top k and says why it cannot run', () => {
  const beams = beamSearch(model, vocab, { prime: 'a', length: 20, beam: 4, topK: 2 });
  assert.equal(beams.length, 4);
  assert.throws(() => beamSearch(model, vocab, { beam: 0 }), /beam must be a whole number >= 1, got 0/);
  assert.throws(
    () => beamSearch(model, vocab, { beam: 3, temperature: 0 }),
    /beam search ranks texts by log-probability at a temperature above 0, got 0/,
  );
  const streamed: string[] = [];
  const [best] = beamSearch(model, vocab, {
    prime: 'ab',
    length: 10,
    beam: 3,
    onChar: (text, b) => b === 0 && streamed.push(text),
  });
  assert.deepEqual(streamed, [best.text.slice(2)]);
});
