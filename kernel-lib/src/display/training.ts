/**
 * Bundle of a training run: the live dashboard's JSON; a Vega-Lite chart of the loss curves; key numbers, settings and
 * the latest samples as text.
 */
import type { MimeBundle } from './bundle';
import { chartBundle, fmt, plainTable } from './fallback';
import type { TrainingPoint, TrainingView } from '@charrnn/schema';
import { round, vegaLite, type VegaLiteSpec } from './vegalite';

/** Thins a long run to about `max` points for the fallbacks and the JSON: every n-th, every validation point, the last. */
export function thinPoints(points: TrainingPoint[], max: number): TrainingPoint[] {
  if (points.length <= max) return points;
  const vals = points.filter((p) => p.valLoss !== undefined).length;
  const step = Math.ceil(points.length / Math.max(1, max - vals - 1));
  const kept = points.filter((p, i) => i % step === 0 || p.valLoss !== undefined);
  if (kept[kept.length - 1] !== points[points.length - 1]) kept.push(points[points.length - 1]);
  return kept;
}

/** The latest validation loss logged, if any. */
function lastVal(points: TrainingPoint[]): number | undefined {
  for (let i = points.length - 1; i >= 0; i--) if (points[i].valLoss !== undefined) return points[i].valLoss;
  return undefined;
}

function summary(view: TrainingView): [string, string | number][] {
  const last = view.points[view.points.length - 1];
  return [
    ['status', view.status],
    ...(view.engine ? [['engine', view.engine] as [string, string]] : []),
    ['iteration', `${fmt(last?.iter ?? 0)} / ${fmt(view.totalIters)}`],
    ['epoch', fmt(last?.epoch, 2)],
    ['train loss', fmt(last?.trainLoss)],
    ['val loss', fmt(lastVal(view.points))],
    ['learning rate', last ? last.lr.toExponential(2) : '-'],
    ['chars/s', fmt(last ? Math.round(last.charsPerSec) : undefined)],
    ['elapsed', last ? `${last.elapsedS.toFixed(1)} s` : '-'],
  ];
}

/** Most points sent to the dashboard: a long run's JSON (re-sent at each live update) stays small. */
export const MAX_POINTS = 2000;

/** Most points in the Vega-Lite fallback: the shape of a long run, small in the notebook. */
const MAX_CHART_POINTS = 500;

/** Loss against iteration: the training loss as a line, validation as a line with points. */
export function trainingSpec(view: TrainingView): VegaLiteSpec {
  const points = thinPoints(view.points, MAX_CHART_POINTS);
  const values = [
    ...points.map((p) => ({ iter: p.iter, loss: round(p.trainLoss), series: 'train' })),
    ...points
      .filter((p) => p.valLoss !== undefined)
      .map((p) => ({ iter: p.iter, loss: round(p.valLoss as number), series: 'validation' })),
  ];
  const only = (series: string) => [{ filter: { field: 'series', equal: series } }];
  return vegaLite(`charrnn training run ${view.runId} (${view.status})`, {
    width: 520,
    height: 260,
    data: { values },
    encoding: {
      x: { field: 'iter', type: 'quantitative', title: 'iteration' },
      y: { field: 'loss', type: 'quantitative', title: 'loss (nats/char)', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['train', 'validation'] } },
      tooltip: [{ field: 'series' }, { field: 'iter', type: 'quantitative' }, { field: 'loss', type: 'quantitative' }],
    },
    layer: [
      { transform: only('train'), mark: { type: 'line', strokeWidth: 1.5 } },
      { transform: only('validation'), mark: { type: 'line', point: true } },
    ],
  });
}

export function trainingBundle(view: TrainingView): MimeBundle {
  const plain = [
    `charrnn training run ${view.runId}`,
    ...(view.message ? [view.message] : []),
    plainTable(summary(view)),
    plainTable(Object.entries(view.config)),
    ['iter', 'train loss', 'val loss', 'seconds'].join('\t'),
    ...thinPoints(view.points, 10).map((p) =>
      [p.iter, fmt(p.trainLoss), fmt(p.valLoss), fmt(p.elapsedS, 1)].join('\t'),
    ),
    ...view.samples.slice(-3).map((s) => `--- sample at iteration ${s.iter}, temperature ${s.temperature}:\n${s.text}`),
  ].join('\n');
  return chartBundle('training', { ...view, points: thinPoints(view.points, MAX_POINTS) }, trainingSpec(view), plain);
}
