/** Bundle of the n-gram vs RNN comparison: held-out losses of n-gram baselines by order and of RNN models. */
import type { MimeBundle } from './bundle';
import { escapeHtml, fmt, htmlGrid, makeBundle } from './fallback';
import type { NgramView } from './schema';

export function ngramBundle(view: NgramView): MimeBundle {
  const header = ['model', 'loss (nats/char)'];
  const rows = [
    ...view.ngram.map((n) => [`${n.order}-gram`, fmt(n.loss)]),
    ...view.rnn.map((r) => [r.label, fmt(r.loss)]),
  ];
  const title = `charrnn n-gram vs RNN on ${view.dataset}`;
  const html = `<b>${escapeHtml(title)}</b>${htmlGrid(header, rows)}`;
  const plain = [title, ...rows.map((r) => `${r[0]}\t${r[1]}`)].join('\n');
  return makeBundle('ngram', view, html, plain);
}
