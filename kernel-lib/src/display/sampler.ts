/** Bundle of the interactive sampler: settings plus samples recorded for a grid of temperatures. */
import type { MimeBundle } from './bundle';
import { escapeHtml, htmlPre, htmlTable, makeBundle, plainTable } from './fallback';
import type { SamplerView } from './schema';

export function samplerBundle(view: SamplerView): MimeBundle {
  const d = view.defaults;
  const settings: [string, string | number][] = [
    ['prime', JSON.stringify(d.prime)],
    ['length', d.length],
    ['seed', d.seed],
    ['top-k', d.topK === 0 ? 'all' : d.topK],
  ];
  const html = [
    '<b>charrnn sampler</b>',
    htmlTable([...settings, ...Object.entries(view.config)]),
    ...view.grid.map((s) => `<p>temperature ${escapeHtml(String(s.temperature))}:</p>${htmlPre(s.text)}`),
  ].join('\n');
  const plain = [
    'charrnn sampler',
    plainTable(settings),
    ...view.grid.map((s) => `--- temperature ${s.temperature}:\n${s.text}`),
  ].join('\n');
  return makeBundle('sampler', view, html, plain);
}
