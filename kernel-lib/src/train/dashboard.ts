import { randomBytes } from 'node:crypto';
import type { Displayable, MimeBundle } from '../display/bundle';
import {
  VIEW_VERSIONS,
  type TrainingCommand,
  type TrainingPoint,
  type TrainingSample,
  type TrainingSync,
  type TrainingView,
} from '@charrnn/schema';
import { trainingBundle } from '../display/training';
import { registerCommTarget } from '../kernel/comm';
import { display } from '../kernel/display';
import { interruptRequested } from '../kernel/interrupt';
import { TrainCallbacks, TrainResult, Trainer } from './trainer';

export interface LiveOptions extends TrainCallbacks {
  /** Least time between two redraws of the dashboard, in ms (default 500). */
  redrawMs?: number;
}

/**
 * A training run as a notebook shows it: a live dashboard (loss curves, samples, a stop button) that redraws in
 * place through its display id while `train()` runs, and stays readable when the notebook is reopened.
 */
export class TrainingRun implements Displayable {
  readonly runId = randomBytes(6).toString('hex');
  readonly commTarget = `charrnn.training.${this.runId}`;
  points: TrainingPoint[] = [];
  samples: TrainingSample[] = [];
  result?: TrainResult;

  constructor(readonly trainer: Trainer) {}

  view(): TrainingView {
    const { model, options, totalIters } = this.trainer;
    return {
      version: VIEW_VERSIONS.training,
      runId: this.runId,
      commTarget: this.result ? undefined : this.commTarget,
      config: { ...model.config, ...options, checkpointDir: options.checkpointDir ?? null },
      totalIters,
      engine: this.trainer.engine.describe(this.trainer.threads),
      status: this.result?.status ?? 'running',
      points: this.points,
      samples: this.samples,
      message: this.result?.message,
    };
  }

  toMimeBundle(): MimeBundle {
    return trainingBundle(this.view());
  }

  /**
   * Trains with the live dashboard: shows it, redraws it as training goes, stops cleanly on the dashboard's stop
   * button (a comm message) or a notebook interrupt, and resolves to how training ended. The model stays usable.
   */
  async train(opts: LiveOptions = {}): Promise<TrainResult> {
    const trainer = this.trainer;
    const redrawMs = opts.redrawMs ?? 500;
    registerCommTarget(this.commTarget, (comm) => {
      comm.onMsg((msg: TrainingCommand) => {
        if (msg?.action === 'stop') trainer.stop();
        if (msg?.action === 'sync') comm.send({ view: this.view() } satisfies TrainingSync);
      });
    });
    const handle = display(this);
    let lastDraw = 0;
    const redraw = (force = false) => {
      if (force || Date.now() - lastDraw >= redrawMs) {
        handle.update(this);
        lastDraw = Date.now();
      }
    };
    this.result = await trainer.run({
      ...opts,
      shouldStop: () => interruptRequested() || (opts.shouldStop?.() ?? false),
      onProgress: (p) => {
        const { totalIters: _, etaS: __, ...point } = p;
        this.points.push(point);
        opts.onProgress?.(p);
        redraw(p.valLoss !== undefined);
      },
      onSample: (s) => {
        this.samples.push(s);
        opts.onSample?.(s);
        redraw(true);
      },
    });
    redraw(true);
    return this.result;
  }
}
