/**
 * Activation explorer: each character's background coloured by one cell's activation in [-1, 1] (or by the model's
 * surprise at it), the model's top-5 next-character guesses stacked under it as in the post's figure (shaded by
 * probability, the character that actually came next in bold), a layer / h-vs-c / neuron picker (slider and
 * keyboard), hover details in a tooltip at the pointer, a condensed mode, a probe box that runs the model on the
 * user's text in the kernel (in an exported page, in the browser), and select-to-search: select text with the mouse
 * and the cells that are on inside the selection and off around it are ranked (by the kernel over every cell, or
 * here over the activations saved in the output), click one to show it; and, with a kernel given a longer text (the
 * validation split), "where else does this cell fire?".
 *
 * Speed: the character elements are built once per view; a picker change only rewrites their background colours
 * from a 256-entry lookup table (no layout change). The text is split into lines (at newlines, or every
 * LINE_CHARS characters) with CSS `content-visibility: auto`, so the browser restyles and repaints only the lines
 * on screen: a picker change over 10,000 characters stays well within 100 ms.
 */
import { Widget } from '@lumino/widgets';
import {
  int8ColorTable,
  surpriseColor,
  SURPRISE_MAX,
  type ActivationsView,
  type Int8Matrix,
  type NeuronRef,
  type NeuronScore,
  type PassageView,
  type ProbeReply,
  type ProbeRequest,
  type SearchReply,
  type SearchRequest,
  type WhereElseReply,
  type WhereElseRequest,
} from '@charrnn/schema';
// The library's own selection search, shared through @charrnn/schema, so a saved output ranks cells as the kernel does.
import { cellCorrelations, selectionMask } from '@charrnn/schema';
import { modelRuns, type CommChannel, type KernelLink } from './comm';
import { el, guessChar, input, labelled, visibleChar } from './dom';
import { RankedTable } from './ranked';
import { PointerTip } from './tip';

const COLORS = int8ColorTable();

/** Longest run of characters kept in one line element. */
const LINE_CHARS = 80;

/** Cells listed for a selection. */
const TOP_MATCHES = 20;

/** The line above the text while it shows the chosen cell. */
const HINT = 'hover a character for its values; ←/→ change the neuron; select text to find the cells that follow it';

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
  private readonly tip = new PointerTip(this.node);
  private readonly text = el('div', 'charrnn-text');
  private readonly probe = el('div', 'charrnn-probe');
  private readonly probeText = el('textarea', 'charrnn-probe-text');
  private readonly probeButton = el('button', 'charrnn-button', 'Run the model on this text');
  private readonly probeStatus = el('span', 'charrnn-probe-status');
  private readonly bySurprise = input('checkbox');
  private readonly legend = el('div', 'charrnn-legend');
  private readonly matches = el('div', 'charrnn-matches');
  private readonly matchesTitle = el('div', 'charrnn-title');
  private readonly matchesNote = el('div', 'charrnn-message');
  private readonly matchesTable = new RankedTable((rank) => this.ranked[rank] && this.select(this.ranked[rank]), true);
  /** The selected characters start..end-1 whose cells `ranked` lists. */
  private selection: { start: number; end: number } | null = null;
  private ranked: NeuronScore[] = [];
  private probeId = 0;
  private searchId = 0;
  private searching = false;
  private readonly elsewhere = el('div', 'charrnn-elsewhere');
  private readonly elsewhereButton = el('button', 'charrnn-button');
  private readonly elsewhereNote = el('div', 'charrnn-message');
  private readonly passages = el('div', 'charrnn-passages');
  /** The cell the last "where else" asked about, while its answer is awaited or shown. */
  private elsewhereCell: NeuronRef | null = null;
  private elsewhereId = 0;

  constructor(private readonly link: KernelLink | null) {
    super();
    this.addClass('charrnn-activations');
    const controls = el('div', 'charrnn-controls', undefined, this.node);
    labelled('layer', this.layer, controls);
    labelled('state', this.kind, controls);
    labelled('neuron', this.neuron, controls).after(this.neuronNumber);
    labelled('condensed', this.condensed, controls);
    labelled('colour by surprise', this.bySurprise, controls);
    this.info.textContent = HINT;
    this.text.tabIndex = 0;
    this.matches.hidden = true;
    this.matches.append(this.matchesTitle, this.matchesNote, this.matchesTable.node);
    this.elsewhere.append(this.elsewhereButton, this.elsewhereNote, this.passages);
    this.node.append(this.legend, this.info, this.text, this.matches, this.elsewhere, this.probe);
    this.probeText.rows = 3;
    this.probeText.placeholder = 'type text to see how the model reads it';
    this.probe.append(this.probeText, this.probeButton, this.probeStatus);

    this.layer.addEventListener('change', () => this.pick({ ...this.selected, layer: Number(this.layer.value) }));
    this.kind.addEventListener('change', () => this.pick({ ...this.selected, kind: this.kind.value as 'h' | 'c' }));
    this.neuron.addEventListener('input', () => this.pick({ ...this.selected, index: Number(this.neuron.value) }));
    this.neuronNumber.addEventListener('change', () =>
      this.pick({ ...this.selected, index: Number(this.neuronNumber.value) }),
    );
    this.neuronNumber.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.pick({ ...this.selected, index: Number(this.neuronNumber.value) });
    });
    this.condensed.addEventListener('change', () =>
      this.text.classList.toggle('charrnn-condensed', this.condensed.checked),
    );
    this.bySurprise.addEventListener('change', () => this.paint());
    this.node.addEventListener('keydown', (e) => this.onKey(e));
    this.text.addEventListener('mousemove', (e) => this.onHover(e));
    this.text.addEventListener('mouseleave', () => this.tip.hide());
    this.text.addEventListener('scroll', () => this.tip.hide()); // the characters move away from under the pointer
    this.text.addEventListener('mouseup', () => this.onSelect());
    this.probeButton.addEventListener('click', () => this.sendProbe(this.probeText.value));
    this.elsewhereButton.addEventListener('click', () => this.askWhereElse());
  }

  setView(view: ActivationsView): void {
    const sameText = this.view?.text.join('') === view.text.join('');
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
    this.elsewhere.hidden = !(commTarget && this.link && view.whereElseChars);
    this.elsewhereButton.textContent = `Where else does this cell fire? (in ${view.whereElseChars} characters)`;
    this.buildText(view);
    if (sameText && this.selection) this.markSelection(this.selection);
    else this.clearSearch();
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
    if (this.bySurprise.checked) {
      this.paintSurprise();
      return;
    }
    // the same text for every cell, written only when it changes: a write on each pick would cost the hot path a layout
    const legend = "colour: the chosen cell's value, blue = -1, white = 0, orange = +1";
    if (this.legend.textContent !== legend) this.legend.textContent = legend;
    const col = this.column();
    const chars = this.charEls;
    if (!col) {
      for (const charEl of chars) charEl.style.backgroundColor = '';
      this.missingCell();
      return;
    }
    if (this.info.textContent !== HINT) this.info.textContent = HINT;
    const { bytes, H, i } = col;
    for (let t = 0; t < chars.length; t++) chars[t].style.backgroundColor = COLORS[bytes[t * H + i] + 128];
  }

  /** Each character coloured by the model's surprise at seeing it: -ln p(char | the text before it). */
  private paintSurprise(): void {
    const actual = this.view?.predictions.actual ?? [];
    this.legend.textContent = `colour: surprise -ln p of each character given the text before it, white = 0 (expected) to red = ${SURPRISE_MAX} nats or more; grey = no prediction`;
    this.charEls.forEach(
      (charEl, t) =>
        (charEl.style.backgroundColor = surpriseColor(
          t > 0 && actual[t - 1] !== undefined ? -Math.log(actual[t - 1]) : NaN,
        )),
    );
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

  /**
   * One column per character as in the post's figure: the character, then its k guesses for the next character
   * stacked below it, most likely first, each shaded by its probability; the guess that matches the character
   * that actually came next is bold and underlined. Each line starts with the rows' labels.
   */
  private buildText(view: ActivationsView): void {
    const { k, chars, probs } = view.predictions;
    const frag = document.createDocumentFragment();
    const newLine = (): HTMLElement => {
      const line = el('div', 'charrnn-line', undefined, frag);
      const label = el('span', 'charrnn-rowlabel', undefined, line);
      el('span', 'charrnn-rowlabel-text', 'text', label);
      el('span', 'charrnn-rowlabel-guesses', `top ${k} guesses`, label);
      return line;
    };
    let line = newLine();
    let inLine = 0;
    this.charEls = view.text.map((ch, t) => {
      if (inLine === LINE_CHARS) {
        line = newLine();
        inLine = 0;
      }
      inLine = ch === '\n' ? LINE_CHARS : inLine + 1; // a newline ends its line
      const cell = el('span', 'charrnn-cell', undefined, line);
      cell.dataset.t = String(t);
      const charEl = el('span', 'charrnn-char', visibleChar(ch), cell);
      const guesses = el('span', 'charrnn-guesses', undefined, cell);
      const next = view.text[t + 1];
      for (let j = 0; j < k; j++) {
        const p = probs[t * k + j] ?? 0;
        const guess = chars[t * k + j] ?? '';
        el(
          'span',
          `charrnn-guess charrnn-p${Math.round(p * 10)}${guess === next ? ' charrnn-actual' : ''}`,
          guessChar(guess),
          guesses,
        );
      }
      return charEl;
    });
    this.text.replaceChildren(frag);
  }

  /** ←/→ and PageUp/PageDown change the neuron, anywhere in the widget but in a control with keys of its own. */
  private onKey(e: KeyboardEvent): void {
    const step = { ArrowRight: 1, ArrowLeft: -1, PageUp: 10, PageDown: -10 }[e.key];
    if (step === undefined || (e.target as HTMLElement).closest('input, select, textarea, button')) return;
    e.preventDefault();
    e.stopPropagation(); // the keys are ours here, not the notebook's
    this.pick({ ...this.selected, index: this.selected.index + step });
  }

  /** The tooltip at the pointer: the character under it, the chosen cell's value there and the guesses after it. */
  private onHover(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const cell = target.closest<HTMLElement>('.charrnn-cell');
    if (!cell || !this.view) {
      this.tip.hide();
      return;
    }
    const t = Number(cell.dataset.t);
    const j = target.classList.contains('charrnn-guess')
      ? Array.prototype.indexOf.call(target.parentElement!.children, target)
      : -1;
    this.tip.show(this.describe(t, j), e);
  }

  /** What the tooltip says about char t, and about its j-th guess when the pointer is on one (j >= 0). */
  private describe(t: number, j: number): string {
    const view = this.view!;
    const { k, chars, probs, actual } = view.predictions;
    const { layer, kind, index } = this.selected;
    const col = this.column();
    const value = col ? (col.bytes[t * col.H + col.i] / 127).toFixed(3) : 'not in this saved output';
    const guess = (g: number) => `${JSON.stringify(chars[t * k + g])} ${probs[t * k + g]?.toFixed(3)}`;
    const cell = kind === 'c' ? `tanh c[${index}]` : `h[${index}]`;
    const lines = [`char ${t} ${JSON.stringify(view.text[t])}: layer ${layer} ${cell} = ${value}`];
    if (j >= 0) {
      const cameNext = chars[t * k + j] === view.text[t + 1] ? ', the character that came next' : '';
      lines.push(`guess ${j + 1}: ${JSON.stringify(chars[t * k + j])}, p = ${probs[t * k + j]?.toFixed(3)}${cameNext}`);
    }
    lines.push(`top ${k} guesses for the next character: ${Array.from({ length: k }, (_, g) => guess(g)).join(', ')}`);
    if (actual?.[t] !== undefined)
      lines.push(`came next: ${JSON.stringify(view.text[t + 1])}, p = ${actual[t].toFixed(3)}`);
    return lines.join('\n');
  }

  /** The comm to the kernel that made this output, opened on first use; null when there is none. */
  private channel(): CommChannel | null {
    const target = this.view?.commTarget;
    if (!target || !this.link) return null;
    this.comm ??= this.link.open(
      target,
      (reply: ProbeReply | SearchReply | WhereElseReply) => {
        if (reply.requestId === this.searchId) this.onSearchReply(reply as SearchReply);
        else if (reply.requestId === this.elsewhereId) this.onWhereElseReply(reply as WhereElseReply);
        else this.onProbeReply(reply as ProbeReply);
      },
      () => this.lostKernel(),
    );
    return this.comm;
  }

  private sendProbe(text: string): void {
    if (!this.view?.commTarget || !this.link) return;
    const comm = this.channel();
    if (!comm) {
      this.probeStatus.textContent = 'no live kernel';
      return;
    }
    const request: ProbeRequest = { action: 'probe', requestId: (this.probeId = ++this.requestId), text };
    this.probeStatus.textContent = 'running…';
    this.pending = true;
    comm.send(request);
  }

  /** The comm closed: a probe still waiting will get no answer (the kernel restarted or is another one). */
  private lostKernel(): void {
    this.comm = null;
    if (this.pending)
      this.probeStatus.textContent = 'the kernel that made this output is gone: re-run its cell to probe';
    this.pending = false;
    if (this.searching && this.selection) this.searchSaved(this.selection, 'the kernel that made this output is gone');
    if (this.elsewhereCell && !this.passages.hasChildNodes())
      this.elsewhereNote.textContent = 'the kernel that made this output is gone: re-run its cell';
  }

  private onProbeReply(reply: ProbeReply): void {
    if (reply.requestId !== this.probeId) return;
    this.pending = false;
    this.probeStatus.textContent = reply.error ?? '';
    if (reply.view) this.setView({ ...reply.view, selected: this.selected });
  }

  /** The text selected with the mouse, as character positions start..end-1; searched when it holds a character. */
  private onSelect(): void {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return;
    const range = sel.getRangeAt(0);
    let [start, end] = [-1, -1];
    this.charEls.forEach((charEl, t) => {
      // A range that only touches a character (starts right after it, ends right before it) does not hold it.
      const text = charEl.firstChild;
      const touches =
        (text === range.startContainer && range.startOffset === text.textContent?.length) ||
        (text === range.endContainer && range.endOffset === 0);
      if (!touches && range.intersectsNode(charEl)) {
        if (start < 0) start = t;
        end = t + 1;
      }
    });
    if (start >= 0) this.searchSelection(start, end);
  }

  /**
   * Ranks the cells by how well they follow the selection (on inside, off outside): in the kernel over every cell
   * when it runs, else over the activations saved in this output.
   */
  searchSelection(start: number, end: number): void {
    if (!this.view) return;
    const T = this.view.text.length;
    [start, end] = [Math.max(0, Math.min(T, start)), Math.max(0, Math.min(T, end))];
    if (end <= start) return;
    const selection = { start, end };
    this.markSelection(selection);
    this.matches.hidden = false;
    const shown = this.view.text.slice(start, end).join('');
    this.matchesTitle.textContent = `Cells that follow the selection ${JSON.stringify(shown)} (chars ${start} to ${end - 1})`;
    this.showMatches([], '');
    if (end - start === T) {
      this.matchesNote.textContent =
        'the selection is the whole text: select part of it, so that a cell can be on inside and off outside';
      return;
    }
    const comm = this.channel();
    if (!comm) {
      this.searchSaved(selection, 'no live kernel');
      return;
    }
    const request: SearchRequest = {
      action: 'search',
      requestId: (this.searchId = ++this.requestId),
      text: this.view.text.join(''),
      start,
      end,
      top: TOP_MATCHES,
    };
    this.searching = true;
    this.matchesNote.textContent = `ranking every cell ${modelRuns(this.link)}…`;
    comm.send(request);
  }

  private onSearchReply(reply: SearchReply): void {
    if (reply.requestId !== this.searchId) return;
    this.searching = false;
    if (reply.error) this.showMatches([], reply.error);
    else this.showMatches(reply.ranked ?? [], `${reply.metric}; every cell, ranked ${modelRuns(this.link)}`);
  }

  /** The search without a kernel: the point-biserial correlation over the 8-bit activations saved in the view. */
  private searchSaved({ start, end }: { start: number; end: number }, why: string): void {
    this.searching = false;
    const view = this.view!;
    const T = view.text.length;
    const mask = selectionMask(T, start, end);
    const ranked: NeuronScore[] = [];
    this.values.forEach((v, l) => {
      for (const kind of ['h', 'c'] as const) {
        const m = v[kind];
        if (!m) continue;
        const { r, meanOn, meanOff } = cellCorrelations(m, T, v.units?.length ?? view.hiddenSize, mask, 1 / 127);
        r.forEach((ri, i) =>
          ranked.push({
            layer: l,
            kind,
            index: v.units?.[i] ?? i,
            score: Math.abs(ri),
            correlation: ri,
            meanOn: meanOn[i],
            meanOff: meanOff[i],
          }),
        );
      }
    });
    ranked.sort((a, b) => b.score - a.score);
    const all = view.layers.length * view.hiddenSize * (view.layers.some((l) => l.c) ? 2 : 1);
    const where =
      ranked.length < all
        ? `${why}: this saved output keeps only ${ranked.length} of the model's ${all} cells, so only those are ranked; the search over every cell needs the live kernel (re-run the cell)`
        : `${why}: ranked from the 8-bit activations saved in this output (the live kernel ranks at full precision)`;
    this.showMatches(
      ranked.slice(0, TOP_MATCHES),
      `|point-biserial correlation| of activation with the selection over the ${T} characters shown; ${where}`,
    );
  }

  private showMatches(ranked: NeuronScore[], note: string): void {
    this.ranked = ranked;
    this.matchesNote.textContent =
      note && ranked.length ? `${note}. Click a row to colour the text by that cell.` : note;
    this.matchesTable.fill(ranked);
  }

  /** Asks the kernel for the selected cell's top passages in the explorer's longer text. */
  private askWhereElse(): void {
    const comm = this.channel();
    this.passages.replaceChildren();
    if (!comm) {
      this.elsewhereNote.textContent = 'no live kernel: re-run the cell';
      return;
    }
    const cell = (this.elsewhereCell = { ...this.selected });
    const request: WhereElseRequest = {
      action: 'whereElse',
      requestId: (this.elsewhereId = ++this.requestId),
      cell,
      top: 5,
    };
    this.elsewhereNote.textContent = `looking for layer ${cell.layer} ${cell.kind}[${cell.index}] in ${this.view?.whereElseChars} characters…`;
    comm.send(request);
  }

  /** One row per passage: where its peak is, its value, and the passage coloured by the cell with the peak outlined. */
  private onWhereElseReply(reply: WhereElseReply): void {
    if (reply.requestId !== this.elsewhereId || !this.elsewhereCell) return;
    const { layer, kind, index } = this.elsewhereCell;
    if (reply.error) {
      this.elsewhereNote.textContent = reply.error;
      return;
    }
    const passages = reply.passages ?? [];
    this.elsewhereNote.textContent = `layer ${layer} ${kind}[${index}${kind === 'c' ? ', tanh' : ''}]: its ${passages.length} highest peaks in ${reply.searched} characters (the peak outlined)`;
    this.passages.replaceChildren(...passages.map((p) => this.passageRow(p)));
  }

  private passageRow(p: PassageView): HTMLElement {
    const row = el('div', 'charrnn-passage');
    el('span', 'charrnn-passage-at', `char ${p.peak}: ${p.value.toFixed(3)}`, row);
    const chars = el('span', 'charrnn-passage-text', undefined, row);
    p.chars.forEach((ch, i) => {
      const charEl = el('span', `charrnn-char${p.start + i === p.peak ? ' charrnn-peak' : ''}`, visibleChar(ch), chars);
      charEl.style.backgroundColor = COLORS[Math.round(Math.max(-1, Math.min(1, p.values[i] ?? 0)) * 127) + 128];
    });
    return row;
  }

  private markSelection(selection: { start: number; end: number }): void {
    this.selection = selection;
    this.charEls.forEach((charEl, t) =>
      charEl.classList.toggle('charrnn-selected', t >= selection.start && t < selection.end),
    );
  }

  private clearSearch(): void {
    this.selection = null;
    this.searching = false;
    this.matches.hidden = true;
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.comm?.close();
    this.comm = null;
    super.dispose();
  }
}
