/** Bundle of a training run: the live dashboard's JSON with a table of key numbers and the latest samples. */
import type { MimeBundle } from './bundle';
import { escapeHtml, fmt, htmlGrid, htmlPre, htmlTable, makeBundle, plainTable } from './fallback';
import type { TrainingPoint, TrainingView } from './schema';

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

export function trainingBundle(view: TrainingView): MimeBundle {
  const rows = summary(view);
  const lastSamples = view.samples.slice(-3);
  const table = thinPoints(view.points, 10).map((p) => [p.iter, fmt(p.trainLoss), fmt(p.valLoss), fmt(p.elapsedS, 1)]);
  const html = [
    `<b>charrnn training run ${escapeHtml(view.runId)}</b>`,
    view.message ? `<p>${escapeHtml(view.message)}</p>` : '',
    htmlTable(rows),
    htmlTable(Object.entries(view.config)),
    table.length ? htmlGrid(['iter', 'train loss', 'val loss', 'seconds'], table) : '',
    ...lastSamples.map((s) => `<p>sample at iteration ${s.iter}, temperature ${s.temperature}:</p>${htmlPre(s.text)}`),
  ].join('\n');
  const plain = [
    `charrnn training run ${view.runId}`,
    ...(view.message ? [view.message] : []),
    plainTable(rows),
    ...lastSamples.map((s) => `--- sample at iteration ${s.iter}, temperature ${s.temperature}:\n${s.text}`),
  ].join('\n');
  return makeBundle('training', { ...view, points: thinPoints(view.points, MAX_POINTS) }, html, plain);
}
