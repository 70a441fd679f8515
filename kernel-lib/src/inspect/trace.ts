/**
 * Running a trained model over any text and keeping what happens inside, character by character: every layer's
 * hidden state h (and LSTM cell state c, gate activations), the top-k guesses for the next character with their
 * probabilities, and the surprise -ln p of the character that actually came next. The seed's "visualizing the
 * predictions and the neuron firings", as data.
 *
 * The text is read in chunks with the state carried across, so TF.js memory stays bounded by one chunk; what is
 * kept is plain Float32Arrays of T x H per layer.
 */
import { activationsBundle, encodeInt8 } from '../display/activations';
import type { MimeBundle } from '../display/bundle';
import { VIEW_VERSIONS, type ActivationsView, type NeuronRef } from '@charrnn/schema';
import { engineFor } from '../engine/choose';
import type { Engine, EngineChoice, ForwardResult } from '../engine/contract';
import { Passes, runPasses, runPassesAsync } from '../engine/passes';
import { CharRNNError } from '../errors';
import { CharRNN, RNNState, disposeState } from '../model/charrnn';
import { CellType, GATES } from '../model/config';
import { Vocab } from '../text/vocab';

export interface InspectOptions {
  /** Next-char guesses kept per position (default 5). */
  topK?: number;
  /** Characters per forward pass (default 1000). */
  chunk?: number;
  /** The engine that runs the model: a choice (default 'auto', as chooseEngine decides) or an engine already chosen. */
  engine?: EngineChoice | Engine;
}

/** One layer's activations, row-major over characters. */
export interface LayerTrace {
  /** Hidden state after each char: [T, H]. */
  h: Float32Array;
  /** LSTM cell state after each char: [T, H]. */
  c?: Float32Array;
  /** Gate activations after their sigmoid/tanh: [T, G*H], gate blocks in the engine's order (lstm i,f,g,o; gru r,z,n). */
  gates?: Float32Array;
}

/** The activations view shows at most this many chars, and at most VIEW_MAX_BYTES of int8 activations. */
export const VIEW_MAX_CHARS = 5000;
export const VIEW_MAX_BYTES = 4e6;

/** What a model did on a text: see inspectText(). */
export class TextTrace {
  constructor(
    /** The text as code points: [T]. */
    readonly chars: string[],
    readonly ids: Int32Array,
    readonly cell: CellType,
    readonly hiddenSize: number,
    /** Bottom layer first. */
    readonly layers: LayerTrace[],
    readonly k: number,
    /** Ids of the k most likely next chars after each char, most likely first: [T, k]. */
    readonly topIds: Int32Array,
    /** Their probabilities: [T, k]. */
    readonly topProbs: Float32Array,
    /** Probability given to the char that actually came next: [T], NaN for the last char. */
    readonly pNext: Float32Array,
    readonly vocab: Vocab,
  ) {}

  get length(): number {
    return this.chars.length;
  }

  /** -ln p of the char that actually came next: [T], NaN for the last char. */
  get surprise(): Float32Array {
    return this.pNext.map((p) => -Math.log(p));
  }

  /** Mean surprise over the T - 1 predicted chars: the model's loss on this text in nats per char. */
  get loss(): number {
    let sum = 0;
    for (let t = 0; t + 1 < this.length; t++) sum -= Math.log(this.pNext[t]);
    return this.length > 1 ? sum / (this.length - 1) : NaN;
  }

  /** The number of gate blocks per layer in `gates` (0 when the cell has none recorded). */
  get gateCount(): number {
    return this.layers[0]?.gates ? GATES[this.cell] : 0;
  }

  /** Activation of one cell over the text: [T]. */
  neuron(ref: NeuronRef): Float32Array {
    const layer = this.layers[ref.layer];
    const m = ref.kind === 'c' ? layer?.c : layer?.h;
    if (!m || !(ref.index >= 0 && ref.index < this.hiddenSize)) {
      throw new CharRNNError(
        `no cell ${ref.kind}[${ref.index}] in layer ${ref.layer} (${this.layers.length} layers of ${this.hiddenSize}, ${this.cell})`,
      );
    }
    const out = new Float32Array(this.length);
    for (let t = 0; t < this.length; t++) out[t] = m[t * this.hiddenSize + ref.index];
    return out;
  }

  /** Characters from..to-1 of this trace (the prediction after the last one kept). */
  slice(from: number, to = this.length): TextTrace {
    const [H, k] = [this.hiddenSize, this.k];
    const rows = <A extends Float32Array | Int32Array>(a: A, width: number) => a.slice(from * width, to * width) as A;
    const layers = this.layers.map((l) => ({
      h: rows(l.h, H),
      ...(l.c ? { c: rows(l.c, H) } : {}),
      ...(l.gates ? { gates: rows(l.gates, l.gates.length / this.length) } : {}),
    }));
    return new TextTrace(
      this.chars.slice(from, to),
      this.ids.slice(from, to),
      this.cell,
      H,
      layers,
      k,
      rows(this.topIds, k),
      rows(this.topProbs, k),
      this.pNext.slice(from, to),
      this.vocab,
    );
  }

  /** How many chars toView() keeps: its matrices take layers x (h, c) x H bytes per char. */
  get viewChars(): number {
    const perChar = this.layers.length * this.hiddenSize * (this.layers[0]?.c ? 2 : 1);
    return Math.min(this.length, VIEW_MAX_CHARS, Math.max(1, Math.floor(VIEW_MAX_BYTES / perChar)));
  }

  /**
   * The cell an explorer shows when none is asked for: the one whose value as the explorer colours it (h, or tanh of
   * c) varies most over the first viewChars chars, so the text opens in changing colours; a fixed first cell (layer
   * 0's h[0]) is as often one that barely moves. Ties go to the first cell, layer by layer, h before c.
   */
  get liveliestCell(): NeuronRef {
    const T = this.viewChars;
    const H = this.hiddenSize;
    let best: NeuronRef = { layer: 0, kind: 'h', index: 0 };
    let most = -1;
    this.layers.forEach((l, layer) => {
      for (const [kind, m, shown] of [
        ['h', l.h, (x: number) => x],
        ['c', l.c, Math.tanh],
      ] as const) {
        if (!m) continue;
        const [sum, sumSq] = [new Float64Array(H), new Float64Array(H)];
        for (let t = 0; t < T; t++) {
          for (let i = 0; i < H; i++) {
            const v = shown(m[t * H + i]);
            sum[i] += v;
            sumSq[i] += v * v;
          }
        }
        for (let i = 0; i < H; i++) {
          const variance = sumSq[i] / T - (sum[i] / T) ** 2;
          if (variance > most) [best, most] = [{ layer, kind, index: i }, variance];
        }
      }
    });
    return best;
  }

  /** The activation explorer's view of the first viewChars chars (slice() for others), showing `selected` first. */
  toView(selected: NeuronRef = this.liveliestCell): ActivationsView {
    const t = this.viewChars < this.length ? this.slice(0, this.viewChars) : this;
    const T = t.length;
    const actual = Array.from(t.pNext.subarray(0, Math.max(0, T - 1)), (p) => round3(p));
    return {
      version: VIEW_VERSIONS.activations,
      cell: t.cell,
      hiddenSize: t.hiddenSize,
      text: t.chars,
      layers: t.layers.map((l, i) => ({
        layer: i,
        h: encodeInt8(l.h, T, t.hiddenSize),
        ...(l.c ? { c: encodeInt8(l.c.map(Math.tanh), T, t.hiddenSize) } : {}),
      })),
      predictions: {
        k: t.k,
        chars: Array.from(t.topIds, (id) => t.vocab.chars[id]),
        probs: Array.from(t.topProbs, round3),
        actual,
      },
      selected,
    };
  }

  toMimeBundle(): MimeBundle {
    return activationsBundle(this.toView());
  }
}

/** x rounded to 3 decimals, as views carry probabilities and values. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Runs `model` over `text` (chars must be in `vocab`) from a zero state, `chunk` chars per forward pass with the
 * state carried, and records activations and predictions after every char.
 */
export function inspectText(model: CharRNN, vocab: Vocab, text: string, opts: InspectOptions = {}): TextTrace {
  const trace = recording(model, vocab, text, opts);
  forwardInChunks(model, trace.ids, trace.chunk, opts.engine, trace.record);
  return trace.done();
}

/**
 * inspectText on the GPU where the chosen engine runs inference there (WebGPU: `auto` on a hardware adapter, or
 * engine 'webgpu'), each chunk one command buffer; elsewhere the same as inspectText. The same trace to float tolerance.
 */
export async function inspectTextAsync(
  model: CharRNN,
  vocab: Vocab,
  text: string,
  opts: InspectOptions = {},
): Promise<TextTrace> {
  const engine = engineFor(model, opts.engine);
  const device = engine.device;
  if (!device) return inspectText(model, vocab, text, { ...opts, engine });
  const trace = recording(model, vocab, text, opts);
  await runPassesAsync(inChunks(model, trace.ids, trace.chunk, trace.record), (...args) =>
    device.forward(model, ...args, { collect: true }),
  );
  return trace.done();
}

/** What inspectText fills chunk by chunk: the options checked, the arrays, `record` for each chunk, `done` for the trace. */
function recording(model: CharRNN, vocab: Vocab, text: string, opts: InspectOptions) {
  const topK = opts.topK ?? 5;
  const chunk = opts.chunk ?? 1000;
  const { cell, hiddenSize: H, numLayers: L, vocabSize: V } = model.config;
  if (vocab.size !== V) throw new CharRNNError(`vocabulary has ${vocab.size} chars but the model expects ${V}`);
  if (!(Number.isInteger(topK) && topK >= 1 && topK <= V))
    throw new CharRNNError(`topK must be a whole number from 1 to ${V}, got ${topK}`);
  if (!(Number.isInteger(chunk) && chunk >= 1))
    throw new CharRNNError(`chunk must be a whole number >= 1, got ${chunk}`);
  const chars = Array.from(text);
  if (chars.length === 0) throw new CharRNNError('the text to inspect is empty');
  const ids = Int32Array.from(vocab.encode(text));
  const T = ids.length;
  const layers: LayerTrace[] = [];
  const topIds = new Int32Array(T * topK);
  const topProbs = new Float32Array(T * topK);
  const pNext = new Float32Array(T).fill(NaN);
  const record = (start: number, n: number, out: ForwardResult) => {
    const acts = out.activations!;
    for (let l = 0; l < L; l++) {
      const gw = acts.gates?.[l] ? acts.gates[l].shape[2] : 0; // G * H
      layers[l] ??= {
        h: new Float32Array(T * H),
        ...(acts.c ? { c: new Float32Array(T * H) } : {}),
        ...(gw ? { gates: new Float32Array(T * gw) } : {}),
      };
      layers[l].h.set(acts.h[l].dataSync(), start * H); // [n, 1, H] -> rows start..start+n-1
      layers[l].c?.set(acts.c![l].dataSync(), start * H);
      layers[l].gates?.set(acts.gates![l].dataSync(), start * gw);
    }
    readPredictions(out.logits.dataSync(), n, V, start, ids, topK, topIds, topProbs, pNext);
  };
  const done = () => new TextTrace(chars, ids, cell, H, layers, topK, topIds, topProbs, pNext, vocab);
  return { ids, chunk, record, done };
}

/**
 * Runs `model` over `ids` from a zero state, `chunk` chars per forward pass with the state carried, collecting
 * activations; `onChunk` reads chars start..start+n-1 of them, and everything is disposed after it returns.
 */
export function forwardInChunks(
  model: CharRNN,
  ids: Int32Array,
  chunk: number,
  engine: EngineChoice | Engine | undefined,
  onChunk: (start: number, n: number, out: ForwardResult) => void,
): void {
  const { forward } = engineFor(model, engine);
  runPasses(inChunks(model, ids, chunk, onChunk), (...args) => forward(model, ...args, { collect: true }));
}

/**
 * The chunk loop, whatever runs the forward passes (../engine/passes.ts), B = 1: each pass's result goes to
 * `onChunk` and is then disposed.
 */
function* inChunks(
  model: CharRNN,
  ids: Int32Array,
  chunk: number,
  onChunk: (start: number, n: number, out: ForwardResult) => void,
): Passes<void> {
  let state: RNNState = model.zeroState(1);
  try {
    for (let start = 0; start < ids.length; start += chunk) {
      const n = Math.min(chunk, ids.length - start);
      const out = yield [ids.subarray(start, start + n), n, 1, state];
      disposeState(state);
      state = out.state;
      try {
        onChunk(start, n, out);
      } finally {
        out.logits.dispose();
        const acts = out.activations!;
        for (const list of [acts.h, acts.c ?? [], acts.gates ?? []]) for (const t of list) t.dispose();
      }
    }
  } finally {
    disposeState(state);
  }
}

/** Softmax of each logits row [n, V] of chars start..start+n-1: top-k guesses and p(actual next char). */
function readPredictions(
  logits: ArrayLike<number>,
  n: number,
  V: number,
  start: number,
  ids: Int32Array,
  k: number,
  topIds: Int32Array,
  topProbs: Float32Array,
  pNext: Float32Array,
): void {
  const probs = new Float64Array(V);
  const order = new Int32Array(V);
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[r * V + v]);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += probs[v] = Math.exp(logits[r * V + v] - max);
    for (let v = 0; v < V; v++) probs[v] /= sum;
    const t = start + r;
    if (t + 1 < ids.length) pNext[t] = probs[ids[t + 1]];
    for (let v = 0; v < V; v++) order[v] = v;
    order.sort((a, b) => probs[b] - probs[a] || a - b);
    for (let j = 0; j < k; j++) {
      topIds[t * k + j] = order[j];
      topProbs[t * k + j] = probs[order[j]];
    }
  }
}
