import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/start';
import { forward } from '../engine/tfjs/forward';
import { CharRNN, disposeState } from '../model/charrnn';
import { CellType } from '../model/config';
import { Vocab } from '../text/vocab';
import { inspectText, TextTrace } from './trace';

const TEXT = 'the cat sat on the mat. "why?" asked the rat.\nthe end.\n';
const vocab = Vocab.fromText(TEXT);

function model(cell: CellType): CharRNN {
  return CharRNN.create(
    { cell, vocabSize: vocab.size, hiddenSize: 6, numLayers: 2, dropout: 0 },
    { seed: 3, initScale: 0.5 },
  );
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('chunked inspection carries the state: same activations and predictions as one pass, no tensors left', async () => {
  await initBackend();
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    const m = model(cell);
    inspectText(m, vocab, 'the'); // fills the model's cache of derived weights, which stays
    const before = tf.memory().numTensors;
    const whole = inspectText(m, vocab, TEXT, { topK: 3 });
    const chunked = inspectText(m, vocab, TEXT, { topK: 3, chunk: 7 });
    assert.equal(tf.memory().numTensors, before, `${cell}: tensors leaked`);
    assert.equal(whole.length, Array.from(TEXT).length);
    for (let l = 0; l < 2; l++) {
      assert.ok(maxDiff(whole.layers[l].h, chunked.layers[l].h) < 1e-5);
      assert.ok(maxDiff(whole.layers[l].gates!, chunked.layers[l].gates!) < 1e-5);
      assert.equal(whole.layers[l].gates!.length, whole.length * 6 * { lstm: 4, gru: 3, rnn: 1 }[cell]);
      if (cell === 'lstm') assert.ok(maxDiff(whole.layers[l].c!, chunked.layers[l].c!) < 1e-5);
      else assert.equal(whole.layers[l].c, undefined);
    }
    assert.ok(maxDiff(whole.pNext.subarray(0, -1), chunked.pNext.subarray(0, -1)) < 1e-5);
    assert.deepEqual(whole.topIds, chunked.topIds);
    m.dispose();
  }
});

test('predictions are the softmax of the model logits; the loss is the mean surprise of the next chars', async () => {
  await initBackend();
  const m = model('lstm');
  const trace = inspectText(m, vocab, TEXT, { topK: vocab.size, chunk: 10 });
  const ids = Int32Array.from(vocab.encode(TEXT));
  const T = ids.length;
  const state = m.zeroState(1);
  const out = forward(m, ids, T, 1, state);
  const probs = tf.tidy(() => tf.softmax(out.logits).arraySync() as number[][]);
  out.logits.dispose();
  disposeState(state);
  disposeState(out.state);
  let loss = 0;
  for (let t = 0; t < T; t++) {
    const row = trace.topProbs.subarray(t * vocab.size, (t + 1) * vocab.size);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    for (let j = 1; j < vocab.size; j++) assert.ok(row[j] <= row[j - 1]);
    assert.ok(Math.abs(row[0] - Math.max(...probs[t])) < 1e-5);
    if (t + 1 < T) {
      assert.ok(Math.abs(trace.pNext[t] - probs[t][ids[t + 1]]) < 1e-5);
      loss -= Math.log(probs[t][ids[t + 1]]);
    }
  }
  assert.ok(Number.isNaN(trace.pNext[T - 1]) && Number.isNaN(trace.surprise[T - 1]));
  assert.ok(Math.abs(trace.loss - loss / (T - 1)) < 1e-5);
  m.dispose();
});

test('LSTM trace is consistent with the cell equations: h = o * tanh(c)', async () => {
  await initBackend();
  const m = model('lstm');
  const trace = inspectText(m, vocab, TEXT);
  const H = 6;
  for (const layer of trace.layers) {
    for (let t = 0; t < trace.length; t++) {
      for (let i = 0; i < H; i++) {
        const o = layer.gates![t * 4 * H + 3 * H + i];
        assert.ok(Math.abs(layer.h[t * H + i] - o * Math.tanh(layer.c![t * H + i])) < 1e-5);
      }
    }
  }
  m.dispose();
});

test('a trace slices, picks out one neuron and displays as the activations MIME type', async () => {
  await initBackend();
  const m = model('lstm');
  const trace = inspectText(m, vocab, TEXT, { topK: 2 });
  const part = trace.slice(4, 20);
  assert.equal(part.length, 16);
  assert.deepEqual(
    part.neuron({ layer: 1, kind: 'c', index: 5 }),
    trace.neuron({ layer: 1, kind: 'c', index: 5 }).slice(4, 20),
  );
  assert.throws(() => trace.neuron({ layer: 2, kind: 'h', index: 0 }), /no cell/);
  const view = trace.toMimeBundle().data['application/vnd.charrnn.activations+json'] as {
    text: string[];
    layers: { h: { shape: number[] }; c?: unknown; units?: number[] }[];
    predictions: { chars: string[]; actual: number[] };
  };
  assert.equal(view.text.join(''), TEXT);
  const shown = trace.liveliestCell;
  assert.deepEqual(view.layers[shown.layer].h.shape, [trace.length, 1], 'the bundle keeps the cell it shows');
  assert.deepEqual(
    view.layers.map((l) => l.units),
    [0, 1].map((l) => (l === shown.layer ? [shown.index] : [])),
  );
  assert.deepEqual(trace.toView().layers[0].h.shape, [trace.length, 6]);
  assert.ok(view.layers[1].c);
  assert.equal(view.predictions.chars.length, 2 * trace.length);
  assert.equal(view.predictions.actual.length, trace.length - 1);
  assert.throws(() => inspectText(m, vocab, 'the dog'), /not in the vocabulary/);
  assert.throws(() => inspectText(m, vocab, TEXT, { topK: 0 }), /topK/);
  m.dispose();
});

test('an explorer opens on the cell whose colours change most over the shown text (h, or tanh of c), unless told another', () => {
  // 2 layers x 2 units over 6 chars: layer 1 h[1] swings -0.9 / 0.9 (variance 0.81); layer 0 c[0] swings 0 / 4,
  // more in raw values but only 0 / 0.999 once squashed with tanh as the explorer shows it (variance 0.25).
  const T = 6;
  const swing = (a: number, b: number, unit: number) =>
    Float32Array.from({ length: T * 2 }, (_, i) => (i % 2 === unit ? (Math.floor(i / 2) % 2 ? b : a) : 0.1));
  const layers = [
    { h: swing(0.1, 0.2, 0), c: swing(0, 4, 0) },
    { h: swing(-0.9, 0.9, 1), c: swing(0.1, 0.3, 1) },
  ];
  const text = 'abcabc';
  const v = Vocab.fromText(text);
  const trace = new TextTrace(
    Array.from(text),
    Int32Array.from(v.encode(text)),
    'lstm',
    2,
    layers,
    1,
    new Int32Array(T),
    new Float32Array(T),
    new Float32Array(T),
    v,
  );
  assert.deepEqual(trace.liveliestCell, { layer: 1, kind: 'h', index: 1 });
  assert.deepEqual(trace.toView().selected, { layer: 1, kind: 'h', index: 1 });
  assert.deepEqual(trace.toView({ layer: 0, kind: 'c', index: 0 }).selected, { layer: 0, kind: 'c', index: 0 });
});
