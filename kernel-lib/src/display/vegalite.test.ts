import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ngramBundle } from './ngram';
import { saturationBundle } from './saturation';
import { mimeType, type TrainingPoint } from '@charrnn/schema';
import { trainingBundle } from './training';
import { VEGALITE_MIME } from './vegalite';

const EVIL = '<img src=x onerror="window.pwned=1"> <b>bold</b>';

/** Every value in a spec's inline data sets, layers and facets included. */
function dataValues(spec: any): any[] {
  const own = spec.data?.values ?? [];
  return [...own, ...(spec.layer ?? []).flatMap(dataValues), ...(spec.spec ? dataValues(spec.spec) : [])];
}

test('each chart bundle: our JSON, then Vega-Lite, then text/plain, in that order, with no text/html to outrank the chart', () => {
  const point = (iter: number, valLoss?: number): TrainingPoint => ({
    iter,
    epoch: 0,
    trainLoss: 3,
    valLoss,
    lr: 1e-3,
    charsPerSec: 1,
    elapsedS: iter,
  });
  const bundles = {
    training: trainingBundle({
      version: 1,
      runId: 'r',
      config: {},
      totalIters: 10,
      status: 'done',
      points: [point(1), point(2, 2.5)],
      samples: [],
    }),
    ngram: ngramBundle({ version: 1, dataset: 'd', ngram: [{ order: 1, loss: 3 }], rnn: [] }),
    saturation: saturationBundle({
      version: 1,
      cell: 'gru',
      thresholds: { left: 0.1, right: 0.9 },
      chars: 5,
      layers: [],
    }),
  };
  for (const [kind, b] of Object.entries(bundles)) {
    assert.deepEqual(Object.keys(b.data), [mimeType(kind as 'ngram'), VEGALITE_MIME, 'text/plain'], kind);
    const spec = b.data[VEGALITE_MIME] as any;
    assert.equal(spec.$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
  }
});

test('training chart: the training loss at every kept point, validation where it was measured, thinned for a long run', () => {
  const points: TrainingPoint[] = Array.from({ length: 20_000 }, (_, i) => ({
    iter: i + 1,
    epoch: 0,
    trainLoss: 4 - i / 10_000,
    valLoss: (i + 1) % 1000 === 0 ? 3.123456 : undefined,
    lr: 1e-3,
    charsPerSec: 1,
    elapsedS: i,
  }));
  const spec = trainingBundle({
    version: 1,
    runId: EVIL,
    config: {},
    totalIters: 20_000,
    status: 'running',
    points,
    samples: [],
  }).data[VEGALITE_MIME] as any;
  const values = dataValues(spec);
  const train = values.filter((v) => v.series === 'train');
  const val = values.filter((v) => v.series === 'validation');
  assert.ok(train.length <= 520 && train.length > 400, `${train.length} training points`);
  assert.equal(train.at(-1).iter, 20_000);
  assert.equal(val.length, 20);
  assert.deepEqual(val[0], { iter: 1000, loss: 3.123, series: 'validation' });
  assert.deepEqual(
    spec.layer.map((l: any) => [l.transform[0].filter.equal, l.mark.type, !!l.mark.point]),
    [
      ['train', 'line', false],
      ['validation', 'line', true],
    ],
  );
  assert.equal(spec.title, `charrnn training run ${EVIL} (running)`, 'a title is text to Vega, kept as is');
  assert.ok(JSON.stringify(spec).length < 40_000, 'small in the notebook');
});

test('n-gram chart: one point per order, one rule per RNN named by its label (as data)', () => {
  const spec = ngramBundle({
    version: 1,
    dataset: 'tiny',
    ngram: [1, 2, 3].map((order) => ({ order, loss: 3 - order / 2 })),
    rnn: [
      { label: EVIL, loss: 1.25 },
      { label: 'gru', loss: 1.5 },
    ],
  }).data[VEGALITE_MIME] as any;
  assert.deepEqual(spec.layer[0].data.values, [
    { order: 1, loss: 2.5, model: 'n-gram' },
    { order: 2, loss: 2, model: 'n-gram' },
    { order: 3, loss: 1.5, model: 'n-gram' },
  ]);
  assert.deepEqual(spec.layer[1].data.values, [
    { model: EVIL, loss: 1.25 },
    { model: 'gru', loss: 1.5 },
  ]);
  assert.deepEqual(
    spec.layer[1].encoding.color.scale.domain,
    ['n-gram', EVIL, 'gru'],
    'the n-gram line takes the first colour',
  );
  assert.equal(spec.layer[1].mark.type, 'rule');
});

test("saturation chart: a panel per gate in the view's order, a dot per unit and layer, layers coloured apart", () => {
  const layers = [0, 1, 2].map((layer) => ({
    layer,
    gates: ['update', 'reset'].map((gate) => ({ gate, left: [0.1, 0.123456], right: [0.9, 0] })),
  }));
  const spec = saturationBundle({ version: 1, cell: 'gru', thresholds: { left: 0.1, right: 0.9 }, chars: 50, layers })
    .data[VEGALITE_MIME] as any;
  assert.deepEqual(spec.facet.column.sort, ['update', 'reset']);
  assert.equal(spec.data.values.length, 3 * 2, 'a row per layer and gate');
  assert.deepEqual(spec.data.values[1], {
    layer: 'layer 0',
    gate: 'reset',
    unit: [0, 1],
    left: [0.1, 0.1235],
    right: [0.9, 0],
  });
  assert.deepEqual(spec.transform, [{ flatten: ['unit', 'left', 'right'] }], 'flattened to a dot per unit');
  assert.equal(spec.spec.encoding.color.field, 'layer');
  const colors = spec.config.range.category.slice(0, 3);
  assert.equal(new Set(colors).size, 3);
});
