/**
 * Finding cells from text, LSTMVis-style but on the live model: select a range of a text and rank every cell by how
 * well its activation follows the selection's on/off pattern over the whole text (the point-biserial correlation,
 * see correlation.ts); then ask of one cell "where else does it fire?" over a longer text such as the validation
 * split, and read its top-activating passages in context.
 */
import { passagesBundle, type Passage } from '../display/passages';

export type { Passage } from '../display/passages';
import type { MimeBundle } from '../display/bundle';
import { selectionMask, type NeuronRef } from '@charrnn/schema';
import type { Engine, EngineChoice } from '../engine/contract';
import { CharRNNError } from '../errors';
import type { CharRNN } from '../model/charrnn';
import type { CharIds, Vocab } from '../text/vocab';
import { NeuronSearch, searchNeurons } from './neurons';
import { forwardInChunks, inspectText, type InspectOptions, type TextTrace } from './trace';

/** Ranks the cells of a trace by the point-biserial correlation of their activation with chars start..end-1 being selected. */
export function selectionSearch(trace: TextTrace, start: number, end: number): NeuronSearch {
  const T = trace.length;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= T)) {
    throw new CharRNNError(
      `the selection must be whole character positions with 0 <= start < end <= ${T}, got ${start} to ${end}`,
    );
  }
  if (end - start === T)
    throw new CharRNNError(
      'the selection covers the whole text: select part of it, so that cells can be on inside and off outside',
    );
  const shown = trace.chars.slice(start, end).join('');
  const name = `selection ${JSON.stringify(shown.length > 40 ? shown.slice(0, 40) + '…' : shown)} (chars ${start} to ${end - 1})`;
  return searchNeurons(trace, () => selectionMask(T, start, end), { name });
}

/**
 * Runs the model over `text` and ranks its cells (layer, h or c, unit) by how well they are on inside characters
 * start..end-1 (code points, end exclusive) and off around them. Display the result to see the ranking and open
 * a cell in the explorer.
 */
export function searchBySelection(
  model: CharRNN,
  vocab: Vocab,
  text: string,
  start: number,
  end: number,
  opts: InspectOptions = {},
): NeuronSearch {
  return selectionSearch(inspectText(model, vocab, text, opts), start, end);
}

export interface WhereElseOptions {
  /** Passages returned (default 10). */
  top?: number;
  /** Characters of context on each side of a passage's peak (default 40). */
  context?: number;
  /** Rank by the lowest activation instead of the highest (a cell that fires negative). */
  lowest?: boolean;
  /** Characters per forward pass (default 1000). */
  chunk?: number;
  /** The engine that runs the model: a choice (default 'auto', as chooseEngine decides) or an engine already chosen. */
  engine?: EngineChoice | Engine;
}

/** The top-activating passages of one cell over a text: see whereElse(). */
export class CellPassages {
  constructor(
    readonly cell: NeuronRef,
    /** Characters searched. */
    readonly searched: number,
    readonly lowest: boolean,
    /** Best first. */
    readonly passages: Passage[],
  ) {}

  toMimeBundle(): MimeBundle {
    return passagesBundle(this);
  }
}

/**
 * Where else does this cell fire? Runs the model over `text` (e.g. the validation split, as a string or as char ids
 * of `vocab`), keeping only this cell's value per character (h, or tanh(c) as the explorer shows it), and returns
 * its `top` highest (or lowest) peaks at least `context` characters apart, each with `context` characters around it.
 */
export function whereElse(
  model: CharRNN,
  vocab: Vocab,
  text: string | CharIds,
  cell: NeuronRef,
  opts: WhereElseOptions = {},
): CellPassages {
  const { top = 10, context = 40, lowest = false, chunk = 1000 } = opts;
  const { cell: type, hiddenSize: H, numLayers: L } = model.config;
  if (!(Number.isInteger(top) && top >= 1)) throw new CharRNNError(`top must be a whole number >= 1, got ${top}`);
  if (!(Number.isInteger(context) && context >= 0))
    throw new CharRNNError(`context must be a whole number >= 0, got ${context}`);
  if (!(Number.isInteger(chunk) && chunk >= 1))
    throw new CharRNNError(`chunk must be a whole number >= 1, got ${chunk}`);
  const { layer, kind, index } = cell ?? ({} as NeuronRef);
  if (!(
    Number.isInteger(layer) &&
    layer >= 0 &&
    layer < L &&
    Number.isInteger(index) &&
    index >= 0 &&
    index < H &&
    (kind === 'h' || (kind === 'c' && type === 'lstm'))
  )) {
    throw new CharRNNError(
      `no cell ${String(kind)}[${String(index)}] in layer ${String(layer)} (${L} layers of ${H}, ${type}; c only for lstm)`,
    );
  }
  const ids = typeof text === 'string' ? Int32Array.from(vocab.encode(text)) : Int32Array.from(text);
  if (ids.length === 0) throw new CharRNNError('the text to search is empty');
  if (ids.some((id) => id >= vocab.size))
    throw new CharRNNError(`the char ids are not of this vocabulary (${vocab.size} chars)`);
  const values = new Float32Array(ids.length);
  forwardInChunks(model, ids, chunk, opts.engine, (start, n, out) => {
    const m = (kind === 'c' ? out.activations!.c! : out.activations!.h)[layer].dataSync(); // [n, 1, H]
    for (let t = 0; t < n; t++) values[start + t] = kind === 'c' ? Math.tanh(m[t * H + index]) : m[t * H + index];
  });
  const sign = lowest ? -1 : 1;
  const order = Array.from(values.keys()).sort((a, b) => sign * (values[b] - values[a]) || a - b);
  const peaks: number[] = [];
  for (const t of order) {
    if (peaks.length === top) break;
    if (peaks.every((p) => Math.abs(p - t) > context)) peaks.push(t);
  }
  const passages = peaks.map((peak) => {
    const [from, to] = [Math.max(0, peak - context), Math.min(ids.length, peak + context + 1)];
    return {
      peak,
      value: values[peak],
      start: from,
      chars: Array.from(ids.subarray(from, to), (id) => vocab.chars[id]),
      values: values.slice(from, to),
    };
  });
  return new CellPassages({ layer, kind, index }, ids.length, lowest, passages);
}
