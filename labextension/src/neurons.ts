/**
 * Neuron search results: cells ranked by how well they track a feature, the best ten first; a button opens the best
 * cell in an activation explorer over the text the search ran on, and so does a click on a row for its cell. A
 * search that could score no cell (the feature never changes on the text) says why instead of listing zeros.
 */
import { Widget } from '@lumino/widgets';
import type { NeuronsView } from '@charrnn/schema';
import type { KernelLink } from './comm';
import { el } from './dom';
import { RankedTable } from './ranked';
import { ActivationsWidget } from './activations';

export class NeuronsWidget extends Widget {
  private view: NeuronsView | null = null;
  /** Rows from the top whose cell was saved with the output, the ones a click opens (savedRows, worked out once). */
  private openable = 0;
  private explorer: ActivationsWidget | null = null;
  private readonly heading = el('div', 'charrnn-title');
  private readonly metric = el('div', 'charrnn-message');
  private readonly openBest = el('button', 'charrnn-button charrnn-open-best');
  private readonly table = new RankedTable((rank) => this.open(rank));
  private readonly explorerHost = el('div', 'charrnn-explorer-host');

  constructor(private readonly link: KernelLink | null) {
    super();
    this.addClass('charrnn-neurons');
    this.node.append(this.heading, this.metric, this.openBest, this.table.node, this.explorerHost);
    this.openBest.addEventListener('click', () => this.open(0));
  }

  setView(view: NeuronsView): void {
    this.view = view;
    this.openable = view.activations ? savedRows(view) : 0;
    this.heading.textContent = `Cells that track: ${view.feature}`;
    const scored = view.ranked.some((n) => n.score > 0);
    const best = view.ranked[0];
    this.table.node.hidden = !scored;
    this.openBest.hidden = !scored || !view.activations;
    if (best)
      this.openBest.textContent = `Show the best cell, layer ${best.layer} ${best.kind}[${best.index}], in the explorer`;
    this.metric.textContent = !scored
      ? this.unscored(view)
      : view.activations
        ? `${view.metric}. Click one of the first ${this.openable} rows to see its cell in the explorer${view.featureValues ? ' (the feature is on where the text is underlined)' : ''}; hover a column's name for what it means.`
        : `${view.metric}. (No activations were saved with this search, so rows cannot be opened.)`;
    this.table.fill(view.ranked, { from: this.openable, why: (n) => notSaved(view, n, this.openable) });
    if (this.explorer && view.activations) {
      this.explorer.setView(view.activations);
      if (view.featureValues) this.explorer.markFeature(view.featureValues);
    }
  }

  /** Why no cell is listed: the library's reason, or (an output saved before it gave one) what every zero means. */
  private unscored(view: NeuronsView): string {
    return (
      view.unscored ??
      `No cell follows "${view.feature}" on this text: every correlation is 0, as when the feature is the same on every character. Search a text where it changes.`
    );
  }

  /** Opens the rank-th cell in the explorer (created on first use). */
  private open(rank: number): void {
    const n = this.view?.ranked[rank];
    if (!n || !this.view?.activations || rank >= this.openable) return;
    if (!this.explorer) {
      this.explorer = new ActivationsWidget(this.link);
      Widget.attach(this.explorer, this.explorerHost);
      this.explorer.setView(this.view.activations);
      if (this.view.featureValues) this.explorer.markFeature(this.view.featureValues);
    }
    this.explorer.select({ layer: n.layer, kind: n.kind, index: n.index });
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.explorer?.dispose();
    super.dispose();
  }
}

/** How many of the ranked rows, from the top, have their cell in the saved activations (the library saves the first few). */
function savedRows(view: NeuronsView): number {
  const saved = (n: NeuronsView['ranked'][number]) => {
    const units = view.activations?.layers.find((l) => l.layer === n.layer)?.units;
    return !units || units.includes(n.index);
  };
  const first = view.ranked.findIndex((n) => !saved(n));
  return first < 0 ? view.ranked.length : first;
}

/** A row's hover text when its cell cannot be opened here, with the line that explores it in the kernel. */
function notSaved(view: NeuronsView, n: NeuronsView['ranked'][number], openable: number): string {
  if (!view.activations) return 'no activations were saved with this search';
  const cell = `{ layer: ${n.layer}, kind: '${n.kind}', index: ${n.index} }`;
  return `only the first ${openable} rows' cells are saved with this output (it stays small); explore this one in the kernel: new Explorer(model, vocab, text, { selected: ${cell} })`;
}
