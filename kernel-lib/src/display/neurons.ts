/** Bundle of a neuron search: cells ranked by how well they track a feature. */
import { savedActivations } from './activations';
import type { MimeBundle } from './bundle';
import { escapeHtml, fmt, htmlGrid, makeBundle } from './fallback';
import { neuronColumns, type NeuronsView } from '@charrnn/schema';

/** Rows shown in the fallbacks. */
const FALLBACK_ROWS = 20;
/** Rows whose cells are saved with the search, so that a click opens them in the explorer. */
export const OPENABLE_ROWS = 10;

export function neuronsBundle(view: NeuronsView): MimeBundle {
  const columns = neuronColumns();
  const header = columns.map((c) => c.label);
  const rows = view.ranked
    .slice(0, FALLBACK_ROWS)
    .map((n, i) => [i + 1, n.layer, n.kind, n.index, fmt(n.correlation), fmt(n.meanOn), fmt(n.meanOff)]);
  const key = columns.map((c) => `${c.label}: ${c.help}`);
  const title = `charrnn neuron search: ${view.feature}`;
  // No table of zeros when no cell could be scored: the reason instead.
  const html = view.unscored
    ? `<b>${escapeHtml(title)}</b><p>${escapeHtml(view.unscored)}</p>`
    : `<b>${escapeHtml(title)}</b><p>${escapeHtml(view.metric)}</p>${htmlGrid(header, rows)}<p>${key.map(escapeHtml).join('<br>')}</p>`;
  const plain = view.unscored
    ? [title, view.unscored].join('\n')
    : [title, view.metric, header.join('\t'), ...rows.map((r) => r.join('\t')), '', ...key].join('\n');
  // The saved explorer keeps the best OPENABLE_ROWS ranked cells, the ones a click on a row opens: every ranked cell
  // of a small model over a few thousand characters is a megabyte a search, and a notebook must stay under 2 MB.
  const saved = view.activations
    ? { ...view, activations: savedActivations(view.activations, view.ranked.slice(0, OPENABLE_ROWS)) }
    : view;
  return makeBundle('neurons', saved, html, plain);
}
