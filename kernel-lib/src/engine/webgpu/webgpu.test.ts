import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { CharRNN, RNNState, disposeState } from '../../model/charrnn';
import { CellType } from '../../model/config';
import { Rng } from '../../rng';
import { Batch } from '../batch';
import { lossAndGrads } from '../tfjs/bptt';
import { webgpuLossAndGrads } from './bptt';
import { Commands, f32bits } from './commands';
import { Gpu, releaseGpu } from './device';
import { NO_GPU, openTestGpu } from './testing';
import { DROPOUT_MASK } from './shaders';

let gpu: Gpu | undefined;
test.before(async () => (gpu = await openTestGpu()));
test.after(releaseGpu);

function randomArray(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

test('the WGSL matrix product equals a float64 product at edge shapes, transposes, offsets and accumulation', async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  const rng = new Rng(3);
  const cases: [number, number, number, boolean, boolean, boolean][] = [
    [1, 1, 1, false, false, false],
    [3, 5, 7, false, false, false],
    [65, 63, 17, true, false, false],
    [64, 64, 16, false, true, false],
    [130, 70, 33, true, true, true],
    [2, 129, 200, false, false, true],
  ];
  for (const [M, N, K, ta, tb, acc] of cases) {
    const cmd: Commands = new Commands(gpu!);
    // A and B sit at an offset inside larger buffers with a wider row stride, as the engine's sub-blocks do.
    const [lda, ldb, ldc, offA, offB, offC] = [(ta ? M : K) + 3, (tb ? K : N) + 2, N + 1, 5, 7, 2];
    const a = randomArray(offA + (ta ? K : M) * lda, rng);
    const b = randomArray(offB + (tb ? N : K) * ldb, rng);
    const c0 = randomArray(offC + M * ldc, rng);
    const C = cmd.buffer(c0);
    cmd.matmul(
      M,
      N,
      K,
      { buf: cmd.buffer(a), off: offA, ld: lda, trans: ta },
      { buf: cmd.buffer(b), off: offB, ld: ldb, trans: tb },
      { buf: C, off: offC, ld: ldc },
      { accumulate: acc },
    );
    cmd.submit();
    const got: Float32Array = await cmd.read(C, 0, c0.length);
    cmd.destroy();
    let worst = 0;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = acc ? c0[offC + i * ldc + j] : 0;
        for (let k = 0; k < K; k++)
          s += a[offA + (ta ? k * lda + i : i * lda + k)] * b[offB + (tb ? j * ldb + k : k * ldb + j)];
        worst = Math.max(worst, Math.abs(got[offC + i * ldc + j] - s) / (1 + Math.abs(s)));
      }
    }
    assert.ok(worst < 1e-5, `[${M}x${K}]x[${K}x${N}] ta=${ta} tb=${tb} acc=${acc}: max error ${worst}`);
    // Elements of C outside the product are untouched.
    assert.equal(got[0], c0[0]);
  }
});

test('dropout masks from the counter-based RNG: keep rate 1 - q, values 0 or 1/(1-q), a new mask per seed, iteration and layer', async (t) => {
  if (!gpu) return t.skip(NO_GPU);
  const [n, q] = [8192, 0.3];
  const masks = async (seed: number, iteration: number, layer: number) => {
    const cmd = new Commands(gpu!);
    const out = cmd.buffer(n);
    cmd.elementwise(
      DROPOUT_MASK,
      { count: n, layer, q: f32bits(q), keep: f32bits(1 / (1 - q)) },
      [cmd.buffer(Uint32Array.of(seed, iteration)), out],
      n,
    );
    cmd.submit();
    const m = await cmd.read(out, 0, n);
    cmd.destroy();
    return m;
  };
  const base = await masks(1, 0, 1);
  assert.deepEqual(await masks(1, 0, 1), base, 'the same key gives the same mask');
  const keep = Math.fround(1 / (1 - q));
  assert.ok(
    base.every((v) => v === 0 || v === keep),
    'values are 0 or 1/(1-q)',
  );
  const sigma = Math.sqrt((q * (1 - q)) / n);
  const dropped = (m: Float32Array) => m.filter((v) => v === 0).length / n;
  for (const other of [await masks(2, 0, 1), await masks(1, 1, 1), await masks(1, 0, 2)]) {
    assert.ok(Math.abs(dropped(other) - q) < 4 * sigma, `drop rate ${dropped(other)}`);
    // Independent masks: both dropped at rate q^2, not q (the same mask) or 0.
    const both = other.filter((v, i) => v === 0 && base[i] === 0).length / n;
    assert.ok(Math.abs(both - q * q) < 4 * Math.sqrt((q * q * (1 - q * q)) / n), `both dropped at rate ${both}`);
  }
  // Neighbouring elements are not correlated either (a weak hash shows stripes).
  const pairs = base.filter((v, i) => i > 0 && v === 0 && base[i - 1] === 0).length / (n - 1);
  assert.ok(
    Math.abs(pairs - q * q) < 4 * Math.sqrt((q * q * (1 - q * q)) / n),
    `neighbours both dropped at rate ${pairs}`,
  );
});

function setup(cell: CellType, layers: number, dropout: number) {
  const [V, H, T, B] = [7, 12, 5, 3];
  const model = CharRNN.create(
    { cell, vocabSize: V, hiddenSize: H, numLayers: layers, dropout },
    { seed: 7, initScale: 0.5 },
  );
  const rng = new Rng(11);
  const ids = () => Int32Array.from({ length: T * B }, () => Math.floor(rng.next() * V));
  const batch: Batch = { x: ids(), y: ids(), T, B };
  const r = (i: number) => tf.randomUniform([B, H], -0.9, 0.9, 'float32', 50 + i) as tf.Tensor2D;
  const h = Array.from({ length: layers }, (_, l) => r(l));
  const state: RNNState = cell === 'lstm' ? { h, c: Array.from({ length: layers }, (_, l) => r(100 + l)) } : { h };
  return { model, batch, state };
}

const cases: [CellType, number, number][] = [];
for (const cell of ['rnn', 'lstm', 'gru'] as const)
  for (const [layers, dropout] of [
    [1, 0],
    [2, 0.3],
    [3, 0],
  ])
    cases.push([cell, layers, dropout]);

for (const [cell, layers, dropout] of cases) {
  // With dropout the GPU draws its own masks (not the CPU engines'): there the check is that the same key gives the
  // same result and that the gradient is the finite difference of the loss under those masks.
  const what = dropout > 0 ? 'the same for the same dropout key, and' : "equal to the TF.js engine's, and";
  test(`WebGPU ${cell} x${layers} dropout ${dropout}: loss, gradients and state ${what} the gradient is the finite difference`, async (t) => {
    if (!gpu) return t.skip(NO_GPU);
    const { model, batch, state } = setup(cell, layers, dropout);
    const seed = dropout > 0 ? 99 : undefined;
    const got = await webgpuLossAndGrads(model, batch, state, { dropoutSeed: seed });
    const want =
      dropout > 0
        ? await webgpuLossAndGrads(model, batch, state, { dropoutSeed: seed })
        : lossAndGrads(model, batch, state);
    if (dropout > 0) {
      const other = await webgpuLossAndGrads(model, batch, state, { dropoutSeed: seed, iteration: 1 });
      assert.notEqual(other.loss, got.loss, 'another iteration draws other masks');
      tf.dispose(Object.values(other.grads));
      disposeState(other.state);
    }
    assert.ok(Math.abs(got.loss - want.loss) < 1e-5, `loss ${got.loss} vs ${want.loss}`);
    assert.deepEqual(Object.keys(got.grads).sort(), Object.keys(want.grads).sort());
    for (const k of Object.keys(want.grads)) {
      const scale = tf.tidy(() => tf.max(tf.abs(want.grads[k])).dataSync()[0]);
      const err = tf.tidy(() => tf.max(tf.abs(tf.sub(got.grads[k], want.grads[k]))).dataSync()[0]);
      assert.ok(err <= 1e-4 * Math.max(scale, 1e-3), `${k}: max difference ${err} (gradient scale ${scale})`);
    }
    for (const [a, b] of [
      ...got.state.h.map((t, l) => [t, want.state.h[l]]),
      ...(got.state.c ?? []).map((t, l) => [t, want.state.c![l]]),
    ]) {
      assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]) < 1e-5, 'final state');
    }
    // And along a direction, the loss's finite difference on the GPU matches the GPU's gradient.
    const dir = Object.fromEntries(
      Object.entries(got.grads).map(([k, g]) => [k, tf.tidy(() => tf.div(g, tf.add(tf.max(tf.abs(g)), 1e-12)))]),
    );
    const shifted = async (eps: number) => {
      const saved = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, tf.clone(v)]));
      for (const [k, v] of Object.entries(model.params)) v.assign(tf.tidy(() => tf.add(v, tf.mul(dir[k], eps))));
      const r = await webgpuLossAndGrads(model, batch, state, { dropoutSeed: seed });
      for (const [k, v] of Object.entries(model.params)) v.assign(saved[k]);
      tf.dispose([...Object.values(saved), ...Object.values(r.grads)]);
      disposeState(r.state);
      return r.loss;
    };
    const eps = 2e-3;
    const numeric = ((await shifted(eps)) - (await shifted(-eps))) / (2 * eps);
    const analytic = Object.keys(dir).reduce(
      (s, k) => s + tf.tidy(() => tf.sum(tf.mul(got.grads[k], dir[k])).dataSync()[0]),
      0,
    );
    assert.ok(
      Math.abs(numeric - analytic) <= 1e-2 * Math.abs(analytic),
      `finite difference ${numeric} vs gradient ${analytic}`,
    );
    for (const r of [want, got]) {
      tf.dispose(Object.values(r.grads));
      disposeState(r.state);
    }
    tf.dispose(Object.values(dir));
    disposeState(state);
    model.dispose();
  });
}
