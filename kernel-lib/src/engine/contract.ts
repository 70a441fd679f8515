import type * as tf from '@tensorflow/tfjs-core';
import type { CharRNN, RNNState } from '../model/charrnn';
import type { ClipMode, Optimizer } from './optimizer';
import type { Batch } from './batch';
import type { Streams } from './dropout';

/**
 * What an engine is: the code that runs a model's maths. Three implement this contract, one folder each: tfjs/
 * (TF.js ops, with fused wasm kernels and worker threads on CPU backends; the only one for user-written cells),
 * native/ (BLAS and C loops through the addon in kernel-lib/native) and webgpu/ (WGSL kernels, the training run kept
 * on the GPU). choose.ts picks one for a model; the trainer, evaluate, the sampler, inspection and the CLI all ask
 * it, and none of them asks which engine it got.
 * All engines take the same parameters and state and give the same results to float tolerance (their tests compare
 * them with each other, with autodiff and with finite differences).
 */

/**
 * Which engine runs a model: one by name, or 'auto', the best one available (choose.ts). The one list of the names:
 * the types, the option checks and the CLI's --engine choices come from it.
 */
export const ENGINE_CHOICES = ['auto', 'native', 'tfjs', 'webgpu'] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];
export type EngineName = Exclude<EngineChoice, 'auto'>;

export interface LossAndGrads {
  /** Mean cross-entropy in nats over the T*B predictions. */
  loss: number;
  /** Gradients of that mean, by parameter name (same names and shapes as model.params). */
  grads: Record<string, tf.Tensor>;
  /** The state after the last step (new tensors: the caller disposes them and the state it passed in). */
  state: RNNState;
}

/** Per-layer activations of a forward pass, time-major. */
export interface Activations {
  h: tf.Tensor3D[]; // [T, B, H]
  c?: tf.Tensor3D[]; // [T, B, H], LSTM
  /** After sigmoid/tanh [T, B, G*H]: rnn h; lstm i,f,g,o; gru r,z,n. Absent for user-written cells. */
  gates?: tf.Tensor3D[];
}

export interface ForwardResult {
  logits: tf.Tensor2D; // [T*B, V]
  state: RNNState;
  activations?: Activations;
}

/** Loss and gradients over the threads an engine started (engine.threads.start); dispose ends the threads. */
export interface Threads {
  lossAndGrads(model: CharRNN, batch: Batch, state: RNNState, opts?: { dropoutSeed?: number }): Promise<LossAndGrads>;
  dispose(): Promise<void>;
}

/** What a resident training run needs to know beyond the model and optimizer. */
export interface RunOptions {
  batchSize: number;
  seqLength: number;
  /** char-rnn's grad_clip, in its units (see clipLikeCharRnn): clipped at gradClip / seqLength on our mean gradients. */
  gradClip: number;
  clipMode: ClipMode;
}

/**
 * A training run that lives on the engine's device (WebGPU): weights, optimizer slots and the carried state stay
 * there between iterations; `sync` brings them back to the model, the optimizer and the host.
 */
export interface ResidentRun {
  /** Queues one whole iteration on `batch` (forward, backward, clipping, the update) with learning rate `lr`. */
  step(batch: Batch, lr: number, dropoutSeed: number): void;
  /** The mean loss of the last step, once the device has run it. */
  loss(): Promise<number>;
  /** Replaces the carried state (a new epoch starts from zeros). */
  setState(state: RNNState): void;
  /** Weights into the model's variables, slots and step into the optimizer; returns the carried state (new tensors). */
  sync(): Promise<RNNState>;
  dispose(): void;
}

/** What a training step holds beyond the weights, as the engine states it for the memory estimate (train/footprint.ts). */
export interface EngineMemory {
  /** [seqLength x batchSize, vocabSize] float arrays a step holds at its peak (logits, probabilities, ...). */
  outputCopies: number;
  /**
   * Whether each batch's streams are shared out between worker threads (threads - 1 of them, at most batchSize - 1),
   * each with its own weights and gradients, the main thread keeping its share of the activations.
   */
  workerThreads: boolean;
}

export interface Engine {
  name: EngineName;
  memory: EngineMemory;
  /** One line naming the engine and what it runs on, for a run's first line ("native engine (OpenBLAS ...)"). */
  describe(threads: number): string;
  /** Why this engine cannot run `model` here, in one line; undefined when it can. */
  cannotRun(model: CharRNN): string | undefined;
  /**
   * Loss and gradients of one batch by backprop through time, from `state`. Dropout only when opts.dropoutSeed is
   * given; opts.streams says which streams of a larger batch this is (data-parallel training: that part's masks).
   */
  lossAndGrads(
    model: CharRNN,
    batch: Batch,
    state: RNNState,
    opts?: { dropoutSeed?: number; streams?: Streams },
  ): LossAndGrads | Promise<LossAndGrads>;
  /**
   * The model over x [T*B] (time-major) from `state`, without dropout (evaluation, introspection). collect = true
   * also returns every step's h, c and gate activations. The caller disposes everything returned.
   */
  forward(
    model: CharRNN,
    x: Int32Array,
    T: number,
    B: number,
    state: RNNState,
    opts?: { collect?: boolean },
  ): ForwardResult;
  /** One timestep for sampling: x [B] char ids, logits [B, V]. */
  step(model: CharRNN, x: Int32Array, state: RNNState): { logits: tf.Tensor2D; state: RNNState };
  /** The optimizer update with (clipped) gradients: Optimizer.apply, or the engine's own with the same result. */
  apply(optimizer: Optimizer, params: Record<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void;
  /**
   * Engines that share each batch's streams between threads they start. Those without run a step on one thread:
   * their products are threaded already (BLAS) or run elsewhere (the GPU).
   */
  threads?: {
    /** Threads for `model` when the option asks for `requested` (0: the engine's default). */
    count(model: CharRNN, requested: number): number;
    start(model: CharRNN, threads: number): Promise<Threads>;
  };
  /**
   * Engines whose device answers asynchronously (WebGPU) run inference there too, for callers that can await:
   * forward as above, and `streams` streams stepped one char at a time with their state kept on the device (from
   * zeros), each step returning the next-char logits [streams, V] row-major.
   */
  device?: {
    forward(
      model: CharRNN,
      x: Int32Array,
      T: number,
      B: number,
      state: RNNState,
      opts?: { collect?: boolean },
    ): Promise<ForwardResult>;
    stepper(model: CharRNN, streams: number): Promise<{ step(x: Int32Array): Promise<Float32Array>; dispose(): void }>;
  };
  /** Engines whose training run stays on their device: the trainer steps this run instead of lossAndGrads + apply. */
  startRun?(model: CharRNN, optimizer: Optimizer, state: RNNState, opts: RunOptions): Promise<ResidentRun>;
  /** What the chooser was asked for when it gave this engine ('auto' or this engine's name). */
  asked?: EngineChoice;
  /** The WebGPU engine's CPU half, which runs its synchronous forward and step (the chooser composes them). */
  cpu?: Engine;
  /** Why the chooser took this engine, in one line. */
  reason?: string;
  /** One line for the user when the engine is not the one asked for or expected (e.g. why 'auto' could not use native). */
  note?: string;
}
