/** Bundle of the activation explorer: per-character cell values (int8-quantised) and top-k next-char guesses. */
import type { MimeBundle } from './bundle';
import { divergingColor } from './colors';
import { escapeHtml, makeBundle } from './fallback';
import type { ActivationsView, Int8Matrix, NeuronRef } from './schema';

/** Quantises row-major values in [-1, 1] (clamped) to int8 (round(v * 127)), base64-encoded. */
export function encodeInt8(values: ArrayLike<number>, rows: number, cols: number): Int8Matrix {
  if (values.length !== rows * cols) throw new Error(`encodeInt8: ${values.length} values for shape [${rows}, ${cols}]`);
  const bytes = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.round(Math.max(-1, Math.min(1, values[i])) * 127);
  return { shape: [rows, cols], int8: Buffer.from(bytes.buffer).toString('base64') };
}

/** The values of an Int8Matrix back as floats (value = byte / 127). */
export function decodeInt8(m: Int8Matrix): Float32Array {
  const buf = Buffer.from(m.int8, 'base64');
  const bytes = new Int8Array(buf.buffer, buf.byteOffset, buf.length);
  return Float32Array.from(bytes, (b) => b / 127);
}

/** The fallback colours at most this many characters (a whole 10,000-char view would be megabytes of spans). */
const FALLBACK_CHARS = 2000;

/** The cell the fallback colours by: the view's selection, or layer 0's first hidden unit. */
function fallbackNeuron(view: ActivationsView): NeuronRef {
  return view.selected ?? { layer: 0, kind: 'h', index: 0 };
}

/** Characters as HTML spans with the background colour of their value (exact value on hover); `mark` is outlined. */
export function coloredSpans(chars: string[], values: ArrayLike<number>, mark = -1): string {
  return chars
    .map((ch, t) => `<span style="background:${divergingColor(values[t])};color:#000${t === mark ? ';outline:2px solid #000' : ''}" title="${values[t].toFixed(2)}">${escapeHtml(ch)}</span>`)
    .join('');
}

export function activationsBundle(view: ActivationsView): MimeBundle {
  const sel = fallbackNeuron(view);
  const layer = view.layers.find((l) => l.layer === sel.layer) ?? view.layers[0];
  const matrix = sel.kind === 'c' && layer?.c ? layer.c : layer?.h;
  const shown = view.text.slice(0, FALLBACK_CHARS);
  let spans = '';
  if (matrix) {
    const values = decodeInt8(matrix);
    const H = matrix.shape[1];
    spans = coloredSpans(shown, shown.map((_, t) => values[t * H + sel.index]));
  } else {
    spans = escapeHtml(shown.join(''));
  }
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
  return makeBundle('activations', view, html, plain);
}
