/**
 * Sampler: temperature, prime, length, seed, top-k and beam. While the kernel is live each change streams a new
 * sample through the comm (with beam search: the best continuation, and every kept one below it); without a kernel
 * the slider snaps to the temperatures of the samples recorded at display time.
 */
import { Widget } from '@lumino/widgets';
import {
  DEFAULT_SAMPLING,
  SAMPLER_LIMITS,
  type SamplerReply,
  type SamplerRequest,
  type SamplerView,
} from '@charrnn/schema';
import { modelRuns, type CommChannel, type KernelLink } from './comm';
import { el, input, labelled } from './dom';

/** Wait this long after the last control change before asking the kernel (the slider fires many events). */
const DEBOUNCE_MS = 120;

export class SamplerWidget extends Widget {
  private view: SamplerView | null = null;
  private comm: CommChannel | null = null;
  private target: string | undefined;
  private requestId = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly mode = el('div', 'charrnn-mode');
  private readonly temperature = input('range', {
    ...SAMPLER_LIMITS.temperature,
    step: 0.05,
    value: DEFAULT_SAMPLING.temperature,
  });
  private readonly temperatureValue = el('span', 'charrnn-value');
  private readonly prime = input('text', { size: 24 });
  private readonly dropUnknown = input('checkbox', { title: 'leave out prime characters the model does not know' });
  private readonly length = input('number', { ...SAMPLER_LIMITS.length, step: 1 });
  private readonly seed = input('number', { ...SAMPLER_LIMITS.seed, step: 1 });
  private readonly topK = input('number', { min: 0, step: 1, title: '0 = all characters' });
  private readonly beam = input('number', {
    ...SAMPLER_LIMITS.beam,
    step: 1,
    title: '0 = draw at random; K = beam search: the K most likely continuations',
  });
  /** Says which sample the output shows (recorded at which temperature, or drawn how). */
  private readonly shown = el('div', 'charrnn-shown');
  private readonly output = el('pre', 'charrnn-sample');
  private readonly beams = el('ol', 'charrnn-beams');
  private readonly error = el('div', 'charrnn-error');
  private readonly grid = el('div', 'charrnn-grid');

  constructor(private readonly link: KernelLink | null) {
    super();
    this.addClass('charrnn-sampler');
    this.node.appendChild(this.mode);
    const controls = el('div', 'charrnn-controls', undefined, this.node);
    labelled('temperature', this.temperature, controls).after(this.temperatureValue);
    labelled('prime', this.prime, controls);
    labelled('drop unknown characters', this.dropUnknown, controls);
    labelled('length', this.length, controls);
    labelled('seed', this.seed, controls);
    labelled('top-k', this.topK, controls);
    labelled('beam', this.beam, controls);
    this.node.append(this.error, this.shown, this.output, this.beams);
    const recorded = el('details', 'charrnn-recorded', undefined, this.node);
    el('summary', '', 'samples recorded at display time', recorded);
    recorded.appendChild(this.grid);
    for (const c of this.inputs) c.addEventListener('input', () => this.changed());
  }

  /** The settings only a live kernel can act on (the slider also works offline). */
  private get inputs(): HTMLInputElement[] {
    return [this.temperature, this.prime, this.dropUnknown, this.length, this.seed, this.topK, this.beam];
  }

  setView(view: SamplerView): void {
    const first = this.view === null;
    this.view = view;
    if (first) {
      const d = view.defaults;
      this.temperature.value = String(d.temperature);
      this.prime.value = d.prime;
      this.length.value = String(d.length);
      this.seed.value = String(d.seed);
      this.topK.value = String(d.topK);
      this.beam.value = String(d.beam ?? 0);
    }
    // The slider reaches every recorded temperature, also one outside the usual range.
    const recorded = view.grid.map((s) => s.temperature);
    this.temperature.min = String(Math.min(SAMPLER_LIMITS.temperature.min, ...recorded));
    this.temperature.max = String(Math.max(SAMPLER_LIMITS.temperature.max, ...recorded));
    this.grid.replaceChildren(
      ...view.grid.map((s) => {
        const row = el('div', 'charrnn-grid-row');
        el('span', 'charrnn-grid-t', `T = ${s.temperature}`, row);
        el('pre', 'charrnn-sample', s.text, row);
        return row;
      }),
    );
    if (first || view.commTarget !== this.target) this.connect(view.commTarget);
    this.setMode();
    this.showRecorded();
  }

  /** (Re)opens the comm to the kernel's sampler, if there is one. */
  private connect(target: string | undefined): void {
    this.closeComm();
    this.target = target;
    if (!target || !this.link) return;
    const comm = this.link.open(
      target,
      (data: SamplerReply) => this.onReply(data),
      () => {
        if (this.comm === comm) this.offline();
      },
    );
    this.comm = comm;
  }

  /** Whether samples come from the kernel now. */
  get live(): boolean {
    return this.comm !== null;
  }

  private setMode(): void {
    this.mode.textContent = this.live
      ? `live: samples are drawn ${modelRuns(this.link)} as you change the settings`
      : 'recorded: no live kernel, the slider moves between the temperatures of the samples saved with this output';
    this.mode.dataset.live = String(this.live);
    for (const c of this.inputs) c.disabled = c !== this.temperature && !this.live;
    // Offline the slider stops only at the recorded temperatures (see showRecorded), whatever their step.
    this.temperature.step = this.live ? '0.05' : 'any';
    this.seed.disabled ||= Number(this.beam.value) > 0; // beam search draws nothing at random
  }

  /** The request as typed; the kernel checks the numbers and answers a bad one with an error line. */
  private request(): void {
    const number = (box: HTMLInputElement) => (box.value.trim() === '' ? NaN : Number(box.value));
    const request: SamplerRequest = {
      action: 'sample',
      requestId: ++this.requestId,
      prime: this.prime.value,
      dropUnknown: this.dropUnknown.checked,
      length: number(this.length),
      temperature: Number(this.temperature.value),
      seed: number(this.seed),
      topK: number(this.topK),
      beam: number(this.beam),
    };
    const beam = request.beam ?? 0;
    this.shown.textContent =
      beam > 0
        ? `beam search keeping ${beam}: the most likely continuation at temperature ${request.temperature.toFixed(2)}`
        : `sampled at temperature ${request.temperature.toFixed(2)}`;
    this.output.textContent = '';
    this.beams.replaceChildren();
    this.error.textContent = '';
    this.output.dataset.done = 'false';
    this.comm?.send(request);
  }

  private changed(): void {
    this.temperatureValue.textContent = Number(this.temperature.value).toFixed(2);
    this.setMode();
    if (!this.live) {
      this.showRecorded();
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.request(), DEBOUNCE_MS);
  }

  private onReply(reply: SamplerReply): void {
    if (reply.requestId !== this.requestId) return; // a stream superseded by a newer request
    if (reply.error) this.error.textContent = reply.error;
    this.output.textContent += reply.chunk ?? '';
    this.beams.replaceChildren(
      ...(reply.beams ?? []).map((b) => {
        const item = el('li', 'charrnn-beam');
        el('span', 'charrnn-beam-logp', `log p = ${b.logProb.toFixed(2)}`, item);
        el('pre', 'charrnn-sample', b.text, item);
        return item;
      }),
    );
    if (reply.done) this.output.dataset.done = 'true';
  }

  /**
   * The recorded sample whose temperature is nearest the slider: offline, and live until the first request. Offline
   * the slider snaps to that temperature, so what it reads is what is shown.
   */
  private showRecorded(): void {
    if ((this.live && this.requestId > 0) || !this.view) return;
    const t = Number(this.temperature.value);
    let best = this.view.grid[0];
    for (const s of this.view.grid) if (Math.abs(s.temperature - t) < Math.abs(best.temperature - t)) best = s;
    if (best && !this.live) this.temperature.value = String(best.temperature);
    this.temperatureValue.textContent = Number(this.temperature.value).toFixed(2);
    this.shown.textContent = best ? `recorded at display time, temperature ${best.temperature}` : 'no recorded samples';
    this.output.textContent = best ? best.text : '';
    this.output.dataset.temperature = best ? String(best.temperature) : '';
  }

  private offline(): void {
    this.comm = null;
    this.setMode();
    this.showRecorded();
  }

  private closeComm(): void {
    const comm = this.comm;
    this.comm = null;
    comm?.close();
  }

  dispose(): void {
    if (this.isDisposed) return;
    clearTimeout(this.timer);
    this.closeComm();
    super.dispose();
  }
}
