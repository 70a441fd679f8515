import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../engine/start';
import { CharRNN } from '../model/charrnn';
import { beamSearch, sample } from './sampler';
import { Vocab } from '../text/vocab';
import { kernelState } from '../kernel/link';
import { closeComm, deliverCommMsg, openComm } from '../kernel/comm';
import { SamplerPanel } from './panel';
import { mimeType, type SamplerReply, type SamplerView } from '@charrnn/schema';

const vocab = Vocab.fromText('abcdefgh <>\n');
let model: CharRNN;
const published: { type: string; content: any }[] = [];

before(async () => {
  await initBackend('wasm');
  model = CharRNN.create(
    { cell: 'lstm', vocabSize: vocab.size, hiddenSize: 8, numLayers: 1, dropout: 0 },
    { seed: 2, initScale: 0.5 },
  );
  kernelState.link = { publish: (type, content) => void published.push({ type, content }) };
});

after(() => {
  kernelState.link = null;
  model.dispose();
});

/** The replies the kernel sent on comm `id` since `from`. */
function replies(id: string, from: number): SamplerReply[] {
  return published
    .slice(from)
    .filter((m) => m.type === 'comm_msg' && m.content.comm_id === id)
    .map((m) => m.content.data);
}

test('sampler panel records a temperature grid and answers live requests with the same text sample() gives', () => {
  const panel = new SamplerPanel(model, vocab, { prime: 'ab', length: 30, seed: 9, temperatures: [0.5, 1] });
  const view = panel.toMimeBundle().data[mimeType('sampler')] as SamplerView;
  assert.equal(view.commTarget, panel.commTarget);
  assert.deepEqual(
    view.grid.map((g) => g.temperature),
    [0.5, 1],
  );
  assert.equal(view.grid[1].text, sample(model, vocab, { prime: 'ab', length: 30, seed: 9, temperature: 1 }));

  const from = published.length;
  assert.equal(openComm('s1', panel.commTarget, {}), true);
  const req = { action: 'sample', requestId: 4, prime: 'ha', length: 500, temperature: 0.7, seed: 3, topK: 3 };
  deliverCommMsg('s1', req);
  const got = replies('s1', from);
  assert.ok(got.length >= 1 && got.every((r) => r.requestId === 4));
  assert.deepEqual(
    got.map((r) => r.done),
    [...got.slice(1).map(() => false), true],
  );
  assert.equal(
    got.map((r) => r.chunk).join(''),
    sample(model, vocab, { prime: 'ha', length: 500, temperature: 0.7, seed: 3, topK: 3 }),
  );
  assert.ok(got[0].chunk.startsWith('ha'));
  closeComm('s1');
});

test('bad sampler requests get one-line errors, not exceptions', () => {
  const panel = new SamplerPanel(model, vocab, { length: 5, temperatures: [1] });
  openComm('s2', panel.commTarget, {});
  const ask = (over: object) => {
    const from = published.length;
    deliverCommMsg('s2', {
      action: 'sample',
      requestId: 1,
      prime: '',
      length: 10,
      temperature: 1,
      seed: 1,
      topK: 0,
      ...over,
    });
    return replies('s2', from);
  };
  assert.match(ask({ prime: 'xyz' }).at(-1)?.error ?? '', /not in the model's vocabulary: .*x/);
  assert.match(ask({ length: 0 }).at(-1)?.error ?? '', /length must be a whole number from 1 to 10000, got 0/);
  assert.match(ask({ temperature: 0 }).at(-1)?.error ?? '', /temperature must be a number above 0/);
  assert.match(ask({ topK: 99 }).at(-1)?.error ?? '', /top-k must be a whole number from 0 to 12, got 99/);
  assert.deepEqual(ask({ action: 'other' }), []);
  closeComm('s2');
});

test('beam requests answer with the best continuation and every kept one; unknown prime chars can be dropped', () => {
  const panel = new SamplerPanel(model, vocab, { length: 5, temperatures: [1], beam: 2 });
  assert.equal(
    panel.grid[0].text,
    beamSearch(model, vocab, { length: 5, beam: 2 })[0].text,
    "recorded with the panel's beam",
  );
  openComm('s3', panel.commTarget, {});
  const ask = (over: object) => {
    const from = published.length;
    deliverCommMsg('s3', {
      action: 'sample',
      requestId: 7,
      prime: 'ab',
      length: 20,
      temperature: 0.8,
      seed: 1,
      topK: 0,
      ...over,
    });
    return replies('s3', from);
  };
  const beams = beamSearch(model, vocab, { prime: 'ab', length: 20, temperature: 0.8, beam: 3 });
  assert.deepEqual(ask({ beam: 3 }), [{ requestId: 7, chunk: beams[0].text, done: true, beams }]);
  assert.equal(
    ask({ beam: 0 })
      .map((r) => r.chunk)
      .join(''),
    sample(model, vocab, { prime: 'ab', length: 20, temperature: 0.8, seed: 1 }),
  );
  assert.match(ask({ beam: 33 }).at(-1)?.error ?? '', /beam must be a whole number from 0 to 32, got 33/);
  assert.match(ask({ length: -5 }).at(-1)?.error ?? '', /length must be a whole number from 1 to 10000, got -5/);
  assert.match(
    ask({ prime: 'aZb' }).at(-1)?.error ?? '',
    /'Z' \(U\+005A\) \(tick "drop unknown characters" to leave them out\)/,
  );
  assert.equal(
    ask({ prime: 'aZb', dropUnknown: true })
      .map((r) => r.chunk)
      .join(''),
    sample(model, vocab, { prime: 'ab', length: 20, temperature: 0.8, seed: 1 }),
  );
  closeComm('s3');
});
