import test from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { initBackend } from '../engine/start';
import { CharRNN } from '../model/charrnn';
import type { EngineChoice } from '../engine/contract';
import { onEngine } from '../engine/native/testing';
import { corpusFromText } from '../text/corpus';
import { Trainer } from './trainer';

/**
 * Long runs must not grow. A leak of one thing per step (the worker threads once kept a copy of the weights each
 * step: about 1 MB per iteration at 2 x 128) shows as a steady rise of the process's memory. Each run below reads
 * the RSS every 10 iterations after a full garbage collection (so garbage not yet collected is not counted), fits
 * a line after a warm-up, and bounds its slope per iteration well below one copy of the weights.
 * A file of its own, so that its process (node --test runs one per file) holds nothing but these runs.
 */

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const ITERS = 300;
const WARMUP = 100;

/** Least-squares slope of ys against xs. */
function slope(xs: number[], ys: number[]): number {
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const cov = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0);
  return cov / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
}

test.before(async () => {
  await initBackend('wasm');
});

const runs: [EngineChoice, number][] = [
  ['native', 1],
  ['tfjs', 1],
  ['tfjs', 2],
];
for (const [engine, threads] of runs) {
  test(
    `RSS stays flat over ${ITERS} iterations (${engine} engine, ${threads} thread${threads > 1 ? 's' : ''}, 2 x 128)`,
    onEngine(engine),
    async (t) => {
      const corpus = corpusFromText('the quick brown fox jumps over the lazy dog. '.repeat(400));
      const model = CharRNN.create(
        { cell: 'lstm', vocabSize: corpus.vocab.size, hiddenSize: 128, numLayers: 2, dropout: 0 },
        { seed: 1 },
      );
      const trainer = new Trainer(model, corpus.vocab, corpus.data, {
        engine,
        threads,
        batchSize: 4,
        seqLength: 10,
        maxIters: ITERS,
        trainFrac: 1,
        valFrac: 0,
      });
      const weightBytes = Object.values(model.params).reduce((s, p) => s + p.size * 4, 0); // about 870 KB
      const iters: number[] = [];
      const rss: number[] = [];
      await trainer.run({
        onProgress: ({ iter }) => {
          if (iter < WARMUP || iter % 10 !== 0) return;
          gc();
          iters.push(iter);
          rss.push(process.memoryUsage().rss);
        },
      });
      trainer.dispose();
      model.dispose();
      const perIter = slope(iters, rss);
      const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
      t.diagnostic(`RSS slope ${kb(perIter)} per iteration after iteration ${WARMUP}`);
      assert.ok(
        perIter < weightBytes / 4,
        `RSS grew ${kb(perIter)} per iteration (bound ${kb(weightBytes / 4)}), from ${kb(rss[0])} to ${kb(rss[rss.length - 1])}`,
      );
    },
  );
}
