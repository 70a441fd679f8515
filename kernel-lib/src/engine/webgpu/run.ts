import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../../errors';
import { CharRNN, RNNState } from '../../model/charrnn';
import type { Optimizer } from '../optimizer';
import { Batch, checkIds } from '../batch';
import type { ResidentRun, RunOptions } from '../contract';
import { Pass, flatten, unflatten } from './bptt';
import { Commands, f32bits } from './commands';
import { Gpu, requireGpu } from './device';
import { SUM_SQUARES, updateShader } from './shaders';

/** The optimizer's slots per parameter, named as Optimizer names them (`<param>/<slot>`, as checkpoints hold them). */
const SLOTS = { rmsprop: ['ms'], adam: ['m', 'v'] };

/** Partial sums of the global-norm reduction: one per group of its first pass. */
const NORM_GROUPS = 256;

/**
 * A training run that lives on the GPU: weights, gradients, optimizer slots and the carried state stay there from
 * `create` to `dispose`. One `step` (dropout masks, forward, loss, backprop through time, clipping in char-rnn's
 * units, the optimizer update) is one command buffer, recorded once and replayed, with nothing read back. `loss()`
 * reads the last step's loss through a ring of staging buffers without holding up the queue; `sync()` brings
 * weights, slots and state back to the host, for checkpoints, validation and sampling.
 * The update is the same as ../optimizer.ts (same formulas, same slot names, same step count), so a run
 * checkpointed here resumes on any engine and the other way round.
 */
export class WebGpuRun implements ResidentRun {
  /** Updates applied (the Optimizer's step, which Adam's bias correction uses). */
  iteration: number;
  private readonly send: () => void;
  private readonly slots: GPUBuffer[];
  /** The staging buffers loss() reads through (a ring: each goes back to `idle` once read). */
  private readonly lossReads: GPUBuffer[] = [];
  private readonly idle: GPUBuffer[] = [];
  private lost?: string;

  private constructor(
    private readonly gpu: Gpu,
    private readonly cmd: Commands,
    private readonly pass: Pass,
    private readonly optimizer: Optimizer,
    opts: RunOptions,
  ) {
    const { name, decayRate, beta1, beta2, epsilon } = optimizer.config;
    const { layout } = pass;
    this.iteration = optimizer.step;
    // Slots start from the optimizer's (a resumed run) or zeros, as Optimizer's lazily made slots do.
    this.slots = SLOTS[name].map((s) => {
      const named = Object.fromEntries(layout.keys.map((k) => [k, optimizer.slots[`${k}/${s}`]]));
      return cmd.buffer(layout.keys.every((k) => named[k]) ? flatten(layout, named) : layout.total);
    });
    cmd.write(pass.params, 0, flatten(layout, pass.model.params));

    pass.record(pass.model.config.dropout > 0);
    const clip = opts.gradClip / opts.seqLength;
    const mode = !(clip > 0) ? 0 : opts.clipMode === 'value' ? 1 : 2;
    const norm2 = cmd.buffer(1);
    if (mode === 2) {
      const partials = cmd.buffer(NORM_GROUPS);
      const groups = Math.min(NORM_GROUPS, Math.ceil(layout.total / 256));
      cmd.rows(SUM_SQUARES, { count: layout.total, plain: 0 }, [pass.grads, partials], groups);
      cmd.rows(SUM_SQUARES, { count: groups, plain: 1 }, [partials, norm2], 1);
    }
    const [a1, a2] = name === 'rmsprop' ? [decayRate, 0] : [beta1, beta2];
    const params = {
      count: layout.total,
      clip: mode,
      c: f32bits(clip),
      a1: f32bits(a1),
      b1: f32bits(1 - a1),
      a2: f32bits(a2),
      b2: f32bits(1 - a2),
      eps: f32bits(epsilon),
    };
    cmd.elementwise(
      updateShader(name),
      params,
      [pass.step, norm2, pass.grads, pass.params, ...this.slots],
      layout.total,
    );
    this.send = cmd.compile();
    gpu.device.lost.then((info) => (this.lost = info.message || info.reason || 'unknown reason'));
  }

  /** A run of `model` trained by `optimizer` (its config, slots and step), from the carried `state`. */
  static async create(model: CharRNN, optimizer: Optimizer, state: RNNState, opts: RunOptions): Promise<WebGpuRun> {
    const gpu = await requireGpu();
    const cmd = new Commands(gpu);
    const pass = new Pass(cmd, model, opts.seqLength, opts.batchSize);
    pass.writeState(state);
    return new WebGpuRun(gpu, cmd, pass, optimizer, opts);
  }

  /** Queues one training iteration on `batch` with learning rate `lr`; dropout masks keyed by (dropoutSeed, iteration). */
  step(batch: Batch, lr: number, dropoutSeed: number): void {
    this.checkDevice();
    if (batch.T !== this.pass.T || batch.B !== this.pass.B)
      throw new CharRNNError(`batch is ${batch.T}x${batch.B}, the run was made for ${this.pass.T}x${this.pass.B}`);
    checkIds(this.pass.model, [batch.x, batch.y], batch.T, batch.B);
    this.iteration += 1;
    const { beta1, beta2, name } = this.optimizer.config;
    // Adam's bias corrections in float64, as Optimizer.apply computes them.
    const rate = name === 'adam' ? lr / (1 - Math.pow(beta1, this.iteration)) : lr;
    const c2 = name === 'adam' ? 1 - Math.pow(beta2, this.iteration) : 1;
    this.pass.writeBatch(batch, dropoutSeed, this.iteration);
    this.cmd.write(this.pass.step, 2, Uint32Array.of(f32bits(rate), f32bits(c2)));
    this.send();
  }

  /** The mean loss of the last step, once the GPU has run it; the queue keeps going meanwhile. */
  async loss(): Promise<number> {
    this.checkDevice();
    const device = this.gpu.device;
    let staging = this.idle.pop();
    if (!staging) {
      staging = device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      this.lossReads.push(staging);
    }
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(this.pass.loss, 0, staging, 0, 4);
    device.queue.submit([encoder.finish()]);
    await this.readBack([staging.mapAsync(GPUMapMode.READ)]);
    const [value] = new Float32Array(staging.getMappedRange());
    staging.unmap();
    this.idle.push(staging);
    return value;
  }

  /** Replaces the carried state (a new epoch starts from zeros). */
  setState(state: RNNState): void {
    this.pass.writeState(state);
  }

  /**
   * Brings the run back to the host: weights into the model's variables, slots and step into the optimizer; returns
   * the carried state as new tensors. Everything is read before anything is replaced.
   */
  async sync(): Promise<RNNState> {
    this.checkDevice();
    const { layout, model } = this.pass;
    const [weights, ...slotValues] = await this.readBack(
      [this.pass.params, ...this.slots].map((b) => this.cmd.read(b, 0, layout.total)),
    );
    const state = await this.readBack([this.pass.readState()]);
    const named = unflatten(layout, weights);
    for (const k of layout.keys) model.params[k].assign(named[k]);
    tf.dispose(Object.values(named));
    const slots: Record<string, tf.Tensor> = {};
    SLOTS[this.optimizer.config.name].forEach((s, i) =>
      Object.entries(unflatten(layout, slotValues[i])).forEach(([k, t]) => (slots[`${k}/${s}`] = t)),
    );
    this.optimizer.restore(slots, this.iteration);
    return state[0];
  }

  /** Destroys every buffer of the run. */
  dispose(): void {
    this.cmd.destroy();
    this.lossReads.forEach((b) => b.destroy());
    this.lossReads.length = 0;
    this.idle.length = 0;
  }

  /** Awaits reads from the GPU; one that fails because the device is gone becomes the lost-device error. */
  private async readBack<T>(reads: Promise<T>[]): Promise<T[]> {
    try {
      return await Promise.all(reads);
    } catch (e) {
      this.lost ??= (e as Error).message;
      this.checkDevice();
      throw e;
    }
  }

  private checkDevice(): void {
    if (this.lost !== undefined)
      throw new CharRNNError(
        `the GPU device was lost (${this.lost}): training on WebGPU stopped; checkpoints already written are kept`,
      );
  }
}
