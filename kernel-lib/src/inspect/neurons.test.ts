import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng';
import { Vocab } from '../text/vocab';
import { insideQuotes, positionInLine } from './features';
import { interpretableFraction, searchNeurons } from './neurons';
import { gateSaturation } from './saturation';
import { errorAnalysis } from './mistakes';
import { TextTrace, VIEW_MAX_BYTES } from './trace';

const TEXT = 'He said "come here" and left.\nShe asked "why?" twice,\nthen "no" again. "Fine," he said.\n'.repeat(4);

/**
 * A hand-made 2-layer LSTM trace of H = 4: layer 0 h[2] is exactly "inside quotes" (scaled), layer 1 c[1] is minus
 * the position in line, everything else is noise. Gates: input unit 0 always shut, forget unit 1 always open.
 */
function handMadeTrace(): TextTrace {
  const chars = Array.from(TEXT);
  const T = chars.length;
  const H = 4;
  const rng = new Rng(1);
  const noise = () => Float32Array.from({ length: T * H }, () => rng.uniform(-1, 1));
  const quotes = insideQuotes(chars);
  const column = positionInLine(chars);
  const layers = [
    { h: noise(), c: noise(), gates: Float32Array.from({ length: T * 4 * H }, () => rng.uniform(0.2, 0.8)) },
    { h: noise(), c: noise(), gates: Float32Array.from({ length: T * 4 * H }, () => rng.uniform(0.2, 0.8)) },
  ];
  for (let t = 0; t < T; t++) {
    layers[0].h[t * H + 2] = 0.9 * quotes[t] - 0.3;
    layers[1].c[t * H + 1] = -column[t] / 40;
    layers[0].gates[t * 4 * H + 0] = 0.02; // input gate, unit 0
    layers[0].gates[t * 4 * H + H + 1] = 0.97; // forget gate, unit 1
    layers[0].gates[t * 4 * H + 2 * H + 3] = t % 2 ? -0.95 : 0.95; // cell candidate (tanh), unit 3
  }
  const vocab = Vocab.fromText(TEXT);
  const k = 1;
  return new TextTrace(
    chars,
    Int32Array.from(vocab.encode(TEXT)),
    'lstm',
    H,
    layers,
    k,
    new Int32Array(T * k),
    new Float32Array(T * k),
    new Float32Array(T).fill(0.9),
    vocab,
  );
}

test('a cell set equal to "inside quotes" ranks first with correlation 1, and only it passes', () => {
  const search = searchNeurons(handMadeTrace(), 'inside quotes');
  const best = search.ranked[0];
  assert.deepEqual([best.layer, best.kind, best.index], [0, 'h', 2]);
  assert.ok(Math.abs(best.correlation - 1) < 1e-6 && Math.abs(best.varianceExplained - 1) < 1e-6);
  assert.ok(Math.abs(best.meanOn - 0.6) < 1e-6 && Math.abs(best.meanOff + 0.3) < 1e-6);
  assert.equal(search.ranked.length, 16); // 2 layers x (h, c) x 4 units
  assert.equal(search.passing.length, 1);
  assert.equal(search.fractionPassing, 1 / 16);
  assert.ok(search.ranked[1].score < 0.5);
});

test('a cell anti-correlated with the position in line ranks first by |r|; user features work the same way', () => {
  const trace = handMadeTrace();
  const best = searchNeurons(trace, 'position in line').ranked[0];
  assert.deepEqual([best.layer, best.kind, best.index], [1, 'c', 1]);
  assert.ok(Math.abs(best.correlation + 1) < 1e-6);
  const mine = searchNeurons(trace, (chars) => insideQuotes(chars).map((v) => 1 - v), { name: 'outside quotes' });
  assert.equal(mine.feature, 'outside quotes');
  assert.ok(Math.abs(mine.ranked[0].correlation + 1) < 1e-6);
  const { fraction, searches } = interpretableFraction(trace);
  assert.equal(searches.length, 7);
  assert.ok(fraction >= 2 / 16 && fraction < 0.5, `fraction ${fraction}`);
});

test('neuron search displays as the neurons MIME type with escaped fallbacks', () => {
  const bundle = searchNeurons(handMadeTrace(), insideQuotes, { name: '<b>quotes</b>' }).toMimeBundle();
  const view = bundle.data['application/vnd.charrnn.neurons+json'] as {
    ranked: unknown[];
    featureValues: number[];
    activations: { text: string[] };
  };
  assert.equal(view.ranked.length, 16);
  assert.equal(view.featureValues.length, view.activations.text.length);
  assert.match(String(bundle.data['text/plain']), /<b>quotes<\/b>/);
  assert.ok(
    !String(bundle.data['text/html']).includes('<b>quotes') &&
      String(bundle.data['text/html']).includes('&#60;b&#62;quotes'),
  );
});

test('a feature the same on every character scores no cell: the search says why instead of ranking zeros', () => {
  const trace = handMadeTrace();
  const never = searchNeurons(trace, 'inside comment'); // the text has no comments
  assert.ok(never.ranked.every((c) => c.score === 0));
  const why =
    '"inside comment" is off at every one of the 352 characters of this text, so no cell can follow it: search a text where it changes';
  assert.equal(never.unscored, why);
  assert.equal(never.toView().unscored, why);
  assert.match(
    searchNeurons(trace, (chars) => chars.map(() => 3), { name: 'three' }).unscored!,
    /^"three" is 3 at every one/,
  );
  assert.equal(searchNeurons(trace, 'inside quotes').unscored, undefined);
  assert.equal('unscored' in searchNeurons(trace, 'inside quotes').toView(), false);
  const flat = new TextTrace(
    trace.chars,
    trace.ids,
    'rnn',
    1,
    [{ h: new Float32Array(trace.length).fill(0.2) }],
    1,
    trace.topIds,
    trace.topProbs,
    trace.pNext,
    trace.vocab,
  );
  assert.equal(
    searchNeurons(flat, 'inside quotes').unscored,
    'no cell\'s value changes over the 352 characters, so none can follow "inside quotes"',
  );
});

test('gate saturation counts the time each unit spends below 0.1 and above 0.9', () => {
  const sat = gateSaturation(handMadeTrace());
  const [input, forget, cell] = sat.layers[0].gates;
  assert.deepEqual(
    [input.gate, forget.gate, cell.gate, sat.layers[0].gates[3].gate],
    ['input', 'forget', 'cell', 'output'],
  );
  assert.deepEqual([input.left[0], input.right[0], input.left[1]], [1, 0, 0]);
  assert.deepEqual([forget.left[1], forget.right[1], forget.right[0]], [0, 1, 0]);
  assert.ok(Math.abs(cell.left[3] - 0.5) < 0.01 && Math.abs(cell.right[3] - 0.5) < 0.01);
  assert.ok(Math.abs(sat.mean(0, 'input').left - 0.25) < 1e-9);
  assert.equal(
    sat.layers[1].gates[0].left.reduce((a, b) => a + b, 0),
    0,
  );
  assert.ok('application/vnd.charrnn.saturation+json' in sat.toMimeBundle().data);
});

test('error analysis groups p < 0.5 by the class of the char that came next', () => {
  const chars = Array.from('ab c1\n.!');
  const pNext = Float32Array.from([0.9, 0.2, 0.3, 0.4, 0.8, 0.1, 0.6, NaN]); // p of chars[t + 1]
  const a = errorAnalysis({ chars, pNext });
  assert.equal(a.chars, 7);
  assert.equal(a.errors, 4);
  const by = Object.fromEntries(a.classes.map((c) => [c.charClass, c]));
  assert.deepEqual([by.letter.chars, by.letter.errors], [2, 1]); // b (0.9), c (0.3)
  assert.deepEqual([by.space.chars, by.space.errors], [1, 1]);
  assert.deepEqual([by.digit.chars, by.digit.errors], [1, 1]);
  assert.deepEqual([by.newline.chars, by.newline.errors], [1, 0]);
  assert.deepEqual([by.punctuation.chars, by.punctuation.errors], [2, 1]);
  assert.ok(Math.abs(by.letter.meanSurprise - -(Math.log(0.9) + Math.log(0.3)) / 2) < 1e-6);
  assert.equal(by.letter.shareOfErrors, 0.25);
  assert.match(String(a.toMimeBundle().data['text/plain']), /4 of 7/);
});

test("a big trace's views keep about VIEW_MAX_BYTES of activations: fewer chars for bigger models", () => {
  const text = 'ab "cd" ef\n'.repeat(250); // 2750 chars
  const chars = Array.from(text);
  const [T, H] = [chars.length, 2000];
  const vocab = Vocab.fromText(text);
  const trace = new TextTrace(
    chars,
    Int32Array.from(vocab.encode(text)),
    'rnn',
    H,
    [{ h: new Float32Array(T * H).fill(0.5) }],
    1,
    new Int32Array(T),
    new Float32Array(T),
    new Float32Array(T),
    vocab,
  );
  assert.equal(trace.viewChars, VIEW_MAX_BYTES / H);
  const view = searchNeurons(trace, 'inside quotes').toView();
  assert.equal(view.activations!.text.length, trace.viewChars);
  assert.equal(view.featureValues!.length, trace.viewChars);
  assert.deepEqual(view.activations!.layers[0].h.shape, [trace.viewChars, H]);
});
