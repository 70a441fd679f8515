/**
 * A table of cells ranked by a score (neuron search, selection search): the best PAGE_ROWS first and a "more" button
 * for the next ones, each column explained on hover, the correlation's size drawn as a bar; a click on a row opens
 * that cell.
 */
import { neuronColumns, type NeuronScore } from '@charrnn/schema';
import { el, fmt } from './dom';

/** Rows shown at first, and added by each click on "more": a hundred rows were a 2,400 px table. */
export const PAGE_ROWS = 10;

/** Rows that cannot be opened: those from rank `from` on, each saying why on hover. */
export interface Closed {
  from: number;
  why: (cell: NeuronScore) => string;
}

export class RankedTable {
  readonly node = el('div', 'charrnn-ranked-table');
  private readonly table = el('table', 'charrnn-table charrnn-ranked');
  private readonly more = el('button', 'charrnn-button charrnn-more');
  private ranked: NeuronScore[] = [];
  private shown = PAGE_ROWS;
  /** Rows from this rank on cannot be opened (their cells are not in the output), and say why on hover. */
  private closed: Closed = { from: Infinity, why: () => '' };

  /** `open(rank)` runs on a click on an openable row; `selection` words the columns for a selection search. */
  constructor(
    open: (rank: number) => void,
    private readonly selection = false,
  ) {
    this.node.append(this.table, this.more);
    this.more.addEventListener('click', () => {
      this.shown += PAGE_ROWS;
      this.draw();
    });
    this.table.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('tr[data-rank]');
      const rank = Number(row?.dataset.rank);
      if (!row || rank >= this.closed.from) return;
      for (const r of this.table.querySelectorAll('tr.charrnn-open')) r.classList.remove('charrnn-open');
      row.classList.add('charrnn-open');
      open(rank);
    });
  }

  /** Shows these cells, best first, from the first page again; the rows from `closed.from` on cannot open. */
  fill(ranked: NeuronScore[], closed: Closed = { from: Infinity, why: () => '' }): void {
    [this.ranked, this.closed, this.shown] = [ranked, closed, PAGE_ROWS];
    this.draw();
  }

  private draw(): void {
    const head = el('tr');
    for (const { label, help } of neuronColumns(this.selection)) el('th', '', label, head).title = `${label}: ${help}`;
    const best = Math.max(1e-9, ...this.ranked.map((n) => Math.abs(n.score)));
    const rows = this.ranked.slice(0, this.shown).map((n, i) => this.row(n, i, best));
    this.table.replaceChildren(el('thead'), el('tbody'));
    this.table.tHead!.appendChild(head);
    this.table.tBodies[0].append(...rows);
    const left = this.ranked.length - this.shown;
    this.more.hidden = left <= 0;
    this.more.textContent = `show ${Math.min(PAGE_ROWS, left)} more of ${this.ranked.length}`;
  }

  private row(n: NeuronScore, rank: number, best: number): HTMLTableRowElement {
    const row = el('tr');
    row.dataset.rank = String(rank);
    for (const c of [
      String(rank + 1),
      String(n.layer),
      n.kind,
      String(n.index),
      fmt(n.correlation),
      fmt(n.meanOn),
      fmt(n.meanOff),
    ])
      el('td', '', c, row);
    const bar = el('span', 'charrnn-bar', undefined, row.children[4]);
    bar.style.width = `${(100 * Math.abs(n.score)) / best}%`;
    if (rank >= this.closed.from) {
      row.classList.add('charrnn-closed');
      row.title = this.closed.why(n);
    }
    return row;
  }
}
