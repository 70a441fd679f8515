/** Bundle of a neuron search: cells ranked by how well they track a feature. */
import { savedActivations } from './activations';
import type { MimeBundle } from './bundle';
import { escapeHtml, fmt, htmlGrid, makeBundle } from './fallback';
import type { NeuronsView } from '@charrnn/schema';

/** Rows shown in the fallbacks. */
const FALLBACK_ROWS = 20;

export function neuronsBundle(view: NeuronsView): MimeBundle {
  const header = ['rank', 'layer', 'state', 'unit', 'score', 'correlation', 'mean on', 'mean off'];
  const rows = view.ranked
    .slice(0, FALLBACK_ROWS)
    .map((n, i) => [i + 1, n.layer, n.kind, n.index, fmt(n.score), fmt(n.correlation), fmt(n.meanOn), fmt(n.meanOff)]);
  const title = `charrnn neuron search: ${view.feature}`;
  const html = `<b>${escapeHtml(title)}</b><p>${escapeHtml(view.metric)}</p>${htmlGrid(header, rows)}`;
  const plain = [title, view.metric, header.join('\t'), ...rows.map((r) => r.join('\t'))].join('\n');
  // The saved explorer keeps the ranked cells, the ones a click on a row opens.
  const saved = view.activations ? { ...view, activations: savedActivations(view.activations, view.ranked) } : view;
  return makeBundle('neurons', saved, html, plain);
}
