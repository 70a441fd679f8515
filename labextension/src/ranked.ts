/** A table of cells ranked by a score (neuron search, selection search); clicking a row opens that cell. */
import type { NeuronScore } from '@charrnn/schema';
import { el, fmt } from './dom';

/**
 * Fills `table` with one row per cell, best first, the score drawn as a bar; `open(rank)` runs on a row's click.
 * `onOff` names the mean columns (where the feature is on / off).
 */
export function fillRankedTable(table: HTMLTableElement, ranked: NeuronScore[], onOff: [string, string] = ['mean on', 'mean off']): void {
  const head = el('tr');
  for (const h of ['rank', 'layer', 'state', 'unit', 'score', 'correlation', ...onOff]) el('th', '', h, head);
  const best = Math.max(1e-9, ...ranked.map((n) => Math.abs(n.score)));
  const rows = ranked.map((n, i) => {
    const row = el('tr');
    row.dataset.rank = String(i);
    const cells = [String(i + 1), String(n.layer), n.kind, String(n.index), fmt(n.score), fmt(n.correlation), fmt(n.meanOn), fmt(n.meanOff)];
    for (const c of cells) el('td', '', c, row);
    const bar = el('span', 'charrnn-bar');
    bar.style.width = `${(100 * Math.abs(n.score)) / best}%`;
    row.children[4].appendChild(bar);
    return row;
  });
  table.replaceChildren(el('thead'), el('tbody'));
  table.tHead!.appendChild(head);
  table.tBodies[0].append(...rows);
}

/** Calls `open(rank)` when a row is clicked, and marks that row. */
export function onRankedClick(table: HTMLTableElement, open: (rank: number) => void): void {
  table.addEventListener('click', (e) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('tr[data-rank]');
    if (!row) return;
    for (const r of table.querySelectorAll('tr.charrnn-open')) r.classList.remove('charrnn-open');
    row.classList.add('charrnn-open');
    open(Number(row.dataset.rank));
  });
}
