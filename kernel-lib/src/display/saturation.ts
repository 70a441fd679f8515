/** Bundle of the gate saturation plot: per layer and gate, the fraction of time units sit saturated. */
import type { MimeBundle } from './bundle';
import { escapeHtml, fmt, htmlGrid, makeBundle } from './fallback';
import type { SaturationView } from './schema';

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

export function saturationBundle(view: SaturationView): MimeBundle {
  const header = ['layer', 'gate', 'mean left-saturated', 'mean right-saturated', 'units'];
  const rows = view.layers.flatMap((l) =>
    l.gates.map((g) => [l.layer, g.gate, fmt(mean(g.left)), fmt(mean(g.right)), g.left.length]),
  );
  const title = `charrnn gate saturation (${view.cell}, ${view.chars} characters; left < ${view.thresholds.left}, right > ${view.thresholds.right})`;
  const html = `<b>${escapeHtml(title)}</b>${htmlGrid(header, rows)}`;
  const plain = [title, header.join('\t'), ...rows.map((r) => r.join('\t'))].join('\n');
  return makeBundle('saturation', view, html, plain);
}
