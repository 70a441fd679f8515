import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../engine/start';
import { CharRNN } from '../model/charrnn';
import { Vocab } from '../text/vocab';
import { kernelState } from '../kernel/link';
import { closeComm, deliverCommMsg, openComm } from '../kernel/comm';
import { decodeInt8 } from '../display/activations';
import { Explorer } from './explorer';
import { searchBySelection, whereElse } from './selection';
import { inspectText } from './trace';
import {
  mimeType,
  type ActivationsView,
  type ProbeReply,
  type SearchReply,
  type WhereElseReply,
} from '@charrnn/schema';

const vocab = Vocab.fromText('abc "<>\n');
let model: CharRNN;
const published: { type: string; content: any }[] = [];

before(async () => {
  await initBackend('wasm');
  model = CharRNN.create({ cell: 'lstm', vocabSize: vocab.size, hiddenSize: 6, numLayers: 2, dropout: 0 }, { seed: 1 });
  kernelState.link = { publish: (type, content) => void published.push({ type, content }) };
});

after(() => {
  kernelState.link = null;
  model.dispose();
});

test("an explorer given no cell opens on its text's liveliest one (the library decides, so every front end agrees)", () => {
  const text = 'a "b" <c>\n';
  assert.deepEqual(new Explorer(model, vocab, text).view().selected, inspectText(model, vocab, text).liveliestCell);
});

test('explorer shows the text with h and c per layer and top-5 guesses, and answers probes with the probe text', () => {
  const explorer = new Explorer(model, vocab, 'a "b" <c>\n', { selected: { layer: 1, kind: 'c', index: 2 } });
  const view = explorer.toMimeBundle().data[mimeType('activations')] as ActivationsView;
  assert.equal(view.commTarget, explorer.commTarget);
  assert.deepEqual(view.selected, { layer: 1, kind: 'c', index: 2 });
  assert.equal(view.text.join(''), 'a "b" <c>\n');
  assert.equal(view.layers.length, 2);
  // The saved bundle holds the selected cell; the live view (what probes get) every cell.
  assert.deepEqual(
    view.layers.map((l) => l.units),
    [[], [2]],
  );
  assert.deepEqual(view.layers[1].c?.shape, [10, 1]);
  assert.deepEqual(explorer.view().layers[1].c?.shape, [10, 6]);
  assert.equal(view.predictions.chars.length, 10 * 5);
  assert.ok(decodeInt8(view.layers[0].h).every((v) => v >= -1 && v <= 1));

  openComm('p1', explorer.commTarget, {});
  const from = published.length;
  deliverCommMsg('p1', { action: 'probe', requestId: 7, text: 'cab' });
  deliverCommMsg('p1', { action: 'probe', requestId: 8, text: 'zzz' });
  const got = published.slice(from).map((m) => m.content.data as ProbeReply);
  assert.equal(got[0].requestId, 7);
  assert.equal(got[0].view?.text.join(''), 'cab');
  assert.deepEqual(got[0].view?.layers[0].h.shape, [3, 6]);
  assert.deepEqual(got[1], { requestId: 8, error: got[1].error });
  assert.match(got[1].error ?? '', /not in the vocabulary: .*z/);
  closeComm('p1');
});

test('explorer answers a selection search with the cells that follow the selection, best first, as searchBySelection ranks them', () => {
  const text = 'a "b" <c>\na "bc" <a>\n';
  const explorer = new Explorer(model, vocab, text);
  openComm('s1', explorer.commTarget, {});
  const from = published.length;
  deliverCommMsg('s1', { action: 'search', requestId: 3, text, start: 2, end: 5, top: 4 });
  deliverCommMsg('s1', { action: 'search', requestId: 4, text, start: 0, end: [...text].length });
  const [found, whole] = published.slice(from).map((m) => m.content.data as SearchReply);
  assert.equal(found.requestId, 3);
  assert.deepEqual(found.ranked, searchBySelection(model, vocab, text, 2, 5).best(4));
  assert.equal(found.feature, `selection ${JSON.stringify('"b"')} (chars 2 to 4)`);
  assert.match(found.metric ?? '', /point-biserial/);
  assert.deepEqual(whole, { requestId: 4, error: whole.error });
  assert.match(whole.error ?? '', /covers the whole text/);
  closeComm('s1');
});

test('explorer answers "where else does this cell fire?" with the cell\'s top passages in its whereElseText', () => {
  const elsewhere = 'abc "a" <b>\nca "bb" <c>\n'.repeat(4);
  const explorer = new Explorer(model, vocab, 'a "b"', { whereElseText: vocab.encode(elsewhere) });
  assert.equal(explorer.view().whereElseChars, [...elsewhere].length);
  assert.equal(new Explorer(model, vocab, 'a').view().whereElseChars, undefined);
  openComm('w1', explorer.commTarget, {});
  const from = published.length;
  const cell = { layer: 1, kind: 'c', index: 4 } as const;
  deliverCommMsg('w1', { action: 'whereElse', requestId: 5, cell, top: 3 });
  deliverCommMsg('w1', { action: 'whereElse', requestId: 6, cell: { layer: 7, kind: 'h', index: 0 } });
  const [found, bad] = published.slice(from).map((m) => m.content.data as WhereElseReply);
  const expected = whereElse(model, vocab, elsewhere, cell, { top: 3, context: 30 });
  assert.equal(found.requestId, 5);
  assert.equal(found.searched, [...elsewhere].length);
  assert.deepEqual(
    found.passages?.map((p) => [p.peak, p.start, p.chars.join('')]),
    expected.passages.map((p) => [p.peak, p.start, p.chars.join('')]),
  );
  assert.ok(
    found.passages!.every(
      (p, i) => Math.abs(p.value - expected.passages[i].value) < 6e-4 && p.values.length === p.chars.length,
    ),
  );
  assert.match(bad.error ?? '', /^no cell h\[0\] in layer 7/);
  closeComm('w1');
});
