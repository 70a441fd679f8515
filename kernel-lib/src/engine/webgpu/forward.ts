import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../../errors';
import { CharRNN, RNNState } from '../../model/charrnn';
import { GATES } from '../../model/config';
import { checkIds, checkInputs } from '../batch';
import type { Activations, ForwardResult } from '../contract';
import { Forward, flatten } from './bptt';
import { Commands } from './commands';
import { requireGpu } from './device';

/**
 * Inference on the GPU with the training pass's kernels (./bptt.ts's Forward): a whole sequence for evaluation and
 * inspection, and a batch of streams one char at a time for sampling. No dropout; the same results as the TF.js
 * engine's forward and step to float tolerance.
 */

/**
 * The model over x [T*B] (time-major) from `state`, as one command buffer; logits, the state after the last step
 * and (collect) every step's h, c and gate activations are read back afterwards. The weights are uploaded for
 * this call: inspection reads long texts in chunks of hundreds of chars, next to which the upload is small.
 */
export async function webgpuForward(
  model: CharRNN,
  x: Int32Array,
  T: number,
  B: number,
  state: RNNState,
  opts: { collect?: boolean } = {},
): Promise<ForwardResult> {
  checkInputs(model, [x], T, B, state);
  const { vocabSize: V, hiddenSize: H, cell } = model.config;
  const GH = GATES[cell] * H;
  const N = T * B;
  const cmd = new Commands(await requireGpu());
  try {
    const f = new Forward(cmd, model, T, B);
    cmd.write(f.params, 0, flatten(f.layout, model.params));
    cmd.write(f.x, 0, Uint32Array.from(x));
    f.writeState(state);
    const { layers, logits } = f.recordForward([]);
    cmd.submit();
    // Rows B.. of HS and CS are h_1 .. h_T: [T, B, H] as they lie; Z is [T, B, G*H].
    const read = async (buf: GPUBuffer, off: number, width: number) =>
      tf.tensor3d(await cmd.read(buf, off, N * width), [T, B, width]);
    const activations: Activations | undefined = opts.collect
      ? {
          h: await Promise.all(layers.map((ly) => read(ly.HS, B * H, H))),
          ...(cell === 'lstm' ? { c: await Promise.all(layers.map((ly) => read(ly.CS!, B * H, H))) } : {}),
          gates: await Promise.all(layers.map((ly) => read(ly.Z, 0, GH))),
        }
      : undefined;
    const out = tf.tensor2d(await cmd.read(logits, 0, N * V), [N, V]);
    return { logits: out, state: await f.readState(), ...(activations ? { activations } : {}) };
  } finally {
    cmd.destroy();
  }
}

/**
 * B streams of one model stepped one char at a time on the GPU, for sampling many texts at once: the weights are
 * uploaded once and the state never leaves the GPU; each step is one command buffer, recorded once and replayed,
 * and only its logits [B, V] come back, through one staging buffer made once. The streams start from zeros.
 */
export class WebGpuStepper {
  private readonly staging: GPUBuffer;

  private constructor(
    private readonly cmd: Commands,
    private readonly f: Forward,
    private readonly logits: GPUBuffer,
    private readonly send: () => void,
  ) {
    const bytes = f.B * f.model.config.vocabSize * 4;
    this.staging = cmd.gpu.device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  static async create(model: CharRNN, B: number): Promise<WebGpuStepper> {
    const cmd = new Commands(await requireGpu());
    const f = new Forward(cmd, model, 1, B);
    cmd.write(f.params, 0, flatten(f.layout, model.params));
    const { logits } = f.recordForward([]);
    return new WebGpuStepper(cmd, f, logits, cmd.compile());
  }

  /** Feeds char ids x [B] (one per stream) and returns the next-char logits [B, V], row-major. */
  async step(x: Int32Array): Promise<Float32Array> {
    checkIds(this.f.model, [x], 1, this.f.B);
    this.cmd.write(this.f.x, 0, Uint32Array.from(x));
    this.send();
    const device = this.cmd.gpu.device;
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(this.logits, 0, this.staging, 0, this.staging.size);
    device.queue.submit([encoder.finish()]);
    try {
      await this.staging.mapAsync(GPUMapMode.READ);
    } catch (e) {
      throw new CharRNNError(`the GPU device was lost while sampling (${(e as Error).message})`);
    }
    const out = new Float32Array(this.staging.getMappedRange().slice(0));
    this.staging.unmap();
    return out;
  }

  /** The streams' state, read back as new tensors [B, H] per layer. */
  state(): Promise<RNNState> {
    return this.f.readState();
  }

  dispose(): void {
    this.cmd.destroy();
    this.staging.destroy();
  }
}
