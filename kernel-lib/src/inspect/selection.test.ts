import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../engine/start';
import { CharRNN } from '../model/charrnn';
import { Rng } from '../rng';
import { Vocab } from '../text/vocab';
import { cellCorrelations } from '@charrnn/schema';
import { searchBySelection, selectionSearch, whereElse } from './selection';
import { TextTrace, inspectText } from './trace';

const TEXT = 'see http://www.x.org or "quote" here\nand <b>http://a.b</b> then more text\n'.repeat(3);
const vocab = Vocab.fromText(TEXT + '<>&');
let model: CharRNN;

before(async () => {
  await initBackend('wasm');
  model = CharRNN.create({ cell: 'lstm', vocabSize: vocab.size, hiddenSize: 8, numLayers: 2, dropout: 0 }, { seed: 3 });
});

after(() => model.dispose());

/** A noise trace of 2 LSTM layers of H = 4 where layer 1 c[3] is 0.8 on chars 4..20 and -0.2 elsewhere. */
function planted(): TextTrace {
  const chars = Array.from(TEXT);
  const [T, H] = [chars.length, 4];
  const rng = new Rng(5);
  const noise = () => Float32Array.from({ length: T * H }, () => rng.uniform(-1, 1));
  const layers = [
    { h: noise(), c: noise() },
    { h: noise(), c: noise() },
  ];
  for (let t = 0; t < T; t++) layers[1].c[t * H + 3] = t >= 4 && t < 21 ? 0.8 : -0.2;
  return new TextTrace(
    chars,
    Int32Array.from(vocab.encode(TEXT)),
    'lstm',
    H,
    layers,
    1,
    new Int32Array(T),
    new Float32Array(T),
    new Float32Array(T).fill(0.5),
    vocab,
  );
}

test('a cell that is on exactly over the selection ranks first with score 1; the score is the point-biserial correlation', () => {
  const trace = planted();
  const found = selectionSearch(trace, 4, 21);
  assert.deepEqual(found.best(1)[0], {
    layer: 1,
    kind: 'c',
    index: 3,
    score: 1,
    correlation: 1,
    meanOn: found.ranked[0].meanOn,
    meanOff: found.ranked[0].meanOff,
  });
  assert.ok(Math.abs(found.ranked[0].meanOn - 0.8) < 1e-6 && Math.abs(found.ranked[0].meanOff + 0.2) < 1e-6);
  assert.ok(found.ranked[1].score < 0.5, `runner-up ${found.ranked[1].score}`);
  assert.equal(found.feature, 'selection "http://www.x.org " (chars 4 to 20)');
  assert.match(found.metric, /^\|point-biserial correlation\| of activation with the feature over 222 chars/);

  // point-biserial r = (mean inside - mean outside) / sd * sqrt(p (1 - p)), for any cell
  const T = trace.length;
  const a = trace.neuron({ layer: 0, kind: 'h', index: 1 });
  const inside = (t: number) => t >= 30 && t < 37;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const all = Array.from(a);
  const [m1, m0] = [mean(all.filter((_, t) => inside(t))), mean(all.filter((_, t) => !inside(t)))];
  const sd = Math.sqrt(mean(all.map((x) => (x - mean(all)) ** 2)));
  const p = 7 / T;
  const r = selectionSearch(trace, 30, 37).ranked.find(
    (c) => c.layer === 0 && c.kind === 'h' && c.index === 1,
  )!.correlation;
  assert.ok(Math.abs(r - ((m1 - m0) / sd) * Math.sqrt(p * (1 - p))) < 1e-6, `r ${r}`);
});

test('bad selections are one clear error', () => {
  const trace = planted();
  assert.throws(() => selectionSearch(trace, 5, 5), /0 <= start < end <= 222, got 5 to 5/);
  assert.throws(() => selectionSearch(trace, -1, 3), /got -1 to 3/);
  assert.throws(() => selectionSearch(trace, 0, 223), /got 0 to 223/);
  assert.throws(() => selectionSearch(trace, 1.5, 3), /whole character positions/);
  assert.throws(() => selectionSearch(trace, 0, 222), /covers the whole text/);
});

test('searchBySelection runs the model over the text and ranks all its cells, as a search on its trace does', () => {
  const found = searchBySelection(model, vocab, TEXT, 4, 21);
  assert.equal(found.ranked.length, 2 * 2 * 8);
  assert.deepEqual(found.best(5), selectionSearch(inspectText(model, vocab, TEXT), 4, 21).best(5));
  for (let i = 1; i < found.ranked.length; i++) assert.ok(found.ranked[i - 1].score >= found.ranked[i].score);
  assert.ok('application/vnd.charrnn.neurons+json' in found.toMimeBundle().data);
});

test("the int8 activations a notebook saves give nearly the kernel's scores (the offline search of the widget)", () => {
  const trace = planted();
  const H = trace.hiddenSize;
  const mask = Float64Array.from(trace.chars, (_, t) => (t >= 40 && t < 50 ? 1 : 0));
  const exact = cellCorrelations(trace.layers[0].h, trace.length, H, mask);
  const bytes = Int8Array.from(trace.layers[0].h, (v) => Math.round(v * 127));
  const saved = cellCorrelations(bytes, trace.length, H, mask, 1 / 127);
  for (let i = 0; i < H; i++) {
    assert.ok(Math.abs(exact.r[i] - saved.r[i]) < 0.01, `unit ${i}: ${exact.r[i]} vs ${saved.r[i]}`);
    assert.ok(Math.abs(exact.meanOn[i] - saved.meanOn[i]) < 0.005);
  }
});

test("whereElse: the cell's highest peaks, at least a context apart, each with its context, from text or char ids", () => {
  const cell = { layer: 1, kind: 'c', index: 2 } as const;
  const found = whereElse(model, vocab, TEXT, cell, { top: 4, context: 10 });
  const values = inspectText(model, vocab, TEXT).neuron(cell).map(Math.tanh);
  assert.equal(found.searched, values.length);
  assert.equal(found.passages.length, 4);
  const best = Math.max(...values);
  assert.ok(Math.abs(found.passages[0].value - best) < 1e-5);
  for (const [i, p] of found.passages.entries()) {
    assert.ok(Math.abs(p.value - values[p.peak]) < 1e-5);
    assert.equal(p.start, Math.max(0, p.peak - 10));
    assert.equal(
      p.chars.join(''),
      Array.from(TEXT)
        .slice(p.start, p.peak + 11)
        .join(''),
    );
    assert.equal(p.values.length, p.chars.length);
    if (i > 0) assert.ok(p.value <= found.passages[i - 1].value);
    for (const q of found.passages.slice(0, i)) assert.ok(Math.abs(q.peak - p.peak) > 10);
  }
  const lowest = whereElse(model, vocab, vocab.encode(TEXT), cell, { top: 1, lowest: true });
  assert.ok(Math.abs(lowest.passages[0].value - Math.min(...values)) < 1e-5);

  const bundle = found.toMimeBundle().data;
  assert.match(
    String(bundle['text/plain']),
    /^Where layer 1 cell state \(tanh of c\) unit 2 fires: its 4 highest peaks in 222 characters\n1\tchar \d+\t/,
  );
  assert.ok(
    !String(bundle['text/html']).includes('<b>http') && !/<b>[^W]/.test(String(bundle['text/html'])),
    'text from data is escaped',
  );
  assert.throws(
    () => whereElse(model, vocab, TEXT, { layer: 2, kind: 'h', index: 0 }),
    /no cell h\[0\] in layer 2 \(2 layers of 8, lstm/,
  );
  assert.throws(() => whereElse(model, vocab, TEXT, cell, { top: 0 }), /top must be a whole number >= 1/);
  assert.throws(() => whereElse(model, vocab, 'zzz', cell), /not in the vocabulary/);
});
