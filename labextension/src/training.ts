/**
 * Training dashboard: loss against iteration or time (log toggle, smoothing), lr, chars/s, ETA, progress,
 * a scrubber over the samples taken while training, and a stop button that asks the kernel to end the run.
 */
import { Widget } from '@lumino/widgets';
import type { TrainingCommand, TrainingPoint, TrainingSync, TrainingView } from '@charrnn/schema';
import type { CommChannel, KernelLink } from './comm';
import { duration, el, fmt, input, labelled } from './dom';
import { drawPlot, purgePlot, seriesColor } from './plot';

/** Exponential moving average with weight `alpha` on the past (0 = raw). */
function smooth(values: number[], alpha: number): number[] {
  let avg = values[0] ?? 0;
  return values.map((v) => (avg = alpha * avg + (1 - alpha) * v));
}

/** Seconds left, from the average time per iteration so far; only while the run goes on. */
function eta(view: TrainingView, last: TrainingPoint | undefined, live: boolean): number {
  if (!last || last.iter === 0 || !live) return NaN;
  return (last.elapsedS / last.iter) * (view.totalIters - last.iter);
}

/**
 * How long a Stop may go unanswered (the view still running) before it is sent again: a message sent into a
 * connection that then drops (a student's Wi-Fi, a server too loaded to answer the websocket's pings) is lost, and
 * the button must not say "Stopping…" forever. Stopping twice is harmless.
 */
const STOP_RESEND_MS = 5000;

export class TrainingWidget extends Widget {
  private view: TrainingView | null = null;
  private comm: CommChannel | null = null;
  /**
   * Saved while running, and no kernel runs it now (no kernel, or ours closed the comm: a reopened notebook's new
   * kernel does not know the run): shown as recorded, as the sampler shows its recorded samples.
   */
  private recorded = false;
  private stopRequested = false;
  private stopSentAt = 0;
  /** Stops listening for the kernel connection's reconnects (see connect). */
  private unwatch: (() => void) | null = null;
  private readonly heading = el('div', 'charrnn-title');
  private readonly status = el('span', 'charrnn-status');
  private readonly stopButton = el('button', 'charrnn-button charrnn-stop', 'Stop');
  private readonly progress = el('div', 'charrnn-progress');
  private readonly progressBar = el('div', 'charrnn-progress-bar');
  private readonly stats = el('div', 'charrnn-stats');
  private readonly message = el('div', 'charrnn-message');
  private readonly xTime = input('checkbox');
  private readonly logScale = input('checkbox');
  private readonly smoothing = input('range', { min: 0, max: 0.99, step: 0.01, value: 0.6 });
  private readonly chart = el('div', 'charrnn-chart');
  private readonly scrubber = input('range', { min: 0, max: 0, step: 1, value: 0 });
  private readonly sampleLabel = el('span', 'charrnn-sample-label');
  private readonly sampleText = el('pre', 'charrnn-sample');
  private followLatest = true;
  private drawQueued = false;

  constructor(private readonly link: KernelLink | null) {
    super();
    this.addClass('charrnn-training');
    const head = el('div', 'charrnn-head', undefined, this.node);
    head.append(this.heading, this.status, this.stopButton);
    this.progress.appendChild(this.progressBar);
    this.node.append(this.progress, this.stats, this.message);
    const controls = el('div', 'charrnn-controls', undefined, this.node);
    labelled('time on x axis', this.xTime, controls);
    labelled('log scale', this.logScale, controls);
    labelled('smoothing', this.smoothing, controls);
    this.node.appendChild(this.chart);
    const samples = el('div', 'charrnn-samples', undefined, this.node);
    labelled('sample during training', this.scrubber, samples);
    samples.append(this.sampleLabel, this.sampleText);

    for (const c of [this.xTime, this.logScale, this.smoothing]) c.addEventListener('input', () => this.drawChart());
    this.scrubber.addEventListener('input', () => {
      this.followLatest = Number(this.scrubber.value) === Number(this.scrubber.max);
      this.showSample();
    });
    this.stopButton.addEventListener('click', () => this.stop());
  }

  setView(view: TrainingView): void {
    this.view = view;
    const last = view.points[view.points.length - 1];
    const running = view.status === 'running';
    // A running view is live only with its run's comm open: it is opened at once, as a check.
    if (running && view.commTarget && !this.comm && !this.recorded) this.connect(view.commTarget);
    if (!running) this.closeComm();
    this.recorded = running && !this.comm;
    const live = running && !this.recorded;
    this.heading.textContent = `Training run ${view.runId}`;
    this.status.textContent = this.recorded ? 'running when saved' : view.status;
    this.status.dataset.status = this.recorded ? 'recorded' : view.status;
    const done = last ? last.iter / Math.max(1, view.totalIters) : 0;
    this.progressBar.style.width = `${(100 * Math.min(1, done)).toFixed(1)}%`;
    this.progress.title = `${last?.iter ?? 0} / ${view.totalIters} iterations`;
    this.renderStats(view, last, live);
    this.message.textContent = this.recorded
      ? 'Recorded: this run was still training when the notebook was saved; the kernel that ran it is no longer connected, so this is the dashboard as saved.'
      : (view.message ?? '');
    this.stopButton.hidden = !live;
    this.stopButton.disabled = this.stopRequested;
    if (live && this.stopRequested && Date.now() - this.stopSentAt >= STOP_RESEND_MS) this.sendStop();

    this.scrubber.max = String(Math.max(0, view.samples.length - 1));
    if (this.followLatest) this.scrubber.value = this.scrubber.max;
    this.showSample();
    this.drawChart();
  }

  private renderStats(view: TrainingView, last: TrainingPoint | undefined, live: boolean): void {
    const val = [...view.points].reverse().find((p) => p.valLoss !== undefined)?.valLoss;
    const items: [string, string][] = [
      ['iteration', `${last?.iter ?? 0} / ${view.totalIters}`],
      ['epoch', fmt(last?.epoch, 2)],
      ['train loss', fmt(last?.trainLoss)],
      ['val loss', fmt(val)],
      ['lr', last ? last.lr.toExponential(2) : '-'],
      ['chars/s', last ? Math.round(last.charsPerSec).toLocaleString('en-US') : '-'],
      ['elapsed', duration(last?.elapsedS ?? NaN)],
      ['ETA', duration(eta(view, last, live))],
      ...(view.engine ? [['engine', view.engine] as [string, string]] : []),
    ];
    this.stats.replaceChildren(
      ...items.map(([k, v]) => {
        const item = el('span', 'charrnn-stat');
        el('span', 'charrnn-stat-key', k, item);
        el('span', 'charrnn-stat-value', v, item).dataset.stat = k;
        return item;
      }),
    );
  }

  private showSample(): void {
    const sample = this.view?.samples[Number(this.scrubber.value)];
    this.sampleLabel.textContent = sample
      ? `iteration ${sample.iter}, temperature ${sample.temperature} (${Number(this.scrubber.value) + 1} of ${this.view!.samples.length})`
      : 'no samples yet';
    this.sampleText.textContent = sample?.text ?? '';
  }

  protected onAfterAttach(): void {
    this.drawChart();
  }

  /** Redraws at most once per animation frame however fast updates arrive; only on the page (Plotly measures it). */
  private drawChart(): void {
    if (this.drawQueued || !this.isAttached) return;
    this.drawQueued = true;
    requestAnimationFrame(() => {
      this.drawQueued = false;
      if (this.view) void this.plot(this.view);
    });
  }

  private plot(view: TrainingView): Promise<void> {
    const byTime = this.xTime.checked;
    const x = (p: TrainingPoint) => (byTime ? p.elapsedS : p.iter);
    const pts = view.points;
    const vals = pts.filter((p) => p.valLoss !== undefined);
    const traces = [
      {
        name: 'train (raw)',
        x: pts.map(x),
        y: pts.map((p) => p.trainLoss),
        mode: 'lines',
        line: { color: seriesColor(0), width: 1 },
        opacity: 0.3,
      },
      {
        name: 'train',
        x: pts.map(x),
        y: smooth(
          pts.map((p) => p.trainLoss),
          Number(this.smoothing.value),
        ),
        mode: 'lines',
        line: { color: seriesColor(0) },
      },
      {
        name: 'validation',
        x: vals.map(x),
        y: vals.map((p) => p.valLoss),
        mode: 'lines+markers',
        line: { color: seriesColor(1) },
      },
    ];
    return drawPlot(this.chart, traces, {
      xaxis: { title: { text: byTime ? 'seconds' : 'iteration' } },
      yaxis: { title: { text: 'loss (nats/char)' }, type: this.logScale.checked ? 'log' : 'linear' },
      uirevision: 'keep', // keep the user's zoom across live updates
    });
  }

  /** Opens the run's comm; null (no kernel) or closed by the kernel (it does not know the run) means recorded. */
  private connect(target: string): void {
    const comm = this.link?.open(
      target,
      (data: TrainingSync) => {
        if (data?.view) this.setView(data.view);
      },
      () => {
        if (this.comm === comm) this.lostKernel();
      },
    );
    this.comm = comm ?? null;
    // After a dropped connection the kernel's last updates (the run's end, say) may be lost: ask for the run as it is.
    const sync: TrainingCommand = { action: 'sync' };
    if (this.comm) this.unwatch = this.link?.onReconnect?.(() => this.comm?.send(sync)) ?? null;
  }

  private stop(): void {
    if (!this.comm) return;
    this.sendStop();
    this.stopRequested = true;
    this.stopButton.disabled = true;
    this.stopButton.textContent = 'Stopping…';
  }

  private sendStop(): void {
    const command: TrainingCommand = { action: 'stop' };
    this.comm?.send(command);
    this.stopSentAt = Date.now();
  }

  /** The comm closed while the run still shows as running: the kernel that ran it has gone (restarted, or another one). */
  private lostKernel(): void {
    this.unwatch?.();
    this.unwatch = null;
    this.comm = null;
    this.recorded = true;
    if (this.view) this.setView(this.view);
  }

  private closeComm(): void {
    this.unwatch?.();
    this.unwatch = null;
    const comm = this.comm;
    this.comm = null; // first: closing calls onClose, which must not take this for a lost kernel
    comm?.close();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.closeComm();
    purgePlot(this.chart);
    super.dispose();
  }
}
