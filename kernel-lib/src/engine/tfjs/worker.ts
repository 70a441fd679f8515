import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { BackendChoice, startBackend } from './backends';
import { CharRNN, RNNState, disposeState } from '../../model/charrnn';
import { ModelConfig } from '../../model/config';
import { lossAndGrads } from './bptt';
import { StepReply, StepRequest } from './parallel';

/** A ParallelEngine worker: one model replica on its own backend, computing its streams' share of each step. */
async function main(): Promise<void> {
  const { config, backend } = workerData as { config: ModelConfig; backend: BackendChoice };
  await startBackend(backend);
  const model = CharRNN.create(config);
  const H = config.hiddenSize;
  parentPort!.postMessage({ ready: true });
  parentPort!.on('message', (req: StepRequest) => {
    try {
      // assign() shares the new tensor's data and leaves the tensor to the caller: tidy frees it, or every step
      // would leak a whole copy of the weights in this thread.
      for (const [name, values] of Object.entries(req.weights))
        tf.tidy(() => model.params[name].assign(tf.tensor(values, model.params[name].shape)));
      const Bw = req.streams.to - req.streams.from;
      const state: RNNState = { h: req.h.map((v) => tf.tensor2d(v, [Bw, H])) };
      if (req.c) state.c = req.c.map((v) => tf.tensor2d(v, [Bw, H]));
      const r = lossAndGrads(model, { x: req.x, y: req.y, T: req.T, B: Bw }, state, {
        dropoutSeed: req.dropoutSeed,
        streams: req.streams,
      });
      disposeState(state);
      const grads = Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, g.dataSync() as Float32Array]));
      const reply: StepReply = {
        loss: r.loss,
        grads,
        h: r.state.h.map((t) => t.dataSync() as Float32Array),
        c: r.state.c?.map((t) => t.dataSync() as Float32Array),
      };
      tf.dispose(Object.values(r.grads));
      disposeState(r.state);
      const buffers = [...Object.values(grads), ...reply.h, ...(reply.c ?? [])].map((a) => a.buffer as ArrayBuffer);
      parentPort!.postMessage(reply, buffers);
    } catch (e) {
      parentPort!.postMessage({ error: (e as Error).message });
    }
  });
}

main().catch((e) => parentPort!.postMessage({ error: (e as Error).message }));
