import test from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../engine/start';
import { deliverCommMsg, openComm } from '../kernel/comm';
import { clearInterrupt, requestInterrupt } from '../kernel/interrupt';
import { kernelState } from '../kernel/link';
import { CharRNN } from '../model/charrnn';
import { corpusFromText } from '../text/corpus';
import { TrainingRun } from './dashboard';
import { Trainer } from './trainer';

function trainer(): Trainer {
  const corpus = corpusFromText('all work and no play makes jack a dull boy\n'.repeat(30));
  const model = CharRNN.create(
    { cell: 'gru', vocabSize: corpus.vocab.size, hiddenSize: 12, numLayers: 1, dropout: 0 },
    { seed: 2 },
  );
  return new Trainer(model, corpus.vocab, corpus.data, {
    batchSize: 4,
    seqLength: 10,
    maxIters: 200,
    sampleEvery: 2,
    sampleLength: 20,
  });
}

test.before(async () => {
  await initBackend('wasm');
});

test('the dashboard stop button (a comm message) ends training cleanly', async () => {
  const t = trainer();
  const run = new TrainingRun(t);
  let opened = false;
  const result = await run.train({
    redrawMs: 0,
    onProgress: (p) => {
      if (p.iter !== 4) return;
      opened = openComm('comm-1', run.commTarget, {});
      deliverCommMsg('comm-1', { action: 'stop' });
    },
  });
  assert.ok(opened, 'the run registered its comm target');
  assert.equal(result.status, 'stopped');
  assert.equal(run.points.length, 4);
  const view = run.view();
  assert.equal(view.status, 'stopped');
  assert.equal(view.commTarget, undefined);
  assert.equal(view.samples.length, 2);
  // The dashboard names the engine (and on WebGPU the GPU) as the engine's line does.
  assert.equal(view.engine, t.engine.describe(t.threads));
  assert.match(view.engine as string, /engine/);
  const bundle = run.toMimeBundle();
  assert.ok('application/vnd.charrnn.training+json' in bundle.data);
  assert.match(String(bundle.data['text/plain']), /stopped/);
  assert.match(String(bundle.data['text/plain']), /\nengine\s+(native engine|TF\.js engine)/);
  t.dispose();
  t.model.dispose();
});

test('a front end that reconnected asks for the run as it stands (sync) and gets its current view on the comm', async () => {
  const t = trainer();
  const run = new TrainingRun(t);
  const published: [string, Record<string, unknown>][] = [];
  kernelState.link = { publish: (type, content) => void published.push([type, content]) };
  try {
    await run.train({ redrawMs: 0, onProgress: (p) => p.iter === 3 && t.stop() });
    // The run has ended, and the page missed that: it syncs on its comm, still open.
    assert.ok(openComm('comm-sync', run.commTarget, {}));
    deliverCommMsg('comm-sync', { action: 'sync' });
  } finally {
    kernelState.link = null;
  }
  const answers = published.filter(([type, c]) => type === 'comm_msg' && c.comm_id === 'comm-sync');
  assert.equal(answers.length, 1);
  const view = (answers[0][1].data as { view: ReturnType<TrainingRun['view']> }).view;
  assert.equal(view.status, 'stopped');
  assert.equal(view.points.length, 3);
  assert.deepEqual(view, run.view());
  t.dispose();
  t.model.dispose();
});

test('a notebook interrupt stops the loop and leaves the model usable', async () => {
  const t = trainer();
  const result = await new TrainingRun(t).train({ onProgress: (p) => p.iter === 3 && requestInterrupt() });
  clearInterrupt();
  assert.equal(result.status, 'interrupted');
  assert.equal(t.iter, 3);
  const more = await t.run({ shouldStop: () => t.iter >= 5 });
  assert.equal(more.iter, 5);
  t.dispose();
  t.model.dispose();
});
