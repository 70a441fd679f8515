/** N-gram vs RNN: held-out loss of n-gram baselines by order, with each RNN's loss as a horizontal line. */
import type { NgramView } from '@charrnn/schema';
import { ChartWidget, plotText, seriesColor } from './plot';

export class NgramWidget extends ChartWidget {
  constructor() {
    super('charrnn-ngram');
  }

  setView(view: NgramView): void {
    this.heading.textContent = `N-gram vs RNN on ${view.dataset}`;
    const orders = view.ngram.map((n) => n.order);
    const span = orders.length ? [Math.min(...orders), Math.max(...orders)] : [1, 2];
    const traces = [
      {
        name: 'n-gram',
        x: orders,
        y: view.ngram.map((n) => n.loss),
        mode: 'lines+markers',
        type: 'scatter',
        line: { color: seriesColor(0) },
      },
      ...view.rnn.map((r, i) => ({
        name: plotText(r.label),
        x: span,
        y: [r.loss, r.loss],
        mode: 'lines',
        type: 'scatter',
        line: { color: seriesColor(i + 1), dash: 'dash' },
      })),
    ];
    this.draw(traces, {
      xaxis: { title: { text: 'n-gram order' }, dtick: 1 },
      yaxis: { title: { text: 'loss (nats/char)' } },
    });
  }
}
