import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { backendInfo } from './backends';
import { CharRNNError } from '../../errors';
import { CharRNN, RNNState } from '../../model/charrnn';
import { Batch } from '../batch';
import { lossAndGrads } from './bptt';
import type { LossAndGrads, Threads } from '../contract';

/** What the main thread sends a worker for one step: its streams of the batch, its rows of the state. */
export interface StepRequest {
  weights: Record<string, Float32Array>;
  x: Int32Array; // [T, Bw] time-major
  y: Int32Array;
  T: number;
  /** Streams [from, to) of a batch of `total` streams: dropout masks are cut from the full batch's masks. */
  streams: { from: number; to: number; total: number };
  h: Float32Array[]; // per layer [Bw, H]
  c?: Float32Array[];
  dropoutSeed?: number;
}

export interface StepReply {
  loss: number;
  grads: Record<string, Float32Array>;
  h: Float32Array[];
  c?: Float32Array[];
  error?: string;
}

/** Streams [from, to) of a time-major [T, B] id array. */
function streamsOf(ids: Int32Array, T: number, B: number, from: number, to: number): Int32Array {
  const out = new Int32Array(T * (to - from));
  for (let t = 0; t < T; t++) out.set(ids.subarray(t * B + from, t * B + to), t * (to - from));
  return out;
}

/** Rows [from, to) of each layer's [B, H] state, as host arrays. */
function rowsOf(list: tf.Tensor2D[], from: number, to: number): Float32Array[] {
  return list.map((t) => tf.tidy(() => tf.slice(t, [from, 0], [to - from, -1]).dataSync() as Float32Array));
}

/**
 * Data-parallel training on several threads: the batch's streams are shared out between the main thread and
 * worker threads, each with its own TF.js backend; every step the workers get the current weights, and the
 * gradients come back and are averaged, weighted by streams. The result equals single-thread lossAndGrads to
 * float tolerance (same data, same dropout masks). Hand-written because TF.js has no multi-threaded CPU backend
 * in Node: the wasm backend runs XNNPACK on one thread there.
 */
export class ParallelEngine implements Threads {
  private constructor(
    private readonly workers: Replica[],
    readonly threads: number,
  ) {}

  /** Starts threads - 1 workers running the same model config on the same backend as this thread. */
  static async start(model: CharRNN, threads: number): Promise<ParallelEngine> {
    if (!Number.isInteger(threads) || threads < 2)
      throw new CharRNNError(`threads must be a whole number >= 2, got ${threads}`);
    if (model.custom) throw new CharRNNError('multi-threaded training supports the built-in cells only');
    const backend = backendInfo()?.name ?? 'wasm';
    const workers: Replica[] = [];
    for (let i = 1; i < threads; i++) workers.push(new Replica(model, backend));
    await Promise.all(workers.map((w) => w.ready));
    return new ParallelEngine(workers, threads);
  }

  /** Same contract as lossAndGrads: mean loss over the whole batch, gradients of that mean, the new state. */
  async lossAndGrads(
    model: CharRNN,
    batch: Batch,
    state: RNNState,
    opts: { dropoutSeed?: number } = {},
  ): Promise<LossAndGrads> {
    const { T, B } = batch;
    if (B < this.threads) return lossAndGrads(model, batch, state, opts);
    // Stream ranges: the main thread takes the first share, worker i the (i+1)-th.
    const bounds = Array.from({ length: this.threads + 1 }, (_, i) => Math.round((i * B) / this.threads));
    const weights = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, v.dataSync() as Float32Array]));
    const replies = this.workers.map((w, i) => {
      const [from, to] = [bounds[i + 1], bounds[i + 2]];
      const req: StepRequest = {
        weights,
        x: streamsOf(batch.x, T, B, from, to),
        y: streamsOf(batch.y, T, B, from, to),
        T,
        streams: { from, to, total: B },
        h: rowsOf(state.h, from, to),
        c: state.c && rowsOf(state.c, from, to),
        dropoutSeed: opts.dropoutSeed,
      };
      return w.step(req);
    });
    const [from, to] = [bounds[0], bounds[1]];
    const mine = tf.tidy(() => ({
      h: state.h.map((t) => tf.slice(t, [from, 0], [to - from, -1]) as tf.Tensor2D),
      c: state.c?.map((t) => tf.slice(t, [from, 0], [to - from, -1]) as tf.Tensor2D),
    }));
    const local = lossAndGrads(
      model,
      { x: streamsOf(batch.x, T, B, from, to), y: streamsOf(batch.y, T, B, from, to), T, B: to - from },
      mine,
      { ...opts, streams: { from, to, total: B } },
    );
    tf.dispose([...mine.h, ...(mine.c ?? [])]);
    const others = await Promise.all(replies);

    // Weighted by streams: the full batch's mean is the stream-weighted mean of the parts' means.
    const share = (i: number) => (bounds[i + 1] - bounds[i]) / B;
    const loss = others.reduce((sum, r, i) => sum + share(i + 1) * r.loss, share(0) * local.loss);
    const grads: Record<string, tf.Tensor> = {};
    for (const [name, g] of Object.entries(local.grads)) {
      grads[name] = tf.tidy(() =>
        others.reduce(
          (acc, r, i) => tf.add(acc, tf.mul(tf.tensor(r.grads[name], g.shape), share(i + 1))),
          tf.mul(g, share(0)),
        ),
      );
      g.dispose();
    }
    const H = model.config.hiddenSize;
    const join = (mineRows: tf.Tensor2D[], theirs: (r: StepReply) => Float32Array[]) =>
      mineRows.map((t, l) =>
        tf.tidy(
          () =>
            tf.concat(
              [t, ...others.map((r, i) => tf.tensor2d(theirs(r)[l], [bounds[i + 2] - bounds[i + 1], H]))],
              0,
            ) as tf.Tensor2D,
        ),
      );
    const next: RNNState = { h: join(local.state.h, (r) => r.h) };
    if (local.state.c) next.c = join(local.state.c, (r) => r.c!);
    tf.dispose([...local.state.h, ...(local.state.c ?? [])]);
    return { loss, grads, state: next };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/** One worker thread holding a model replica; one request in flight at a time. */
class Replica {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  private pending?: { resolve: (r: StepReply) => void; reject: (e: Error) => void };
  private failed?: Error;

  constructor(model: CharRNN, backend: string) {
    this.worker = new Worker(path.join(__dirname, 'worker.js'), { workerData: { config: model.config, backend } });
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.pending = { resolve: () => resolve(), reject };
    });
    this.worker.on('message', (m: StepReply & { ready?: boolean }) => {
      const p = this.pending;
      this.pending = undefined;
      if (m.error) p?.reject(new CharRNNError(`training thread failed: ${m.error}`));
      else p?.resolve(m);
    });
    this.worker.on('error', (e) => {
      this.failed = new CharRNNError(`training thread failed: ${e.message}`);
      this.pending?.reject(this.failed);
      this.pending = undefined;
    });
  }

  step(req: StepRequest): Promise<StepReply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(req);
    });
  }
}
