/**
 * Activation explorer: each character's background coloured by one cell's activation in [-1, 1], the model's
 * top-5 next-character guesses under it shaded by probability, a layer / h-vs-c / neuron picker (slider and
 * keyboard), hover details, a condensed mode, and a probe box that runs the model on the user's text in the kernel.
 *
 * Speed: the character elements are built once per view; a picker change only rewrites their background colours
 * from a 256-entry lookup table (no layout change). The text is split into lines (at newlines, or every
 * LINE_CHARS characters) with CSS `content-visibility: auto`, so the browser restyles and repaints only the lines
 * on screen: a picker change over 10,000 characters stays well within 100 ms.
 */
import { Widget } from '@lumino/widgets';
import type { ActivationsView, Int8Matrix, NeuronRef, ProbeReply, ProbeRequest } from '@charrnn/kernel';
import { int8ColorTable } from '@charrnn/kernel/dist/display/colors';
import type { CommChannel, KernelLink } from './comm';
import { el, input, labelled, visibleChar } from './dom';

const COLORS = int8ColorTable();

/** Longest run of characters kept in one line element. */
const LINE_CHARS = 80;

function decode(m: Int8Matrix): Int8Array {
  const bin = atob(m.int8);
  const bytes = new Int8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = (bin.charCodeAt(i) << 24) >> 24;
  return bytes;
}

/** Decoded [T, W] matrices of one layer; W = units.length when a saved bundle kept only some units. */
interface LayerValues {
  h: Int8Array;
  c?: Int8Array;
  units?: number[];
}

export class ActivationsWidget extends Widget {
  private view: ActivationsView | null = null;
  private values: LayerValues[] = [];
  private charEls: HTMLElement[] = [];
  private selected: NeuronRef = { layer: 0, kind: 'h', index: 0 };
  private comm: CommChannel | null = null;
  private requestId = 0;
  private pending = false;
  private readonly layer = el('select', 'charrnn-layer');
  private readonly kind = el('select', 'charrnn-kind');
  private readonly neuron = input('range', { min: 0, max: 0, step: 1, value: 0 });
  private readonly neuronNumber = input('number', { min: 0, step: 1, value: 0 });
  private readonly condensed = input('checkbox');
  private readonly info = el('div', 'charrnn-info');
  private readonly text = el('div', 'charrnn-text');
  private readonly probe = el('div', 'charrnn-probe');
  private readonly probeText = el('textarea', 'charrnn-probe-text');
  private readonly probeButton = el('button', 'charrnn-button', 'Run the model on this text');
  private readonly probeStatus = el('span', 'charrnn-probe-status');

  constructor(private readonly link: KernelLink | null) {
    super();
    this.addClass('charrnn-activations');
    const controls = el('div', 'charrnn-controls', undefined, this.node);
    labelled('layer', this.layer, controls);
    labelled('state', this.kind, controls);
    labelled('neuron', this.neuron, controls).after(this.neuronNumber);
    labelled('condensed', this.condensed, controls);
    this.info.textContent = 'hover a character for its values; ←/→ change the neuron';
    this.text.tabIndex = 0;
    this.node.append(this.info, this.text, this.probe);
    this.probeText.rows = 3;
    this.probeText.placeholder = 'type text to see how the model reads it';
    this.probe.append(this.probeText, this.probeButton, this.probeStatus);

    this.layer.addEventListener('change', () => this.pick({ ...this.selected, layer: Number(this.layer.value) }));
    this.kind.addEventListener('change', () => this.pick({ ...this.selected, kind: this.kind.value as 'h' | 'c' }));
    this.neuron.addEventListener('input', () => this.pick({ ...this.selected, index: Number(this.neuron.value) }));
    this.neuronNumber.addEventListener('change', () => this.pick({ ...this.selected, index: Number(this.neuronNumber.value) }));
    this.condensed.addEventListener('change', () => this.text.classList.toggle('charrnn-condensed', this.condensed.checked));
    this.text.addEventListener('keydown', (e) => this.onKey(e));
    this.text.addEventListener('mouseover', (e) => this.onHover(e));
    this.probeButton.addEventListener('click', () => this.sendProbe(this.probeText.value));
  }

  setView(view: ActivationsView): void {
    const commTarget = view.commTarget ?? this.view?.commTarget;
    this.view = { ...view, commTarget };
    this.values = view.layers.map((l) => ({ h: decode(l.h), c: l.c ? decode(l.c) : undefined, units: l.units }));
    this.layer.replaceChildren(...view.layers.map((l, i) => new Option(`${l.layer}`, String(i))));
    this.kind.replaceChildren(
      new Option('hidden state h', 'h'),
      ...(view.layers.some((l) => l.c) ? [new Option('cell state c', 'c')] : []),
    );
    this.neuron.max = this.neuronNumber.max = String(view.hiddenSize - 1);
    this.probe.hidden = !(commTarget && this.link);
    this.buildText(view);
    this.pick(view.selected ?? this.selected);
  }

  /** Shows one cell: the picker follows and the characters are recoloured. Clamped to what the view has. */
  select(ref: NeuronRef): void {
    this.pick(ref);
    this.text.focus();
  }

  /** Underlines the characters where a feature is on (value not 0), e.g. the one a neuron search ranked by. */
  markFeature(values: number[]): void {
    this.charEls.forEach((charEl, t) => charEl.classList.toggle('charrnn-feature', (values[t] ?? 0) !== 0));
  }

  private pick(ref: NeuronRef): void {
    if (!this.view) return;
    const layer = Math.max(0, Math.min(this.values.length - 1, Math.round(ref.layer) || 0));
    const kind = ref.kind === 'c' && this.values[layer]?.c ? 'c' : 'h';
    const index = Math.max(0, Math.min(this.view.hiddenSize - 1, Math.round(ref.index) || 0));
    this.selected = { layer, kind, index };
    this.layer.value = String(layer);
    this.kind.value = kind;
    this.neuron.value = this.neuronNumber.value = String(index);
    this.node.dataset.neuron = `${layer}/${kind}/${index}`;
    this.paint();
  }

  /** The selected cell's values per character: bytes[t * H + i] (value = byte / 127); null when not in the view. */
  private column(): { bytes: Int8Array; H: number; i: number } | null {
    const values = this.values[this.selected.layer];
    const bytes = this.selected.kind === 'c' ? values?.c : values?.h;
    if (!bytes || !this.view) return null;
    if (!values.units) return { bytes, H: this.view.hiddenSize, i: this.selected.index };
    const i = values.units.indexOf(this.selected.index);
    return i < 0 ? null : { bytes, H: values.units.length, i };
  }

  /** The hot path of a picker change: one background colour per character from the lookup table. */
  private paint(): void {
    const col = this.column();
    const chars = this.charEls;
    if (!col) {
      for (const charEl of chars) charEl.style.backgroundColor = '';
      this.missingCell();
      return;
    }
    const { bytes, H, i } = col;
    for (let t = 0; t < chars.length; t++) chars[t].style.backgroundColor = COLORS[bytes[t * H + i] + 128];
  }

  /**
   * A saved output keeps only the cells it shows: with the kernel that made it, the others come from the model
   * (the explorer's own text, probed); otherwise say so.
   */
  private missingCell(): void {
    const { layer, kind, index } = this.selected;
    if (!this.view?.commTarget || !this.link) {
      this.info.textContent = `layer ${layer} ${kind}[${index}] is not in this saved output (it keeps the cells it shows); re-run the cell to explore every cell`;
      return;
    }
    if (!this.pending) this.sendProbe(this.view.text.join(''));
  }

  private buildText(view: ActivationsView): void {
    const { k, chars, probs } = view.predictions;
    const frag = document.createDocumentFragment();
    let line = el('div', 'charrnn-line', undefined, frag);
    let inLine = 0;
    this.charEls = view.text.map((ch, t) => {
      if (inLine === LINE_CHARS) {
        line = el('div', 'charrnn-line', undefined, frag);
        inLine = 0;
      }
      inLine = ch === '\n' ? LINE_CHARS : inLine + 1; // a newline ends its line
      const cell = el('span', 'charrnn-cell', undefined, line);
      cell.dataset.t = String(t);
      const charEl = el('span', 'charrnn-char', visibleChar(ch), cell);
      const guesses = el('span', 'charrnn-guesses', undefined, cell);
      for (let j = 0; j < k; j++) {
        const p = probs[t * k + j] ?? 0;
        el('span', `charrnn-guess charrnn-p${Math.round(p * 10)}`, visibleChar(chars[t * k + j] ?? ''), guesses);
      }
      return charEl;
    });
    this.text.replaceChildren(frag);
  }

  private onKey(e: KeyboardEvent): void {
    const step = { ArrowRight: 1, ArrowLeft: -1, PageUp: 10, PageDown: -10 }[e.key];
    if (step === undefined) return;
    e.preventDefault();
    e.stopPropagation(); // the keys are ours here, not the notebook's
    this.pick({ ...this.selected, index: this.selected.index + step });
  }

  private onHover(e: MouseEvent): void {
    const cell = (e.target as HTMLElement).closest<HTMLElement>('.charrnn-cell');
    const col = this.column();
    if (!cell || !col || !this.view) return;
    const t = Number(cell.dataset.t);
    const { k, chars, probs, actual } = this.view.predictions;
    const value = col.bytes[t * col.H + col.i] / 127;
    const guesses = Array.from({ length: k }, (_, j) => `${JSON.stringify(chars[t * k + j])} ${probs[t * k + j]?.toFixed(3)}`);
    const next = actual?.[t] !== undefined ? `; p(actual next) ${actual[t].toFixed(3)}` : '';
    this.info.textContent = `char ${t} ${JSON.stringify(this.view.text[t])}: activation ${value.toFixed(3)}; next: ${guesses.join(', ')}${next}`;
  }

  private sendProbe(text: string): void {
    const target = this.view?.commTarget;
    if (!target || !this.link) return;
    this.comm ??= this.link.open(target, (reply: ProbeReply) => this.onProbeReply(reply), () => this.lostKernel());
    if (!this.comm) {
      this.probeStatus.textContent = 'no live kernel';
      return;
    }
    const request: ProbeRequest = { action: 'probe', requestId: ++this.requestId, text };
    this.probeStatus.textContent = 'running…';
    this.pending = true;
    this.comm.send(request);
  }

  /** The comm closed: a probe still waiting will get no answer (the kernel restarted or is another one). */
  private lostKernel(): void {
    this.comm = null;
    if (this.pending) this.probeStatus.textContent = 'the kernel that made this output is gone: re-run its cell to probe';
    this.pending = false;
  }

  private onProbeReply(reply: ProbeReply): void {
    if (reply.requestId !== this.requestId) return;
    this.pending = false;
    this.probeStatus.textContent = reply.error ?? '';
    if (reply.view) this.setView({ ...reply.view, selected: this.selected });
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.comm?.close();
    this.comm = null;
    super.dispose();
  }
}
