/**
 * Gate saturation plot, as in Karpathy, Johnson and Fei-Fei (2015): one panel per gate, one dot per unit at
 * (fraction of time left-saturated, fraction right-saturated), coloured by layer.
 */
import type { SaturationView } from '@charrnn/schema';
import { ChartWidget, plotText, seriesColor } from './plot';

export class SaturationWidget extends ChartWidget {
  constructor() {
    super('charrnn-saturation');
  }

  setView(view: SaturationView): void {
    const { left, right } = view.thresholds;
    this.heading.textContent = `Gate saturation (${view.cell}, ${view.chars.toLocaleString('en-US')} characters): left = below ${left}, right = above ${right}`;
    const gates = [...new Set(view.layers.flatMap((l) => l.gates.map((g) => g.gate)))];
    const traces = view.layers.flatMap((l) =>
      l.gates.map((g) => {
        const panel = gates.indexOf(g.gate) + 1;
        return {
          name: `layer ${l.layer}`,
          legendgroup: `layer ${l.layer}`,
          showlegend: panel === 1,
          x: g.left,
          y: g.right,
          mode: 'markers',
          type: 'scatter',
          marker: { color: seriesColor(l.layer), size: 5, opacity: 0.7 },
          hovertemplate: `layer ${l.layer}, ${plotText(g.gate)} unit %{pointNumber}<br>left %{x:.3f}, right %{y:.3f}<extra></extra>`,
          xaxis: `x${panel === 1 ? '' : panel}`,
          yaxis: `y${panel === 1 ? '' : panel}`,
        };
      }),
    );
    const layout: Record<string, any> = {
      grid: { rows: 1, columns: gates.length, pattern: 'independent' },
      margin: { l: 50, r: 10, t: 60, b: 40 },
      // At the very top of the figure, above the panel titles (the default place, just above the plots, is theirs).
      legend: { orientation: 'h', x: 0, xanchor: 'left', yref: 'container', y: 1, yanchor: 'top' },
      annotations: gates.map((g, i) => ({
        text: plotText(g),
        showarrow: false,
        xref: `x${i === 0 ? '' : i + 1} domain`,
        yref: `y${i === 0 ? '' : i + 1} domain`,
        x: 0.5,
        y: 1.02,
        yanchor: 'bottom',
      })),
    };
    gates.forEach((_, i) => {
      const s = i === 0 ? '' : String(i + 1);
      layout[`xaxis${s}`] = { range: [0, 1], title: { text: 'left-saturated' } };
      layout[`yaxis${s}`] = { range: [0, 1], title: { text: i === 0 ? 'right-saturated' : '' } };
    });
    this.draw(traces, layout);
  }
}
