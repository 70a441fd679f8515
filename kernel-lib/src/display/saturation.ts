/** Bundle of the gate saturation plot: per layer and gate, the fraction of time units sit saturated. */
import type { MimeBundle } from './bundle';
import { chartBundle, fmt } from './fallback';
import type { SaturationView } from '@charrnn/schema';
import { round, vegaLite, type VegaLiteSpec } from './vegalite';

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

function title(view: SaturationView): string {
  return `charrnn gate saturation (${view.cell}, ${view.chars} characters; left < ${view.thresholds.left}, right > ${view.thresholds.right})`;
}

/**
 * One panel per gate, one dot per unit and layer at (fraction left-saturated, fraction right-saturated). The data
 * is a row per layer and gate holding its units' fractions as arrays, which Vega-Lite flattens to a row per unit:
 * a fifth of the bytes of a row per unit with the layer and gate names repeated (3 x 512 LSTM units: 0.1 MB, not
 * 0.5 MB in the saved notebook).
 */
export function saturationSpec(view: SaturationView): VegaLiteSpec {
  const gates = [...new Set(view.layers.flatMap((l) => l.gates.map((g) => g.gate)))];
  const values = view.layers.flatMap((l) =>
    l.gates.map((g) => ({
      layer: `layer ${l.layer}`,
      gate: g.gate,
      unit: g.left.map((_, unit) => unit),
      left: g.left.map(round),
      right: g.right.map(round),
    })),
  );
  const fraction = (field: string, title: string) => ({
    field,
    type: 'quantitative',
    title,
    scale: { domain: [0, 1] },
  });
  return vegaLite(title(view), {
    data: { values },
    transform: [{ flatten: ['unit', 'left', 'right'] }],
    facet: { column: { field: 'gate', type: 'nominal', sort: gates, title: null } },
    spec: {
      width: 160,
      height: 160,
      mark: { type: 'circle', size: 20, opacity: 0.7 },
      encoding: {
        x: fraction('left', 'left-saturated'),
        y: fraction('right', 'right-saturated'),
        color: { field: 'layer', type: 'nominal', title: null },
        tooltip: [
          { field: 'layer' },
          { field: 'gate' },
          { field: 'unit', type: 'quantitative' },
          { field: 'left', type: 'quantitative' },
          { field: 'right', type: 'quantitative' },
        ],
      },
    },
  });
}

export function saturationBundle(view: SaturationView): MimeBundle {
  const header = ['layer', 'gate', 'mean left-saturated', 'mean right-saturated', 'units'];
  const rows = view.layers.flatMap((l) =>
    l.gates.map((g) => [l.layer, g.gate, fmt(mean(g.left)), fmt(mean(g.right)), g.left.length]),
  );
  const plain = [title(view), header.join('\t'), ...rows.map((r) => r.join('\t'))].join('\n');
  return chartBundle('saturation', view, saturationSpec(view), plain);
}
