import { Progress } from '../train/trainer';

function clock(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * Training progress on stderr: one redrawn bar on a terminal, else a plain line every `every` iterations
 * (and at every validation) so logs stay readable.
 */
export class ProgressLine {
  private lastVal?: number;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly every: number,
  ) {}

  update(p: Progress): void {
    if (p.valLoss !== undefined) this.lastVal = p.valLoss;
    const val = this.lastVal !== undefined ? ` val ${this.lastVal.toFixed(4)}` : '';
    const stats = `loss ${p.trainLoss.toFixed(4)}${val} | ${Math.round(p.charsPerSec)} chars/s | ETA ${clock(p.etaS)}`;
    if (this.out.isTTY) {
      const width = 24;
      const filled = Math.round((width * p.iter) / p.totalIters);
      const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
      this.out.write(`\r${p.iter}/${p.totalIters} [${bar}] epoch ${p.epoch.toFixed(2)} ${stats}\x1b[K`);
      this.drawn = true;
    } else if (p.iter % this.every === 0 || p.valLoss !== undefined || p.iter === p.totalIters) {
      this.out.write(`${p.iter}/${p.totalIters} (epoch ${p.epoch.toFixed(2)}) lr ${p.lr.toExponential(2)} ${stats}\n`);
    }
  }

  /** Ends the redrawn line so later output starts on a fresh one. */
  done(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
