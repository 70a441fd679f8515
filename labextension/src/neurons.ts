/**
 * Neuron search results: cells ranked by how well they track a feature; clicking a row opens that cell in an
 * activation explorer over the text the search ran on.
 */
import { Widget } from '@lumino/widgets';
import type { NeuronsView } from '@charrnn/kernel';
import type { KernelLink } from './comm';
import { el, fmt } from './dom';
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
    this.table.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('tr[data-rank]');
      if (row) this.open(Number(row.dataset.rank));
    });
  }

  setView(view: NeuronsView): void {
    this.view = view;
    this.heading.textContent = `Cells that track: ${view.feature}`;
    this.metric.textContent = view.activations
      ? `${view.metric}. Click a row to see the cell in the explorer${view.featureValues ? ' (the feature is on where the text is underlined)' : ''}.`
      : `${view.metric}. (No activations were saved with this search, so rows cannot be opened.)`;
    const head = el('tr');
    for (const h of ['rank', 'layer', 'state', 'unit', 'score', 'correlation', 'mean on', 'mean off']) el('th', '', h, head);
    const best = Math.max(1e-9, ...view.ranked.map((n) => Math.abs(n.score)));
    const rows = view.ranked.map((n, i) => {
      const row = el('tr');
      row.dataset.rank = String(i);
      const cells = [String(i + 1), String(n.layer), n.kind, String(n.index), fmt(n.score), fmt(n.correlation), fmt(n.meanOn), fmt(n.meanOff)];
      for (const c of cells) el('td', '', c, row);
      const bar = el('span', 'charrnn-bar');
      bar.style.width = `${(100 * Math.abs(n.score)) / best}%`;
      row.children[4].appendChild(bar);
      return row;
    });
    this.table.replaceChildren(el('thead', '', undefined), el('tbody'));
    this.table.tHead!.appendChild(head);
    this.table.tBodies[0].append(...rows);
    if (this.explorer && view.activations) {
      this.explorer.setView(view.activations);
      if (view.featureValues) this.explorer.markFeature(view.featureValues);
    }
  }

  /** Opens the rank-th cell in the explorer (created on first use). */
  private open(rank: number): void {
    const n = this.view?.ranked[rank];
    if (!n || !this.view?.activations) return;
    if (!this.explorer) {
      this.explorer = new ActivationsWidget(this.link);
      Widget.attach(this.explorer, this.explorerHost);
      this.explorer.setView(this.view.activations);
      if (this.view.featureValues) this.explorer.markFeature(this.view.featureValues);
    }
    for (const row of this.table.querySelectorAll('tr.charrnn-open')) row.classList.remove('charrnn-open');
    this.table.querySelector(`tr[data-rank="${rank}"]`)?.classList.add('charrnn-open');
    this.explorer.select({ layer: n.layer, kind: n.kind, index: n.index });
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.explorer?.dispose();
    super.dispose();
  }
}
