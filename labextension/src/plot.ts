/**
 * Charts with Plotly.js (the basic bundle: scatter and bar), loaded on first use as its own chunk, coloured from
 * JupyterLab's theme variables so light and dark themes both read well.
 */
import { Widget } from '@lumino/widgets';
export { seriesColor } from '@charrnn/schema';
import { el } from './dom';

type PlotlyModule = typeof import('plotly.js-basic-dist-min').default;

let plotly: Promise<PlotlyModule> | undefined;

function load(): Promise<PlotlyModule> {
  plotly ??= import(/* webpackChunkName: "plotly" */ 'plotly.js-basic-dist-min').then((m) => m.default);
  return plotly;
}

function themeVar(node: HTMLElement, name: string, fallback: string): string {
  return getComputedStyle(node).getPropertyValue(name).trim() || fallback;
}

/** Charts on the page and what they were last drawn with, to redraw them in the new colours when the theme changes. */
const drawn = new Map<HTMLElement, [object[], Record<string, any>]>();
let themeWatch: MutationObserver | undefined;

/** JupyterLab names the theme on <body>; a change of that attribute means new theme variables. */
function watchTheme(): void {
  themeWatch ??= new MutationObserver(() =>
    drawn.forEach(([traces, layout], node) => void drawPlot(node, traces, layout)),
  );
  themeWatch.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-name'] });
}

/** Draws (or redraws in place) `traces` into `node` with our themed base layout merged with `layout`. */
export async function drawPlot(node: HTMLElement, traces: object[], layout: Record<string, any>): Promise<void> {
  drawn.set(node, [traces, layout]);
  watchTheme();
  const Plotly = await load();
  const fg = themeVar(node, '--jp-ui-font-color1', '#333');
  const grid = themeVar(node, '--jp-border-color2', '#ddd');
  const axis = { gridcolor: grid, zerolinecolor: grid, linecolor: grid };
  const base = {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: fg, family: themeVar(node, '--jp-ui-font-family', 'sans-serif'), size: 11 },
    margin: { l: 50, r: 10, t: 30, b: 40 },
    // Above the plot on the left: the toolbar Plotly shows on hover sits top right.
    legend: { orientation: 'h', x: 0, xanchor: 'left', y: 1, yanchor: 'bottom' },
    height: 320,
  };
  const merged: Record<string, any> = { ...base, ...layout };
  for (const key of Object.keys(merged)) {
    if (/^[xy]axis\d*$/.test(key)) merged[key] = { ...axis, ...merged[key] };
  }
  await Plotly.react(node, traces, merged, { displaylogo: false, responsive: true });
}

/** Frees a chart's listeners when its widget goes away. */
export function purgePlot(node: HTMLElement): void {
  drawn.delete(node);
  void load().then((Plotly) => Plotly.purge(node));
}

/**
 * A string from data as Plotly text. Plotly reads a little HTML in every label, name, tick, hover text and
 * annotation (<b>, <i>, <br>, <a href>, entities) and fills in %{...} in hover templates; escaped, a corpus's or a
 * user's `<b>` shows as typed.
 */
export function plotText(text: string): string {
  return text.replace(/[&<>"%]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A widget that is a heading over one chart (saturation, n-gram). */
export class ChartWidget extends Widget {
  protected readonly heading = el('div', 'charrnn-title');
  protected readonly chart = el('div', 'charrnn-chart');
  private figure: [object[], Record<string, any>] | null = null;

  constructor(className: string) {
    super();
    this.addClass(className);
    this.node.append(this.heading, this.chart);
  }

  /** Draws now if the widget is on the page, else once it gets there (Plotly measures the page). */
  protected draw(traces: object[], layout: Record<string, any>): void {
    this.figure = [traces, layout];
    if (this.isAttached) void drawPlot(this.chart, traces, layout);
  }

  protected onAfterAttach(): void {
    if (this.figure) void drawPlot(this.chart, ...this.figure);
  }

  dispose(): void {
    if (this.isDisposed) return;
    purgePlot(this.chart);
    super.dispose();
  }
}
