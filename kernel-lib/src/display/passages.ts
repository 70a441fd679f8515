/**
 * "Where else does this cell fire?" (whereElse): one row per passage, its characters coloured by the cell as the
 * explorer colours them and the peak outlined. HTML and plain text only, so every front end shows it.
 */
import type { NeuronRef } from '@charrnn/schema';
import { coloredSpans } from './activations';
import type { MimeBundle } from './bundle';
import { escapeHtml } from './fallback';

/** One place where a cell fires: its peak character and the text around it. */
export interface Passage {
  /** Position of the peak in the searched text. */
  peak: number;
  /** The cell's value at the peak. */
  value: number;
  /** Position of the passage's first character. */
  start: number;
  /** The passage as code points. */
  chars: string[];
  /** The cell's value at each of them. */
  values: Float32Array;
}

/** What the rows show: the cell, the characters searched, and its passages best first. */
export interface PassagesView {
  cell: NeuronRef;
  searched: number;
  lowest: boolean;
  passages: Passage[];
}

export function passagesBundle(p: PassagesView): MimeBundle {
  const { layer, kind, index } = p.cell;
  const what = `layer ${layer} ${kind === 'c' ? 'cell state (tanh of c)' : 'hidden state'} unit ${index}`;
  const title = `Where ${what} fires: its ${p.passages.length} ${p.lowest ? 'lowest' : 'highest'} peaks in ${p.searched} characters`;
  const rows = p.passages.map(
    (x, i) =>
      `<tr><td>${i + 1}</td><td>${x.peak}</td><td>${x.value.toFixed(3)}</td>` +
      `<td style="text-align:left"><code style="white-space:pre">${coloredSpans(x.chars.map(shownChar), x.values, x.peak - x.start)}</code></td></tr>`,
  );
  const html =
    `<b>${escapeHtml(title)}</b> (blue = -1, orange = +1; the peak is outlined)` +
    `<table><thead><tr><th>rank</th><th>char</th><th>value</th><th>passage</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const plain = [
    title,
    ...p.passages.map((x, i) => `${i + 1}\tchar ${x.peak}\t${x.value.toFixed(3)}\t${x.chars.map(shownChar).join('')}`),
  ].join('\n');
  return { data: { 'text/html': `<div class="charrnn-fallback">${html}</div>`, 'text/plain': plain } };
}

/** Newlines and tabs as visible marks, so a passage stays on one row. */
function shownChar(ch: string): string {
  return ch === '\n' ? '↵' : ch === '\t' ? '⇥' : ch;
}
