/** Bundle of the sampler: its settings and the samples recorded for a grid of temperatures (see sample/panel.ts). */
import type { SamplerView } from '@charrnn/schema';
import type { MimeBundle } from './bundle';
import { escapeHtml, htmlPre, htmlTable, makeBundle, plainTable } from './fallback';

export function samplerBundle(view: SamplerView): MimeBundle {
  const d = view.defaults;
  const settings: [string, string | number][] = [
    ['prime', JSON.stringify(d.prime)],
    ['length', d.length],
    ['seed', d.seed],
    ['top-k', d.topK === 0 ? 'all' : d.topK],
    ...(d.beam ? [['beam', d.beam] as [string, number]] : []),
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
