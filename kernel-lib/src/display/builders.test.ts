import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  divergingColor,
  mimeType,
  type ActivationsView,
  type NeuronsView,
  type TrainingPoint,
  type TrainingView,
} from '@charrnn/schema';
import { activationsBundle, decodeInt8, encodeInt8, keepCells } from './activations';
import { OPENABLE_ROWS, neuronsBundle } from './neurons';
import { ngramBundle } from './ngram';
import { samplerBundle } from './sampler';
import { saturationBundle } from './saturation';
import { MAX_POINTS, thinPoints, trainingBundle } from './training';

const EVIL = '<script>alert("x")</script> & <b>';

function point(iter: number, valLoss?: number): TrainingPoint {
  return {
    iter,
    epoch: iter / 100,
    trainLoss: 4 - iter / 100,
    valLoss,
    lr: 2e-3,
    charsPerSec: 12345.6,
    elapsedS: iter / 10,
  };
}

function trainingView(): TrainingView {
  return {
    version: 1,
    runId: 'run-1',
    config: { cell: 'lstm', hiddenSize: 64 },
    totalIters: 200,
    status: 'running',
    points: [point(1), point(50, 3.6), point(100)],
    samples: [{ iter: 100, text: EVIL, temperature: 0.8 }],
  };
}

test('training bundle carries the view under our MIME type, a Vega-Lite chart, and its numbers, settings and samples as text', () => {
  const view = trainingView();
  const b = trainingBundle(view);
  assert.deepEqual(Object.keys(b.data), [mimeType('training'), 'application/vnd.vegalite.v5+json', 'text/plain']);
  assert.deepEqual(b.data[mimeType('training')], view);
  const plain = b.data['text/plain'] as string;
  assert.match(plain, /iteration\s+100 \/ 200/);
  assert.match(plain, /val loss\s+3\.600/);
  assert.match(plain, /chars\/s\s+12,346/);
  assert.match(plain, /hiddenSize\s+64/);
  assert.match(plain, /\niter\ttrain loss\tval loss\tseconds\n1\t3\.990\t-\t0\.1\n50\t3\.500\t3\.600\t5\n/);
  assert.ok(plain.includes(EVIL), 'plain text keeps the sample as is');
});

test('training bundle thins a long run to at most MAX_POINTS points', () => {
  const view = {
    ...trainingView(),
    points: Array.from({ length: 50_000 }, (_, i) => point(i + 1, i % 1000 === 0 ? 3 : undefined)),
  };
  const sent = trainingBundle(view).data[mimeType('training')] as TrainingView;
  assert.ok(sent.points.length <= MAX_POINTS, `sent ${sent.points.length} points`);
  assert.equal(sent.points.at(-1)?.iter, 50_000);
  assert.equal(sent.points.filter((p) => p.valLoss !== undefined).length, 50);
  assert.equal(view.points.length, 50_000, "the caller's view is not changed");
});

test('thinPoints keeps validation points and the last point', () => {
  const pts = Array.from({ length: 1000 }, (_, i) => point(i + 1, i === 333 ? 2.5 : undefined));
  const thin = thinPoints(pts, 50);
  assert.ok(thin.length <= 52, `kept ${thin.length}`);
  assert.ok(thin.some((p) => p.valLoss === 2.5));
  assert.equal(thin[thin.length - 1].iter, 1000);
  assert.deepEqual(thinPoints(pts.slice(0, 10), 50), pts.slice(0, 10));
});

test('int8 encoding round-trips values in [-1, 1] within half a step and clamps outside', () => {
  const values = [-1, -0.5, 0, 0.3333, 0.999, 1, 7, -7];
  const m = encodeInt8(values, 2, 4);
  assert.deepEqual(m.shape, [2, 4]);
  const back = decodeInt8(m);
  values.forEach((v, i) =>
    assert.ok(Math.abs(back[i] - Math.max(-1, Math.min(1, v))) <= 0.5 / 127 + 1e-9, `value ${i}`),
  );
  assert.throws(() => encodeInt8([1, 2, 3], 2, 2), /3 values for shape \[2, 2\]/);
});

test('activations fallback colours each character by the selected cell and escapes it', () => {
  const text = [...'<a>'];
  const h = encodeInt8([-1, 0, 0, 0, 1, 0], 3, 2);
  const b = activationsBundle({
    version: 1,
    cell: 'rnn',
    hiddenSize: 2,
    text,
    layers: [{ layer: 0, h }],
    predictions: { k: 1, chars: ['a', '>', '\n'], probs: [0.5, 0.9, 0.2] },
  });
  const html = b.data['text/html'] as string;
  assert.ok(html.includes(`background:${divergingColor(-1)};color:#000" title="-1.00">&#60;</span>`));
  assert.ok(html.includes(`background:${divergingColor(1)};color:#000" title="1.00">&#62;</span>`));
  assert.ok(!html.includes('<a>'));
});

/** An LSTM view of L layers x H units over T chars whose values say where they come from. */
function lstmView(L: number, H: number, T: number): ActivationsView {
  const value = (l: number, kind: number, t: number, u: number) => Math.sin(l * 7 + kind * 3 + t * 0.37 + u * 1.3);
  const matrix = (l: number, kind: number) =>
    encodeInt8(
      Array.from({ length: T * H }, (_, i) => value(l, kind, Math.floor(i / H), i % H)),
      T,
      H,
    );
  return {
    version: 1,
    cell: 'lstm',
    hiddenSize: H,
    text: Array.from({ length: T }, (_, t) => 'ab<c\n'[t % 5]),
    layers: Array.from({ length: L }, (_, l) => ({ layer: l, h: matrix(l, 0), c: matrix(l, 1) })),
    predictions: { k: 1, chars: Array(T).fill('a'), probs: Array(T).fill(0.5) },
  };
}

/** Cell `unit` of a layer's h or c over the text, from whichever columns the view holds. */
function cellOf(view: ActivationsView, layer: number, kind: 'h' | 'c', unit: number): number[] {
  const l = view.layers[layer];
  const m = l[kind]!;
  const col = l.units ? l.units.indexOf(unit) : unit;
  assert.ok(col >= 0, `unit ${unit} of layer ${layer} is not in the view`);
  const values = decodeInt8(m);
  return Array.from({ length: m.shape[0] }, (_, t) => values[t * m.shape[1] + col]);
}

test('a saved explorer keeps only the cell it shows, with its values unchanged', () => {
  const view = { ...lstmView(3, 8, 20), selected: { layer: 1, kind: 'c' as const, index: 5 } };
  const saved = activationsBundle(view).data[mimeType('activations')] as ActivationsView;
  assert.deepEqual(
    saved.layers.map((l) => l.units),
    [[], [5], []],
  );
  assert.deepEqual(saved.layers[1].c!.shape, [20, 1]);
  assert.deepEqual(cellOf(saved, 1, 'c', 5), cellOf(view, 1, 'c', 5));
  assert.deepEqual(cellOf(saved, 1, 'h', 5), cellOf(view, 1, 'h', 5));
  assert.deepEqual(saved.text, view.text);
  assert.deepEqual(saved.predictions, view.predictions);
  // Without a selection the explorer shows layer 0's h[0].
  const first = activationsBundle(lstmView(2, 8, 20)).data[mimeType('activations')] as ActivationsView;
  assert.deepEqual(
    first.layers.map((l) => l.units),
    [[0], []],
  );
});

test('a neuron search that scored no cell shows why instead of a table of zeros', () => {
  const ranked = [{ layer: 0, kind: 'h' as const, index: 0, score: 0, correlation: 0, meanOn: NaN, meanOff: 0.1 }];
  const why =
    '"inside comment" is off at every one of the 300 characters of this text, so no cell can follow it: search a text where it changes';
  const b = neuronsBundle({ version: 1, feature: 'inside comment', metric: 'm', ranked, unscored: why });
  assert.equal(b.data['text/plain'], `charrnn neuron search: inside comment\n${why}`);
  assert.ok(!(b.data['text/html'] as string).includes('<table'));
  assert.ok((b.data['text/html'] as string).includes('so no cell can follow it'));
});

test('a saved neuron search keeps the cells of its first rows only, the ones its rows open', () => {
  const activations = lstmView(1, 64, 10);
  const ranked = Array.from({ length: 30 }, (_, i) => ({
    layer: 0,
    kind: 'h' as const,
    index: i,
    score: 1 - i / 100,
    correlation: 0.5,
    meanOn: 0,
    meanOff: 0,
  }));
  const view: NeuronsView = {
    version: 1,
    feature: 'f',
    metric: 'm',
    ranked,
    activations: { ...activations, selected: ranked[0] },
  };
  const saved = neuronsBundle(view).data[mimeType('neurons')] as NeuronsView;
  assert.equal(saved.ranked.length, 30);
  assert.deepEqual(
    saved.activations!.layers[0].units,
    Array.from({ length: OPENABLE_ROWS }, (_, i) => i),
  );
});

test('a saved neuron search keeps the ranked cells, the ones its rows open', () => {
  const activations = lstmView(2, 8, 30);
  const ranked = [
    { layer: 1, kind: 'c' as const, index: 6 },
    { layer: 0, kind: 'h' as const, index: 2 },
    { layer: 1, kind: 'h' as const, index: 3 },
  ].map((r) => ({ ...r, score: 0.5, correlation: 0.5, meanOn: 0, meanOff: 0 }));
  const view: NeuronsView = {
    version: 1,
    feature: 'f',
    metric: 'm',
    ranked,
    activations: { ...activations, selected: ranked[0] },
  };
  const saved = (neuronsBundle(view).data[mimeType('neurons')] as NeuronsView).activations!;
  assert.deepEqual(
    saved.layers.map((l) => l.units),
    [[2], [3, 6]],
  );
  for (const r of ranked)
    assert.deepEqual(cellOf(saved, r.layer, r.kind, r.index), cellOf(activations, r.layer, r.kind, r.index));
  // Keeping from a kept view picks by unit, not by column; units it lacks are left out.
  const again = keepCells(saved, [
    { layer: 1, kind: 'h', index: 6 },
    { layer: 1, kind: 'h', index: 4 },
  ]);
  assert.deepEqual(
    again.layers.map((l) => l.units),
    [[], [6]],
  );
  assert.deepEqual(cellOf(again, 1, 'c', 6), cellOf(activations, 1, 'c', 6));
});

test('the saved explorer of a 3x512 LSTM over 1,302 chars is kilobytes, not the 5 MB of every cell', () => {
  const view = lstmView(3, 512, 1302);
  const full = JSON.stringify(view).length;
  const saved = JSON.stringify(activationsBundle(view).data).length;
  assert.ok(full > 5e6, `full view ${full} bytes`);
  assert.ok(saved < 150e3, `saved bundle ${saved} bytes`);
});

test('diverging scale runs blue to near-white to orange and clamps', () => {
  assert.equal(divergingColor(-1), 'rgb(66,146,198)');
  assert.equal(divergingColor(0), 'rgb(247,247,247)');
  assert.equal(divergingColor(1), 'rgb(240,140,40)');
  assert.equal(divergingColor(5), divergingColor(1));
  assert.equal(divergingColor(NaN), divergingColor(0));
});

test('sampler, neurons, saturation and n-gram bundles have our JSON and escaped fallbacks', () => {
  const s = samplerBundle({
    version: 1,
    config: {},
    defaults: { prime: 'The ', length: 20, temperature: 1, seed: 1, topK: 0 },
    grid: [{ temperature: 0.5, text: EVIL }],
  });
  assert.ok(mimeType('sampler') in s.data);
  assert.ok(!(s.data['text/html'] as string).includes('<script>'));
  assert.match(s.data['text/plain'] as string, /top-k\s+all/);

  const n = neuronsBundle({
    version: 1,
    feature: EVIL,
    metric: '|pearson r|',
    ranked: [{ layer: 1, kind: 'c', index: 7, score: 0.9, correlation: -0.9, meanOn: -0.8, meanOff: 0.1 }],
  });
  assert.ok(!(n.data['text/html'] as string).includes('<script>'));
  const plain = n.data['text/plain'] as string;
  assert.match(
    plain,
    /\nrank\tlayer\tstate\tunit\tcorrelation\tmean on\tmean off\n1\t1\tc\t7\t-0\.900\t-0\.800\t0\.100\n/,
    'no score column: it was |correlation|',
  );
  assert.match(plain, /\nstate: h = the hidden state, .*; c = the LSTM cell state/);
  assert.match(plain, /\nmean on: the cell's mean value where the feature is on/);
  assert.match(n.data['text/html'] as string, /<br>mean off: the cell&#39;s mean value where the feature is off/);

  const sat = saturationBundle({
    version: 1,
    cell: 'lstm',
    thresholds: { left: 0.1, right: 0.9 },
    chars: 1000,
    layers: [{ layer: 0, gates: [{ gate: 'forget', left: [0.1, 0.3], right: [0.5, 0.7] }] }],
  });
  assert.match(sat.data['text/plain'] as string, /0\tforget\t0\.200\t0\.600\t2/);

  const g = ngramBundle({
    version: 1,
    dataset: 'tiny',
    ngram: [{ order: 3, loss: 2.25 }],
    rnn: [{ label: 'lstm', loss: 1.5 }],
  });
  assert.match(g.data['text/plain'] as string, /3-gram\t2\.250\nlstm\t1\.500/);
});
