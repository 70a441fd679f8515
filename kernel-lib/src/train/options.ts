import { CharRNNError, oneOf } from '../errors';
import { checkEngineChoice, defaultEngineChoice } from '../engine/choose';
import type { EngineChoice } from '../engine/contract';
import { CLIP_MODES, ClipMode, OPTIMIZER_NAMES, OptimizerName } from '../engine/optimizer';

/** Everything that shapes a training run. Defaults follow char-rnn. Saved in checkpoints. */
export interface TrainOptions {
  seqLength: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  /** RMSProp's running-average decay. */
  decayRate: number;
  /** Learning rate multiplier applied at the start of each epoch once `lrDecayAfter` epochs are done. */
  lrDecay: number;
  lrDecayAfter: number;
  /**
   * Clip gradients elementwise to [-gradClip, gradClip] ('value', char-rnn) or by global norm ('norm'); 0 = off.
   * In char-rnn's units: gradients of the loss summed over the seqLength steps and averaged over the batch.
   */
  gradClip: number;
  clipMode: ClipMode;
  trainFrac: number;
  valFrac: number;
  /** Passes over the training split; 0 = no limit, the default when only maxIters is given. */
  maxEpochs: number;
  /** Stop after this many iterations in all (0 = run maxEpochs). */
  maxIters: number;
  /** Evaluate on the validation split every N iterations (and at the end). */
  evalValEvery: number;
  /** Early stopping: end the run once this many validations in a row did not improve on the best (0 = never). */
  patience: number;
  /** Save `latest/` every N iterations (and at the end, and when stopped) when checkpointDir is set. */
  checkpointEvery: number;
  checkpointDir?: string;
  /** Draw a sample every N iterations (0 = never) of sampleLength chars. */
  sampleEvery: number;
  sampleLength: number;
  /** Seeds weight init, dropout masks and samples. */
  seed: number;
  /** The native BLAS engine, the TF.js engine, the WebGPU engine, or the best available ('auto'); by default CHARRNN_ENGINE when set, else 'auto'. */
  engine: EngineChoice;
  /**
   * Threads that share each batch (data-parallel, results equal to one thread's to float tolerance);
   * 0 = one per core on the wasm and cpu backends, 1 on tfjs-node, which threads its own ops.
   */
  threads: number;
  /** Training stops as diverged when the loss exceeds this multiple of the first loss (or is NaN). */
  divergeFactor: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seqLength: 50,
  batchSize: 50,
  optimizer: 'rmsprop',
  learningRate: 2e-3,
  decayRate: 0.95,
  lrDecay: 0.97,
  lrDecayAfter: 10,
  gradClip: 5,
  clipMode: 'value',
  trainFrac: 0.9,
  valFrac: 0.05,
  maxEpochs: 50,
  maxIters: 0,
  evalValEvery: 1000,
  patience: 0,
  checkpointEvery: 1000,
  sampleEvery: 0,
  sampleLength: 200,
  seed: 123,
  engine: 'auto',
  threads: 0,
  divergeFactor: 3,
};

function check(ok: boolean, what: string): void {
  if (!ok) throw new CharRNNError(what);
}

/** Fills in defaults and rejects values that cannot work, with one clear message. */
export function trainOptions(partial: Partial<TrainOptions> = {}): TrainOptions {
  // The engine: the option, else the CHARRNN_ENGINE variable, else auto.
  const engine = partial.engine ?? defaultEngineChoice();
  // An explicit maxIters alone sets the run's length: the default maxEpochs does not cap it.
  const maxEpochs = partial.maxEpochs ?? (partial.maxIters ? 0 : DEFAULT_TRAIN_OPTIONS.maxEpochs);
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...partial, engine, maxEpochs };
  const whole = (k: keyof TrainOptions, min: number) =>
    check(Number.isInteger(o[k]) && (o[k] as number) >= min, `${k} must be a whole number >= ${min}, got ${o[k]}`);
  whole('seqLength', 1);
  whole('batchSize', 1);
  whole('lrDecayAfter', 0);
  whole('maxEpochs', o.maxIters > 0 ? 0 : 1);
  whole('maxIters', 0);
  whole('evalValEvery', 1);
  whole('patience', 0);
  whole('checkpointEvery', 1);
  whole('sampleEvery', 0);
  whole('sampleLength', 1);
  whole('seed', 0);
  whole('threads', 0);
  check(
    o.threads <= o.batchSize,
    `threads must be at most batchSize (each thread takes whole streams of a batch), got threads ${o.threads} with batchSize ${o.batchSize}`,
  );
  checkEngineChoice(o.engine);
  check(OPTIMIZER_NAMES.includes(o.optimizer), `optimizer must be ${oneOf(OPTIMIZER_NAMES)}, got ${o.optimizer}`);
  check(o.learningRate > 0 && Number.isFinite(o.learningRate), `learningRate must be > 0, got ${o.learningRate}`);
  check(o.decayRate > 0 && o.decayRate < 1, `decayRate must be between 0 and 1, got ${o.decayRate}`);
  check(o.lrDecay > 0 && o.lrDecay <= 1, `lrDecay must be in (0, 1], got ${o.lrDecay}`);
  check(o.gradClip >= 0 && Number.isFinite(o.gradClip), `gradClip must be >= 0, got ${o.gradClip}`);
  check(CLIP_MODES.includes(o.clipMode), `clipMode must be ${oneOf(CLIP_MODES)}, got ${o.clipMode}`);
  check(o.trainFrac > 0 && o.trainFrac <= 1, `trainFrac must be in (0, 1], got ${o.trainFrac}`);
  check(
    o.valFrac >= 0 && o.trainFrac + o.valFrac <= 1,
    `valFrac must be >= 0 with trainFrac + valFrac <= 1, got ${o.valFrac}`,
  );
  check(o.divergeFactor > 1, `divergeFactor must be > 1, got ${o.divergeFactor}`);
  return o;
}
