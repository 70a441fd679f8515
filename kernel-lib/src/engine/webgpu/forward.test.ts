import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { CharRNN, RNNState, disposeState } from '../../model/charrnn';
import { CellType } from '../../model/config';
import { Rng } from '../../rng';
import { inspectText, inspectTextAsync } from '../../inspect/trace';
import { evaluate, evaluateAsync } from '../../train/evaluate';
import { sampleTexts, sampleTextsAsync } from '../../sample/sampler';
import { Vocab } from '../../text/vocab';
import { forward, step } from '../tfjs/forward';
import { Gpu, describeGpu, releaseGpu } from './device';
import { NO_GPU, openTestGpu } from './testing';
import { webgpuEngine } from './engine';
import { WebGpuStepper, webgpuForward } from './forward';

let gpu: Gpu | undefined;
test.before(async () => (gpu = await openTestGpu()));
test.after(releaseGpu);

const [V, H] = [7, 10];

function model(cell: CellType, layers: number): CharRNN {
  return CharRNN.create(
    { cell, vocabSize: V, hiddenSize: H, numLayers: layers, dropout: 0.3 },
    { seed: 3, initScale: 0.5 },
  );
}

function ids(n: number, rng: Rng): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(rng.next() * V));
}

function randomState(m: CharRNN, B: number): RNNState {
  const r = (i: number) => tf.randomUniform([B, H], -0.9, 0.9, 'float32', 20 + i) as tf.Tensor2D;
  const h = m.cells.map((_, l) => r(l));
  return m.config.cell === 'lstm' ? { h, c: m.cells.map((_, l) => r(10 + l)) } : { h };
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function assertStatesEqual(got: RNNState, want: RNNState, what: string): void {
  assert.equal(got.h.length, want.h.length);
  assert.equal(!!got.c, !!want.c, `${what}: c present on both or neither`);
  got.h.forEach((t, l) => assert.ok(maxDiff(t, want.h[l]) < 1e-5, `${what}: h of layer ${l}`));
  got.c?.forEach((t, l) => assert.ok(maxDiff(t, want.c![l]) < 1e-5, `${what}: c of layer ${l}`));
}

for (const [cell, layers] of [
  ['rnn', 1],
  ['lstm', 2],
  ['gru', 3],
] as [CellType, number][]) {
  test(`WebGPU forward of a ${cell} x${layers}: logits, state and collected h, c and gates equal the TF.js engine's (dropout off)`, async (t) => {
    if (!gpu) return t.skip(NO_GPU);
    const m = model(cell, layers);
    const [T, B] = [5, 3];
    const x = ids(T * B, new Rng(4));
    const state = randomState(m, B);
    const want = forward(m, x, T, B, state, { collect: true });
    const got = await webgpuForward(m, x, T, B, state, { collect: true });
    assert.ok(maxDiff(got.logits, want.logits) < 1e-5, 'logits');
    assertStatesEqual(got.state, want.state, 'state after the last step');
    const [a, b] = [got.activations!, want.activations!];
    assert.equal(a.h.length, layers);
    a.h.forEach((h, l) => assert.ok(maxDiff(h, b.h[l]) < 1e-5, `h of layer ${l}`));
    assert.equal(!!a.c, cell === 'lstm');
    a.c?.forEach((c, l) => assert.ok(maxDiff(c, b.c![l]) < 1e-5, `c of layer ${l}`));
    a.gates!.forEach((g, l) => assert.ok(maxDiff(g, b.gates![l]) < 1e-5, `gates of layer ${l}`));
    // Without collect, no activations are read back.
    const plain = await webgpuForward(m, x, T, B, state);
    assert.equal(plain.activations, undefined);
    for (const r of [want, got, plain]) {
      tf.dispose([
        r.logits,
        ...(r.activations ? [...r.activations.h, ...(r.activations.c ?? []), ...(r.activations.gates ?? [])] : []),
      ]);
      disposeState(r.state);
    }
    disposeState(state);
    m.dispose();
  });
}

test("the WebGPU stepper (streams kept on the GPU) gives the TF.js engine's step logits and state, step after step", async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  for (const cell of ['lstm', 'gru'] as CellType[]) {
    const m = model(cell, 2);
    const B = 5;
    const stepper = await WebGpuStepper.create(m, B);
    let state = m.zeroState(B);
    const rng = new Rng(9);
    for (let n = 0; n < 4; n++) {
      const x = ids(B, rng);
      const want = step(m, x, state);
      const got = await stepper.step(x);
      assert.ok(maxDiff(tf.tensor2d(got, [B, V]), want.logits) < 1e-5, `${cell} step ${n}: logits`);
      disposeState(state);
      state = want.state;
      want.logits.dispose();
    }
    const gpuState = await stepper.state();
    assertStatesEqual(gpuState, state, `${cell}: state after 4 steps`);
    await assert.rejects(stepper.step(Int32Array.of(0, 1, 2, 3, V)), /char id 7 is outside the vocabulary/);
    await assert.rejects(stepper.step(Int32Array.of(0)), /batch has 1 ids, expected T\*B = 5/);
    // Steps after a bad one go on from the same state.
    const x = ids(B, rng);
    const want = step(m, x, state);
    assert.ok(
      maxDiff(tf.tensor2d(await stepper.step(x), [B, V]), want.logits) < 1e-5,
      `${cell}: a step after a refused one`,
    );
    disposeState(want.state);
    want.logits.dispose();
    stepper.dispose();
    disposeState(gpuState);
    disposeState(state);
    m.dispose();
  }
});

test('sampleTextsAsync on WebGPU draws the same texts as sampleTexts on TF.js for the same seed, 6 and 256 streams at once', async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  const vocab = Vocab.fromText('abcdef\n');
  const m = CharRNN.create(
    { cell: 'lstm', vocabSize: vocab.size, hiddenSize: H, numLayers: 2, dropout: 0 },
    { seed: 8, initScale: 0.8 },
  );
  const opts = { count: 6, length: 12, seed: 5, temperature: 0.9, prime: 'ab' };
  const want = sampleTexts(m, vocab, { ...opts, engine: 'tfjs' });
  const streamed: string[] = ['', '', '', '', '', ''];
  const got = await sampleTextsAsync(m, vocab, { ...opts, engine: 'webgpu', onChar: (ch, b) => (streamed[b] += ch) });
  assert.deepEqual(got, want);
  assert.deepEqual(
    streamed.map((s) => 'ab' + s),
    want,
    'onChar sees every drawn char of every stream',
  );
  assert.ok(new Set(got).size > 1, 'the streams differ');
  // 256 streams at once, as the bench samples them.
  const many = { count: 256, length: 4, seed: 9, temperature: 1 };
  assert.deepEqual(
    await sampleTextsAsync(m, vocab, { ...many, engine: 'webgpu' }),
    sampleTexts(m, vocab, { ...many, engine: 'tfjs' }),
  );
  // The engine line names the GPU it ran on.
  assert.equal(webgpuEngine.describe(1), `WebGPU engine on ${describeGpu(gpu!)}`);
  m.dispose();
});

test('inspectTextAsync on WebGPU gives the trace inspectText gives on TF.js (activations, guesses, surprise), over chunks', async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  const vocab = Vocab.fromText('hello world\n');
  const m = CharRNN.create(
    { cell: 'gru', vocabSize: vocab.size, hiddenSize: H, numLayers: 2, dropout: 0 },
    { seed: 2, initScale: 0.8 },
  );
  const text = 'hello world\nhello low word\n';
  const want = inspectText(m, vocab, text, { topK: 3, chunk: 10, engine: 'tfjs' });
  const got = await inspectTextAsync(m, vocab, text, { topK: 3, chunk: 10, engine: 'webgpu' });
  const close = (a: Float32Array, b: Float32Array, what: string) => {
    assert.equal(a.length, b.length, what);
    assert.ok(
      a.every((v, i) => Math.abs(v - b[i]) < 1e-5 || (Number.isNaN(v) && Number.isNaN(b[i]))),
      what,
    );
  };
  got.layers.forEach((l, i) => {
    close(l.h, want.layers[i].h, `h of layer ${i}`);
    close(l.gates!, want.layers[i].gates!, `gates of layer ${i}`);
  });
  close(got.pNext, want.pNext, 'p of the next char');
  close(got.topProbs, want.topProbs, 'top-k probabilities');
  assert.deepEqual(got.topIds, want.topIds);
  assert.ok(Math.abs(got.loss - want.loss) < 1e-5);
  await assert.rejects(inspectTextAsync(m, vocab, '', { engine: 'webgpu' }), /the text to inspect is empty/);
  m.dispose();
});

test('evaluateAsync on WebGPU scores a text as evaluate does on TF.js (state carried over batches)', async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  const m = model('lstm', 2);
  const data = Uint32Array.from(ids(4 * 6 * 3 + 1, new Rng(4))); // B 4, T 6: 3 batches
  const want = evaluate(m, data, { batchSize: 4, seqLength: 6, engine: 'tfjs' });
  const got = await evaluateAsync(m, data, { batchSize: 4, seqLength: 6, engine: 'webgpu' });
  assert.equal(got.chars, want.chars);
  assert.ok(Math.abs(got.loss - want.loss) < 1e-5, `${got.loss} vs ${want.loss}`);
  m.dispose();
});
