import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';
import { DEFAULT_SAMPLING, type TrainingPoint, type TrainingSample, type TrainingStatus } from '@charrnn/schema';
import { Rng } from '../rng';
import { backendInfo } from '../engine/start';
import { chooseEngine } from '../engine/choose';
import type { Engine, LossAndGrads, ResidentRun, Threads } from '../engine/contract';
import { CharRNN, RNNState, disposeState } from '../model/charrnn';
import { sample } from '../sample/sampler';
import { Batches } from '../text/batches';
import { splitCorpus, Splits } from '../text/corpus';
import { CharIds, Vocab } from '../text/vocab';
import { checkCheckpointDir, History, loadCheckpoint, readCheckpointMeta, saveCheckpoint } from './checkpoint';
import { evaluateAsync } from './evaluate';
import { checkTrainingMemory, trainingMemory } from './footprint';
import { clipLikeCharRnn, Optimizer } from '../engine/optimizer';
import { TrainOptions, trainOptions } from './options';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One training step as callbacks see it: the dashboard's point, plus the plan. */
export interface Progress extends TrainingPoint {
  totalIters: number;
  /** Seconds left at the recent pace. */
  etaS: number;
}

export interface TrainCallbacks {
  onProgress?(p: Progress): void;
  onSample?(s: TrainingSample): void;
  onCheckpoint?(c: { iter: number; dir: string; kind: 'latest' | 'best' }): void;
  /** Polled every iteration: return true to stop cleanly (e.g. a notebook interrupt). */
  shouldStop?(): boolean;
}

export interface TrainResult {
  status: TrainingStatus;
  iter: number;
  trainLoss: number;
  valLoss?: number;
  bestValLoss?: number;
  /** One line saying how training ended. */
  message: string;
}

/** Where training stands; saved in checkpoints so a run resumes exactly. */
interface TrainState {
  iter: number;
  lr: number;
  rngState: number;
  optimizerStep: number;
  firstLoss?: number;
  bestValLoss?: number;
  /** Validations since the best one (early stopping counts these). */
  staleVals?: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The validation loss of the checkpoint at `dir`; undefined when there is none (or none readable: nothing to keep). */
function bestValLossIn(dir: string): number | undefined {
  try {
    return readCheckpointMeta(dir).meta.state?.bestValLoss as number | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Truncated backprop through time over a corpus, char-rnn style: the split is cut into batchSize streams read
 * seqLength chars at a time, the hidden state carried from one batch to the next within an epoch.
 * `run()` yields to the event loop every step, so notebooks stay responsive and interrupts land.
 */
export class Trainer {
  readonly model: CharRNN;
  readonly vocab: Vocab;
  readonly options: TrainOptions;
  readonly splits: Splits;
  readonly batches: Batches;
  readonly optimizer: Optimizer;
  history: History = { train: [], val: [] };
  private state: TrainState;
  private rng: Rng;
  private carried: RNNState;
  private stopRequested = false;
  private parallel?: Threads;
  /** Engines that keep the run on their device (WebGPU): weights, optimizer slots, carried state; made at the first step. */
  private resident?: ResidentRun;
  private chosen?: Engine;
  /** The latest training and validation losses of the run in progress. */
  private last: { trainLoss: number; valLoss?: number } = { trainLoss: NaN };

  /** `data` is the whole corpus encoded with `vocab` (split by the options' fractions) or ready splits. */
  constructor(model: CharRNN, vocab: Vocab, data: CharIds | Splits, options: Partial<TrainOptions> = {}) {
    this.options = trainOptions(options);
    if (model.config.vocabSize !== vocab.size) {
      throw new CharRNNError(
        `model has vocabSize ${model.config.vocabSize} but the vocabulary has ${vocab.size} chars`,
      );
    }
    this.model = model;
    this.vocab = vocab;
    // Before the batches and the engine's buffers exist: a run that cannot fit is refused with its estimate.
    checkTrainingMemory(
      trainingMemory(model.config, this.options, this.engine.memory, this.threads, backendInfo()?.name),
    );
    this.splits = ArrayBuffer.isView(data) ? splitCorpus(data, this.options.trainFrac, this.options.valFrac) : data;
    this.batches = new Batches(this.splits.train, this.options.batchSize, this.options.seqLength);
    this.optimizer = new Optimizer({ name: this.options.optimizer, decayRate: this.options.decayRate });
    this.state = { iter: 0, lr: this.options.learningRate, rngState: this.options.seed >>> 0, optimizerStep: 0 };
    this.rng = new Rng(this.options.seed);
    this.carried = model.zeroState(this.options.batchSize);
  }

  /**
   * Continues a run from a checkpoint exactly where it stopped: weights, optimizer slots, iteration, data position,
   * carried state and random stream. `data` must be the same corpus encoded with the checkpoint's vocabulary;
   * `overrides` may change limits such as maxIters or maxEpochs.
   */
  static resume(checkpointDir: string, data: CharIds | Splits, overrides: Partial<TrainOptions> = {}): Trainer {
    const ckpt = loadCheckpoint(checkpointDir);
    if (!ckpt.meta.state) {
      ckpt.model.dispose();
      throw new CharRNNError(
        `${ckpt.dir} holds no training state, so it cannot be resumed (its weights can still be sampled)`,
      );
    }
    const saved = (ckpt.meta.training ?? {}) as Partial<TrainOptions>;
    const trainer = new Trainer(ckpt.model, ckpt.vocab, data, { ...saved, ...overrides });
    trainer.history = ckpt.meta.history;
    const st = ckpt.meta.state as unknown as TrainState;
    trainer.state = { ...st };
    trainer.rng.state = st.rngState;
    const slots: Record<string, tf.Tensor> = {};
    const t = ckpt.trainTensors;
    for (const key of Object.keys(t)) if (key.startsWith('optimizer/')) slots[key.slice('optimizer/'.length)] = t[key];
    trainer.optimizer.restore(slots, st.optimizerStep);
    // The carried state continues the run only with the batch size it was saved with.
    const layers = Array.from({ length: trainer.model.config.numLayers }, (_, l) => l);
    const h = layers.map((l) => t[`state/h${l}`] as tf.Tensor2D | undefined);
    const c = layers.map((l) => t[`state/c${l}`] as tf.Tensor2D | undefined);
    if (h.every((x) => x?.shape[0] === trainer.options.batchSize)) {
      disposeState(trainer.carried);
      trainer.carried = { h: h as tf.Tensor2D[], c: c.every(Boolean) ? (c as tf.Tensor2D[]) : undefined };
    } else {
      tf.dispose([...h, ...c].filter((x): x is tf.Tensor2D => x !== undefined));
    }
    // best/ may be newer than the checkpoint resumed (the run was killed after saving it, or its latest/ rolled
    // back): only a validation loss below the best on record may replace it.
    const best = trainer.options.checkpointDir
      ? bestValLossIn(path.join(trainer.options.checkpointDir, 'best'))
      : undefined;
    if (best !== undefined && best < (st.bestValLoss ?? Infinity)) trainer.state.bestValLoss = best;
    return trainer;
  }

  get iter(): number {
    return this.state.iter;
  }

  get learningRate(): number {
    return this.state.lr;
  }

  /** Iterations the run will do in all: maxIters, maxEpochs full passes, or the fewer of the two when both are set. */
  get totalIters(): number {
    const { maxIters, maxEpochs } = this.options;
    const epochs = maxEpochs * this.batches.numBatches;
    if (maxIters === 0) return epochs;
    return maxEpochs > 0 ? Math.min(maxIters, epochs) : maxIters;
  }

  /** Asks a running `run()` to end cleanly after the current step (saving a checkpoint when it has a dir). */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Trains until totalIters, a stop request, or divergence. Each iteration, at nanoGPT's seams: the step (one batch's
   * loss and the update), validation, the progress report, a sample, the stopping rules and the checkpoint.
   */
  async run(callbacks: TrainCallbacks = {}): Promise<TrainResult> {
    const o = this.options;
    this.stopRequested = false;
    this.last = { trainLoss: NaN };
    if (o.checkpointDir) checkCheckpointDir(o.checkpointDir);
    const pace = { t0: Date.now(), iterTime: 0 };
    while (this.iter < this.totalIters) {
      if (this.stopRequested || callbacks.shouldStop?.()) {
        const how = this.stopRequested ? 'stopped' : 'interrupted';
        return this.finish(how, `training ${how} at iteration ${this.iter}`, callbacks);
      }
      const started = Date.now();
      const diverged = await this.trainStep();
      if (diverged) return this.finish('diverged', diverged, callbacks);
      const dt = (Date.now() - started) / 1000;
      pace.iterTime = pace.iterTime === 0 ? dt : 0.9 * pace.iterTime + 0.1 * dt;
      const last = this.iter === this.totalIters;
      const valLoss = await this.validate(last, callbacks);
      this.report(valLoss, pace, callbacks);
      await this.sampleNow(last, callbacks);
      const stale = this.state.staleVals ?? 0;
      if (o.patience > 0 && stale >= o.patience) {
        const best = this.state.bestValLoss!.toFixed(4);
        const why = `${o.patience} validations without improving on ${best}`;
        return this.finish('done', `training stopped early at iteration ${this.iter}: ${why}`, callbacks);
      }
      if (o.checkpointDir && this.iter % o.checkpointEvery === 0 && !last) await this.saveTo('latest', callbacks);
      await yieldToEventLoop();
    }
    const done = `training done: ${this.iter} iterations, train loss ${this.last.trainLoss.toFixed(4)}`;
    return this.finish('done', done, callbacks);
  }

  /**
   * One iteration: a new epoch's reset (streams, carried state, learning-rate decay as char-rnn does), the batch's
   * loss and gradients, clipping and the update. Returns why the run diverged instead, the update not applied.
   */
  private async trainStep(): Promise<string | undefined> {
    const o = this.options;
    const n = this.batches.numBatches;
    const b = this.iter % n;
    if (b === 0 && this.iter > 0) {
      disposeState(this.carried);
      this.carried = this.model.zeroState(o.batchSize);
      this.resident?.setState(this.carried); // the state on the device restarts too
      if (this.iter / n >= o.lrDecayAfter) this.state.lr *= o.lrDecay;
    }
    const r = await this.step(this.batches.get(b), this.rng.nextSeed());
    const first = this.state.firstLoss ?? r.loss;
    if (!Number.isFinite(r.loss) || r.loss > o.divergeFactor * first) {
      Object.values(r.grads).forEach((g: tf.Tensor) => g.dispose());
      disposeState(r.state);
      this.rng.state = this.state.rngState;
      const why = Number.isFinite(r.loss)
        ? `loss ${r.loss.toFixed(3)} > ${o.divergeFactor}x the first loss ${first.toFixed(3)}`
        : 'loss is NaN';
      const saved =
        o.checkpointDir &&
        ['latest', 'best'].some((k) => fs.existsSync(path.join(o.checkpointDir!, k, 'checkpoint.json')));
      const kept = saved ? `; the last good checkpoint in ${o.checkpointDir} is kept` : '';
      return `training diverged at iteration ${this.iter + 1} (${why}); try a lower learning rate${kept}`;
    }
    disposeState(this.carried);
    this.carried = r.state;
    const clipped = clipLikeCharRnn(r.grads, o.gradClip, o.clipMode, o.seqLength);
    Object.values(r.grads).forEach((g: tf.Tensor) => g.dispose());
    this.engine.apply(this.optimizer, this.model.params, clipped, this.state.lr);
    Object.values(clipped).forEach((g) => g.dispose());
    this.state.firstLoss = first;
    this.state.iter += 1;
    this.state.rngState = this.rng.state;
    this.state.optimizerStep = this.optimizer.step;
    this.last.trainLoss = r.loss;
    this.history.train.push([this.iter, r.loss]);
    return undefined;
  }

  /** Every evalValEvery iterations and at the end: the validation loss, on this run's engine; best/ on a new best. */
  private async validate(last: boolean, callbacks: TrainCallbacks): Promise<number | undefined> {
    const o = this.options;
    if ((this.iter % o.evalValEvery !== 0 && !last) || this.splits.val.length <= o.seqLength) return undefined;
    await this.syncResident();
    const opts = { batchSize: o.batchSize, seqLength: o.seqLength, engine: this.engine };
    const valLoss = (this.last.valLoss = (await evaluateAsync(this.model, this.splits.val, opts)).loss);
    this.history.val.push([this.iter, valLoss]);
    if (valLoss < (this.state.bestValLoss ?? Infinity)) {
      this.state.bestValLoss = valLoss;
      this.state.staleVals = 0;
      if (o.checkpointDir) await this.saveTo('best', callbacks);
    } else {
      this.state.staleVals = (this.state.staleVals ?? 0) + 1;
    }
    return valLoss;
  }

  /** The iteration's progress for the callbacks: losses, learning rate, speed and time left at the recent pace. */
  private report(valLoss: number | undefined, pace: { t0: number; iterTime: number }, callbacks: TrainCallbacks): void {
    const o = this.options;
    callbacks.onProgress?.({
      iter: this.iter,
      totalIters: this.totalIters,
      epoch: this.iter / this.batches.numBatches,
      trainLoss: this.last.trainLoss,
      valLoss,
      lr: this.state.lr,
      charsPerSec: (o.batchSize * o.seqLength) / Math.max(pace.iterTime, 1e-6),
      elapsedS: (Date.now() - pace.t0) / 1000,
      etaS: (this.totalIters - this.iter) * pace.iterTime,
    });
  }

  /** Every sampleEvery iterations and at the end: a sample at the default settings, on this run's engine. */
  private async sampleNow(last: boolean, callbacks: TrainCallbacks): Promise<void> {
    const o = this.options;
    if (o.sampleEvery === 0 || (this.iter % o.sampleEvery !== 0 && !last)) return;
    await this.syncResident();
    const { temperature } = DEFAULT_SAMPLING;
    const opts = { length: o.sampleLength, temperature, seed: o.seed + this.iter, engine: this.engine };
    callbacks.onSample?.({ iter: this.iter, text: sample(this.model, this.vocab, opts), temperature });
  }

  /** Ends a run: latest/ saved unless it diverged (the last good checkpoint stays), and how it ended. */
  private async finish(status: TrainingStatus, message: string, callbacks: TrainCallbacks): Promise<TrainResult> {
    if (status !== 'diverged' && this.options.checkpointDir) await this.saveTo('latest', callbacks);
    const { trainLoss, valLoss } = this.last;
    return { status, iter: this.iter, trainLoss, valLoss, bestValLoss: this.state.bestValLoss, message };
  }

  /** Saves the run as a checkpoint directory (exact-resume state included). */
  async save(dir: string): Promise<void> {
    await this.syncResident();
    const trainTensors: Record<string, tf.Tensor> = {};
    for (const [key, t] of Object.entries(this.optimizer.slots)) trainTensors[`optimizer/${key}`] = t;
    this.carried.h.forEach((t, l) => (trainTensors[`state/h${l}`] = t));
    this.carried.c?.forEach((t, l) => (trainTensors[`state/c${l}`] = t));
    await saveCheckpoint(dir, {
      model: this.model,
      vocab: this.vocab,
      training: { ...this.options },
      history: this.history,
      state: { ...this.state },
      trainTensors,
      backend: backendInfo()?.name,
      engine: this.engine.describe(this.threads),
    });
  }

  /** Frees the optimizer slots, carried state and worker threads (the model stays). */
  dispose(): void {
    this.optimizer.dispose();
    disposeState(this.carried);
    void this.parallel?.dispose();
    this.resident?.dispose();
    this.resident = undefined;
    this.parallel = undefined;
  }

  /** The engine this run trains with (chooseEngine: native BLAS when built, else TF.js; WebGPU when asked). */
  get engine(): Engine {
    return (this.chosen ??= chooseEngine(this.model, this.options.engine));
  }

  /** Threads that share each batch: the engine's count for the option (1 for engines that start no threads). */
  get threads(): number {
    return this.engine.threads?.count(this.model, this.options.threads) ?? 1;
  }

  /** One batch's loss and gradients, on this thread, shared out between threads, or on the engine's device. */
  private async step(batch: ReturnType<Batches['get']>, dropoutSeed: number): Promise<LossAndGrads> {
    if (this.engine.startRun) return this.residentStep(batch, dropoutSeed);
    const threads = Math.min(this.threads, this.options.batchSize);
    if (threads < 2) return this.engine.lossAndGrads(this.model, batch, this.carried, { dropoutSeed });
    this.parallel ??= await this.engine.threads!.start(this.model, threads);
    return this.parallel.lossAndGrads(this.model, batch, this.carried, { dropoutSeed });
  }

  /**
   * A resident run (WebGPU): the whole iteration, clipping and the update included, runs on the device; only the
   * loss comes back. So the caller gets no gradients (engine.apply only counts the step, as the device's does) and
   * an empty state: the carried state, weights and slots stay there until syncResident() (before validation,
   * samples and checkpoints). On divergence the device has already applied that step; the model keeps the weights
   * of the last sync.
   */
  private async residentStep(batch: ReturnType<Batches['get']>, dropoutSeed: number): Promise<LossAndGrads> {
    this.resident ??= await this.engine.startRun!(this.model, this.optimizer, this.carried, this.options);
    this.resident.step(batch, this.state.lr, dropoutSeed);
    return { loss: await this.resident.loss(), grads: {}, state: { h: [] } };
  }

  /** Weights, optimizer slots and the carried state back from a resident run (nothing to do on other engines). */
  private async syncResident(): Promise<void> {
    if (!this.resident) return;
    const state = await this.resident.sync();
    disposeState(this.carried);
    this.carried = state;
  }

  private async saveTo(kind: 'latest' | 'best', callbacks: TrainCallbacks): Promise<void> {
    const dir = path.join(this.options.checkpointDir!, kind);
    await this.save(dir);
    callbacks.onCheckpoint?.({ iter: this.iter, dir, kind });
  }
}
