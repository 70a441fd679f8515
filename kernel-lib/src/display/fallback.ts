/**
 * Shared pieces of the text/html and text/plain fallbacks that GitHub, nbviewer and classic Notebook show.
 * Everything taken from data goes through `escapeHtml`: corpora contain HTML, XML and LaTeX.
 */
import type { MimeBundle } from './bundle';
import { mimeType, type ViewKind, type Views } from '@charrnn/schema';
import { VEGALITE_MIME, type VegaLiteSpec } from './vegalite';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A number for people: integers with separators, others with `digits` decimals; '-' when missing. */
export function fmt(x: number | undefined | null, digits = 3): string {
  if (x === undefined || x === null || Number.isNaN(x)) return '-';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return x.toFixed(digits);
}

/** An HTML key/value table. */
export function htmlTable(rows: [string, string | number | boolean | null | undefined][]): string {
  const body = rows
    .map(
      ([k, v]) => `<tr><th style="text-align:left">${escapeHtml(k)}</th><td>${escapeHtml(String(v ?? '-'))}</td></tr>`,
    )
    .join('');
  return `<table>${body}</table>`;
}

/** An HTML table with a header row; cells are escaped. */
export function htmlGrid(header: string[], rows: (string | number)[][]): string {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}

/** Text kept as text: escaped inside <pre> so newlines and spacing survive. */
export function htmlPre(text: string): string {
  return `<pre style="white-space:pre-wrap">${escapeHtml(text)}</pre>`;
}

/** Plain-text key/value lines, keys padded to one column. */
export function plainTable(rows: [string, string | number | boolean | null | undefined][]): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${String(v ?? '-')}`).join('\n');
}

/**
 * A chart's bundle: our MIME JSON, a Vega-Lite spec of the chart, and text/plain. No text/html: JupyterLab chooses
 * among an output's types by rank, not by their order, and ranks text/html (50) above Vega-Lite (57), so an HTML
 * table would hide the chart from every JupyterLab without our extension. GitHub, nbviewer and classic Notebook,
 * which draw no Vega-Lite, show the text/plain table.
 */
export function chartBundle<K extends ViewKind>(
  kind: K,
  view: Views[K],
  chart: VegaLiteSpec,
  plain: string,
): MimeBundle {
  return {
    data: { [mimeType(kind)]: view, [VEGALITE_MIME]: chart, 'text/plain': plain },
    // JupyterLab's Vega renderer takes embed options from here: SVG keeps labels crisp and selectable text.
    metadata: { [VEGALITE_MIME]: { embed_options: { renderer: 'svg' } } },
  };
}

/** Our MIME JSON plus the two fallbacks. */
export function makeBundle<K extends ViewKind>(kind: K, view: Views[K], html: string, plain: string): MimeBundle {
  return {
    data: { [mimeType(kind)]: view, 'text/html': `<div class="charrnn-fallback">${html}</div>`, 'text/plain': plain },
  };
}
