import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { CharRNN, disposeState } from './charrnn';
import { GATES } from './config';
import { GRUCell } from './gru';
import { LSTMCell } from './lstm';
import { RNNCell } from './rnn';

// Plain-JS reference math on one example (B = 1): the formulas of the seed post and PyTorch, written out.
const sig = (v: number) => 1 / (1 + Math.exp(-v));
/** z[j] = sum_k in[k] * W[k][j] + b[j] for a kernel stored row-major [K, N]. */
function affine(input: number[], w: Float32Array, b: ArrayLike<number>, rowOffset: number, N: number): number[] {
  return Array.from({ length: N }, (_, j) => input.reduce((s, v, k) => s + v * w[(rowOffset + k) * N + j], b[j] ?? 0));
}

const D = 3;
const H = 2;
const x = [0.5, -1, 2];
const h0 = [0.3, -0.7];
const c0 = [1.5, -0.2];

function close(a: ArrayLike<number>, b: number[], what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('RNNCell.step is h = tanh([x, h] W + b)', async () => {
  await initBackend('wasm');
  const cell = new RNNCell(D, H, { seed: 1, initScale: 0.5 });
  const w = cell.kernel.dataSync() as Float32Array;
  const b = cell.bias.dataSync();
  const want = affine([...x, ...h0], w, b, 0, H).map(Math.tanh);
  const r = cell.step(tf.tensor2d([x]), { h: tf.tensor2d([h0]) });
  close(r.output.dataSync(), want, 'h');
  assert.equal(r.output, r.state.h);
});

test('LSTMCell.step follows i,f,g,o gate order and c = f*c + i*g, h = o*tanh(c)', async () => {
  await initBackend('wasm');
  const cell = new LSTMCell(D, H, { seed: 2, initScale: 0.5 });
  const w = cell.kernel.dataSync() as Float32Array;
  const z = affine([...x, ...h0], w, cell.bias.dataSync(), 0, 4 * H);
  const gate = (k: number) => z.slice(k * H, (k + 1) * H);
  const [i, f, o] = [gate(0).map(sig), gate(1).map(sig), gate(3).map(sig)];
  const g = gate(2).map(Math.tanh);
  const c = c0.map((cp, j) => f[j] * cp + i[j] * g[j]);
  const h = c.map((cj, j) => o[j] * Math.tanh(cj));
  const r = cell.step(tf.tensor2d([x]), { h: tf.tensor2d([h0]), c: tf.tensor2d([c0]) });
  close(r.state.c?.dataSync() ?? [], c, 'c');
  close(r.output.dataSync(), h, 'h');
  const gates = cell.gates(tf.tensor2d([x]), { h: tf.tensor2d([h0]) });
  close(gates.f.dataSync(), f, 'f');
  close(gates.g.dataSync(), g, 'g');
});

test("GRUCell.step is PyTorch's GRU: n = tanh(x W_n + b_n + r * (h W_hn + b_hn)), h = (1-z) n + z h", async () => {
  await initBackend('wasm');
  const cell = new GRUCell(D, H, { seed: 3, initScale: 0.5 });
  const w = cell.kernel.dataSync() as Float32Array;
  const xw = affine(x, w, cell.bias.dataSync(), 0, 3 * H);
  const hw = affine(h0, w, [], D, 3 * H);
  const bhn = cell.recurrentBias.dataSync();
  const r = [0, 1].map((j) => sig(xw[j] + hw[j]));
  const z = [0, 1].map((j) => sig(xw[H + j] + hw[H + j]));
  const n = [0, 1].map((j) => Math.tanh(xw[2 * H + j] + r[j] * (hw[2 * H + j] + bhn[j])));
  const h = [0, 1].map((j) => (1 - z[j]) * n[j] + z[j] * h0[j]);
  const out = cell.step(tf.tensor2d([x]), { h: tf.tensor2d([h0]) });
  close(out.output.dataSync(), h, 'h');
  close(cell.gates(tf.tensor2d([x]), { h: tf.tensor2d([h0]) }).r.dataSync(), r, 'r');
});

test('CharRNN.create: parameter names and shapes, seeded uniform init, LSTM forget bias 1', async () => {
  await initBackend('wasm');
  for (const cell of ['rnn', 'lstm', 'gru'] as const) {
    const V = 7;
    const G = GATES[cell];
    const model = CharRNN.create({ cell, vocabSize: V, hiddenSize: 6, numLayers: 2, dropout: 0 }, { seed: 5 });
    const want: Record<string, number[]> = {
      'layer0/kernel': [V + 6, G * 6],
      'layer0/bias': [G * 6],
      'layer1/kernel': [12, G * 6],
      'layer1/bias': [G * 6],
      'output/kernel': [6, V],
      'output/bias': [V],
    };
    if (cell === 'gru') Object.assign(want, { 'layer0/recurrent_bias': [6], 'layer1/recurrent_bias': [6] });
    assert.deepEqual(Object.keys(model.params).sort(), Object.keys(want).sort(), cell);
    for (const [name, shape] of Object.entries(want))
      assert.deepEqual(model.params[name].shape, shape, `${cell} ${name}`);
    const k = model.params['layer1/kernel'].dataSync();
    assert.ok(
      k.every((v) => Math.abs(v) <= 0.08) && k.some((v) => Math.abs(v) > 0.07),
      `${cell}: uniform(-0.08, 0.08)`,
    );
    const again = CharRNN.create(model.config, { seed: 5 });
    const other = CharRNN.create(model.config, { seed: 6 });
    assert.deepEqual(again.params['output/kernel'].dataSync(), model.params['output/kernel'].dataSync());
    assert.notDeepEqual(other.params['output/kernel'].dataSync(), model.params['output/kernel'].dataSync());
    if (cell === 'lstm') {
      const b = model.params['layer0/bias'].dataSync();
      assert.deepEqual(Array.from(b.slice(6, 12)), [1, 1, 1, 1, 1, 1]);
      assert.ok(Array.from(b.slice(0, 6)).every((v) => Math.abs(v) <= 0.08));
    }
    const state = model.zeroState(3);
    assert.equal(state.h.length, 2);
    assert.deepEqual(state.h[1].shape, [3, 6]);
    assert.equal(state.c?.length, cell === 'lstm' ? 2 : undefined);
    disposeState(state);
    [model, again, other].forEach((m) => m.dispose());
  }
});

test('dispose frees every tensor of a model', async () => {
  await initBackend('wasm');
  const before = tf.memory().numTensors;
  const model = CharRNN.create({ cell: 'gru', vocabSize: 4, hiddenSize: 3, numLayers: 3, dropout: 0.1 });
  assert.ok(tf.memory().numTensors > before);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('bad model configs throw CharRNNError', () => {
  const ok = { cell: 'lstm' as const, vocabSize: 5, hiddenSize: 4, numLayers: 1, dropout: 0 };
  assert.throws(() => CharRNN.create({ ...ok, hiddenSize: 0 }), CharRNNError);
  assert.throws(() => CharRNN.create({ ...ok, numLayers: 1.5 }), /numLayers/);
  assert.throws(() => CharRNN.create({ ...ok, dropout: 1 }), /dropout/);
  assert.throws(() => CharRNN.create({ ...ok, cell: 'transformer' as never }), /unknown cell/);
});
