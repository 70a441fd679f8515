/** Bundle of the n-gram vs RNN comparison: held-out losses of n-gram baselines by order and of RNN models. */
import type { MimeBundle } from './bundle';
import { chartBundle, fmt } from './fallback';
import type { NgramView } from '@charrnn/schema';
import { round, vegaLite, type VegaLiteSpec } from './vegalite';

/** N-gram loss by order as a line with points; each RNN's loss as a dashed horizontal rule, named in the legend. */
export function ngramSpec(view: NgramView): VegaLiteSpec {
  const y = { field: 'loss', type: 'quantitative', title: 'loss (nats/char)', scale: { zero: false } };
  // The n-gram line first in the legend and in our first colour, then the RNNs in their order; whole labels.
  const domain = ['n-gram', ...view.rnn.map((r) => r.label)];
  const color = { field: 'model', type: 'nominal', title: null, scale: { domain }, legend: { labelLimit: 0 } };
  return vegaLite(`charrnn n-gram vs RNN on ${view.dataset}`, {
    width: 420,
    height: 260,
    layer: [
      {
        data: { values: view.ngram.map((n) => ({ order: n.order, loss: round(n.loss), model: 'n-gram' })) },
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'order',
            type: 'quantitative',
            title: 'n-gram order',
            axis: { values: view.ngram.map((n) => n.order), format: 'd' },
          },
          y,
          color,
          tooltip: [
            { field: 'model' },
            { field: 'order', type: 'quantitative' },
            { field: 'loss', type: 'quantitative' },
          ],
        },
      },
      {
        data: { values: view.rnn.map((r) => ({ model: r.label, loss: round(r.loss) })) },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 2 },
        encoding: { y, color, tooltip: [{ field: 'model' }, { field: 'loss', type: 'quantitative' }] },
      },
    ],
  });
}

export function ngramBundle(view: NgramView): MimeBundle {
  const rows = [
    ...view.ngram.map((n) => [`${n.order}-gram`, fmt(n.loss)]),
    ...view.rnn.map((r) => [r.label, fmt(r.loss)]),
  ];
  const plain = [
    `charrnn n-gram vs RNN on ${view.dataset}`,
    'model\tloss (nats/char)',
    ...rows.map((r) => `${r[0]}\t${r[1]}`),
  ].join('\n');
  return chartBundle('ngram', view, ngramSpec(view), plain);
}
