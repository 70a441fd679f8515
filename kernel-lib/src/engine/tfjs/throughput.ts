import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from './backends';
import { CharRNN, disposeState } from '../../model/charrnn';
import { CellType } from '../../model/config';
import { Rng } from '../../rng';
import { lossAndGrads } from './bptt';
import { step } from './forward';
import { useFusedKernels } from './kernels';

export interface ThroughputConfig {
  cell: CellType;
  hiddenSize: number;
  numLayers: number;
  B: number;
  T: number;
  vocabSize: number;
}

/**
 * Training throughput of lossAndGrads in chars/s (T*B chars per call, gradients included, no optimizer), after
 * `warmup` untimed calls; the median of `iters` timed calls. Random ids: speed does not depend on the text.
 */
export function trainingCharsPerSec(c: ThroughputConfig, iters = 3, warmup = 1): number {
  const model = CharRNN.create({
    cell: c.cell,
    vocabSize: c.vocabSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    dropout: 0,
  });
  const rng = new Rng(1);
  const ids = () => Int32Array.from({ length: c.T * c.B }, () => Math.floor(rng.next() * c.vocabSize));
  const batch = { x: ids(), y: ids(), T: c.T, B: c.B };
  let state = model.zeroState(c.B);
  const times: number[] = [];
  for (let i = 0; i < warmup + iters; i++) {
    const t0 = performance.now();
    const r = lossAndGrads(model, batch, state);
    tf.dispose(Object.values(r.grads));
    disposeState(state);
    state = r.state;
    if (i >= warmup) times.push(performance.now() - t0);
  }
  disposeState(state);
  model.dispose();
  times.sort((a, b) => a - b);
  return (c.T * c.B) / (times[Math.floor(times.length / 2)] / 1000);
}

/** Sampling throughput of step() at batch 1 in chars/s over n steps (argmax feedback, no sync beyond it). */
export function samplingCharsPerSec(c: Omit<ThroughputConfig, 'B' | 'T'>, n = 1000): number {
  const model = CharRNN.create({
    cell: c.cell,
    vocabSize: c.vocabSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    dropout: 0,
  });
  let state = model.zeroState(1);
  let x = Int32Array.of(0);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = step(model, x, state);
    x = Int32Array.of(tf.tidy(() => tf.argMax(r.logits, 1).dataSync()[0]));
    r.logits.dispose();
    disposeState(state);
    state = r.state;
  }
  const sec = (performance.now() - t0) / 1000;
  disposeState(state);
  model.dispose();
  return n / sec;
}

// node kernel-lib/dist/engine/tfjs/throughput.js [a|b|c ...]: chars/s per config (those of the performance notes), with
// and without the fused kernels, alternating and keeping each one's best of 3 rounds (the machine is shared).
if (require.main === module) {
  const CONFIGS: Record<string, ThroughputConfig> = {
    a: { cell: 'lstm', hiddenSize: 128, numLayers: 2, B: 50, T: 50, vocabSize: 65 },
    b: { cell: 'lstm', hiddenSize: 512, numLayers: 2, B: 100, T: 100, vocabSize: 65 },
    c: { cell: 'lstm', hiddenSize: 512, numLayers: 3, B: 50, T: 50, vocabSize: 65 },
  };
  void (async () => {
    const info = await startBackend('auto');
    for (const name of process.argv.slice(2).length ? process.argv.slice(2) : ['a']) {
      const c = CONFIGS[name];
      const best: Record<string, { train: number; sample: number }> = {};
      for (let round = 0; round < 3; round++) {
        for (const fused of [true, false]) {
          useFusedKernels(fused);
          const key = fused ? 'default (fused kernels for small steps)' : 'plain ops only';
          const train = trainingCharsPerSec(c, name === 'a' ? 3 : 1);
          const sample = samplingCharsPerSec(c, 300);
          best[key] = {
            train: Math.max(train, best[key]?.train ?? 0),
            sample: Math.max(sample, best[key]?.sample ?? 0),
          };
        }
      }
      for (const [key, r] of Object.entries(best)) {
        console.log(
          `${info.name} ${key} config ${name}: train ${r.train.toFixed(0)} chars/s, sample (B=1) ${r.sample.toFixed(0)} chars/s`,
        );
      }
    }
  })();
}
