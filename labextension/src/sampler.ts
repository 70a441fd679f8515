/**
 * Sampler: temperature, prime, length, seed and top-k. While the kernel is live each change streams a new sample
 * through the comm; without a kernel the slider picks among the samples recorded at display time.
 */
import { Widget } from '@lumino/widgets';
import type { SampleSettings, SamplerReply, SamplerRequest, SamplerView } from '@charrnn/kernel';
import type { CommChannel, KernelLink } from './comm';
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
  private readonly temperature = input('range', { min: 0.05, max: 2, step: 0.05, value: 1 });
  private readonly temperatureValue = el('span', 'charrnn-value');
  private readonly prime = input('text', { size: 24 });
  private readonly length = input('number', { min: 1, max: 5000, step: 1 });
  private readonly seed = input('number', { min: 0, step: 1 });
  private readonly topK = input('number', { min: 0, step: 1, title: '0 = all characters' });
  private readonly output = el('pre', 'charrnn-sample');
  private readonly error = el('div', 'charrnn-error');
  private readonly grid = el('div', 'charrnn-grid');

  constructor(private readonly link: KernelLink | null) {
    super();
    this.addClass('charrnn-sampler');
    this.node.appendChild(this.mode);
    const controls = el('div', 'charrnn-controls', undefined, this.node);
    labelled('temperature', this.temperature, controls).after(this.temperatureValue);
    labelled('prime', this.prime, controls);
    labelled('length', this.length, controls);
    labelled('seed', this.seed, controls);
    labelled('top-k', this.topK, controls);
    this.node.append(this.error, this.output);
    const recorded = el('details', 'charrnn-recorded', undefined, this.node);
    el('summary', '', 'samples recorded at display time', recorded);
    recorded.appendChild(this.grid);
    for (const c of [this.temperature, this.prime, this.length, this.seed, this.topK]) {
      c.addEventListener('input', () => this.changed());
    }
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
    }
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
    const comm = this.link.open(target, (data: SamplerReply) => this.onReply(data), () => {
      if (this.comm === comm) this.offline();
    });
    this.comm = comm;
  }

  /** Whether samples come from the kernel now. */
  get live(): boolean {
    return this.comm !== null;
  }

  private setMode(): void {
    this.mode.textContent = this.live
      ? 'live: samples are drawn in the kernel as you change the settings'
      : 'recorded: no live kernel, the slider shows the samples saved with this output';
    this.mode.dataset.live = String(this.live);
    for (const c of [this.prime, this.length, this.seed, this.topK]) c.disabled = !this.live;
  }

  private settings(): SampleSettings {
    return {
      prime: this.prime.value,
      length: Math.max(1, Math.round(Number(this.length.value) || 1)),
      temperature: Number(this.temperature.value),
      seed: Math.max(0, Math.round(Number(this.seed.value) || 0)),
      topK: Math.max(0, Math.round(Number(this.topK.value) || 0)),
    };
  }

  private changed(): void {
    this.temperatureValue.textContent = Number(this.temperature.value).toFixed(2);
    if (!this.live) {
      this.showRecorded();
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.request(), DEBOUNCE_MS);
  }

  private request(): void {
    const request: SamplerRequest = { action: 'sample', requestId: ++this.requestId, ...this.settings() };
    this.output.textContent = '';
    this.error.textContent = '';
    this.output.dataset.done = 'false';
    this.comm?.send(request);
  }

  private onReply(reply: SamplerReply): void {
    if (reply.requestId !== this.requestId) return; // a stream superseded by a newer request
    if (reply.error) this.error.textContent = reply.error;
    this.output.textContent += reply.chunk ?? '';
    if (reply.done) this.output.dataset.done = 'true';
  }

  /** The recorded sample whose temperature is nearest the slider: offline, and live until the first request. */
  private showRecorded(): void {
    this.temperatureValue.textContent = Number(this.temperature.value).toFixed(2);
    if ((this.live && this.requestId > 0) || !this.view) return;
    const t = Number(this.temperature.value);
    let best = this.view.grid[0];
    for (const s of this.view.grid) if (Math.abs(s.temperature - t) < Math.abs(best.temperature - t)) best = s;
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
