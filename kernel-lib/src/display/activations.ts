/** Bundle of the activation explorer: per-character cell values (int8-quantised) and top-k next-char guesses. */
import {
  divergingColor,
  type ActivationLayer,
  type ActivationsView,
  type Int8Matrix,
  type NeuronRef,
} from '@charrnn/schema';
import type { MimeBundle } from './bundle';
import { escapeHtml, makeBundle } from './fallback';

/** Quantises row-major values in [-1, 1] (clamped) to int8 (round(v * 127)), base64-encoded. */
export function encodeInt8(values: ArrayLike<number>, rows: number, cols: number): Int8Matrix {
  if (values.length !== rows * cols)
    throw new Error(`encodeInt8: ${values.length} values for shape [${rows}, ${cols}]`);
  const bytes = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.round(Math.max(-1, Math.min(1, values[i])) * 127);
  return { shape: [rows, cols], int8: Buffer.from(bytes.buffer).toString('base64') };
}

function int8Bytes(m: Int8Matrix): Int8Array {
  const buf = Buffer.from(m.int8, 'base64');
  return new Int8Array(buf.buffer, buf.byteOffset, buf.length);
}

/** The values of an Int8Matrix back as floats (value = byte / 127). */
export function decodeInt8(m: Int8Matrix): Float32Array {
  return Float32Array.from(int8Bytes(m), (b) => b / 127);
}

/** The fallback colours at most this many characters (a whole 10,000-char view would be megabytes of spans). */
const FALLBACK_CHARS = 2000;

/** The cell the view shows first: its selection, or layer 0's first hidden unit. */
function shownCell(view: ActivationsView): NeuronRef {
  return view.selected ?? { layer: 0, kind: 'h', index: 0 };
}

/** Picks columns of a layer's matrix by unit; -1 marks a unit the matrix does not hold. */
function columns(layer: ActivationLayer, H: number, units: number[]): number[] {
  return units.map((u) => (layer.units ? layer.units.indexOf(u) : Number.isInteger(u) && u >= 0 && u < H ? u : -1));
}

/** The matrix with only these columns, [T, cols.length]. */
function pickColumns(m: Int8Matrix, cols: number[]): Int8Matrix {
  const [T, W] = m.shape;
  const bytes = int8Bytes(m);
  const out = new Int8Array(T * cols.length);
  for (let t = 0; t < T; t++) cols.forEach((col, j) => (out[t * cols.length + j] = bytes[t * W + col]));
  return { shape: [T, cols.length], int8: Buffer.from(out.buffer).toString('base64') };
}

/**
 * The view with only these cells' columns (h and c of a layer keep the same units). Saved bundles hold this: every
 * cell of a 3x512 LSTM over 1,300 chars is 5 MB of notebook, and the widget fetches the others from the live kernel.
 */
export function keepCells(view: ActivationsView, cells: NeuronRef[]): ActivationsView {
  const layers = view.layers.map((l): ActivationLayer => {
    const wanted = [...new Set(cells.filter((c) => c.layer === l.layer).map((c) => c.index))].sort((a, b) => a - b);
    const cols = columns(l, view.hiddenSize, wanted);
    const units = wanted.filter((_, i) => cols[i] >= 0);
    const kept = cols.filter((col) => col >= 0);
    return { layer: l.layer, h: pickColumns(l.h, kept), ...(l.c ? { c: pickColumns(l.c, kept) } : {}), units };
  });
  return { ...view, layers };
}

/** The saved form of a view: the cell it shows, nothing else (see keepCells). */
export function savedActivations(view: ActivationsView, more: NeuronRef[] = []): ActivationsView {
  return keepCells(view, [shownCell(view), ...more]);
}

/** Characters as HTML spans with the background colour of their value (exact value on hover); `mark` is outlined. */
export function coloredSpans(chars: string[], values: ArrayLike<number>, mark = -1): string {
  return chars
    .map(
      (ch, t) =>
        `<span style="background:${divergingColor(values[t])};color:#000${t === mark ? ';outline:2px solid #000' : ''}" title="${values[t].toFixed(2)}">${escapeHtml(ch)}</span>`,
    )
    .join('');
}

export function activationsBundle(view: ActivationsView): MimeBundle {
  const sel = shownCell(view);
  const saved = savedActivations(view);
  const layer = saved.layers.find((l) => l.layer === sel.layer);
  const matrix = sel.kind === 'c' ? layer?.c : layer?.h;
  const shown = view.text.slice(0, FALLBACK_CHARS);
  const spans = matrix?.shape[1] === 1 ? coloredSpans(shown, decodeInt8(matrix)) : escapeHtml(shown.join(''));
  const what = `layer ${sel.layer} ${sel.kind === 'c' ? 'cell state' : 'hidden state'} unit ${sel.index}`;
  const more = view.text.length > FALLBACK_CHARS ? ` (first ${FALLBACK_CHARS} of ${view.text.length} characters)` : '';
  const html = [
    `<b>charrnn activations</b>: ${view.cell}, ${view.layers.length} layer(s) of ${view.hiddenSize}; coloured by ${escapeHtml(what)}${more}, blue = -1, orange = +1`,
    `<pre style="white-space:pre-wrap">${spans}</pre>`,
  ].join('\n');
  const plain = [
    `charrnn activations: ${view.cell}, ${view.layers.length} layer(s) of ${view.hiddenSize}, ${view.text.length} characters (explore them in JupyterLab with the charrnn extension)`,
    shown.join(''),
  ].join('\n');
  return makeBundle('activations', saved, html, plain);
}
