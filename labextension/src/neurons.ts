/**
 * Neuron search results: cells ranked by how well they track a feature; clicking a row opens that cell in an
 * activation explorer over the text the search ran on.
 */
import { Widget } from '@lumino/widgets';
import type { NeuronsView } from '@charrnn/schema';
import type { KernelLink } from './comm';
import { el } from './dom';
import { fillRankedTable, onRankedClick } from './ranked';
import { ActivationsWidget } from './activations';

export class NeuronsWidget extends Widget {
  private view: NeuronsView | null = null;
  private explorer: ActivationsWidget | null = null;
  private readonly heading = el('div', 'charrnn-title');
  private readonly metric = el('div', 'charrnn-message');
  private readonly table = el('table', 'charrnn-table charrnn-ranked');
  private readonly explorerHost = el('div', 'charrnn-explorer-host');

  constructor(private readonly link: KernelLink | null) {
    super();
    this.addClass('charrnn-neurons');
    this.node.append(this.heading, this.metric, this.table, this.explorerHost);
    onRankedClick(this.table, (rank) => this.open(rank));
  }

  setView(view: NeuronsView): void {
    this.view = view;
    this.heading.textContent = `Cells that track: ${view.feature}`;
    this.metric.textContent = view.activations
      ? `${view.metric}. Click one of the first ${savedRows(view)} rows to see its cell in the explorer${view.featureValues ? ' (the feature is on where the text is underlined)' : ''}.`
      : `${view.metric}. (No activations were saved with this search, so rows cannot be opened.)`;
    fillRankedTable(this.table, view.ranked);
    if (this.explorer && view.activations) {
      this.explorer.setView(view.activations);
      if (view.featureValues) this.explorer.markFeature(view.featureValues);
    }
  }

  /** Opens the rank-th cell in the explorer (created on first use). */
  private open(rank: number): void {
    const n = this.view?.ranked[rank];
    if (!n || !this.view?.activations || rank >= savedRows(this.view)) return;
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
