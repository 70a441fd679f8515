import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import { RNNCell } from '../model/rnn';
import { Rng } from '../rng';
import { Vocab } from '../text/vocab';
import { exportPage, type PageData } from './export';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-export-'));
const vocab = Vocab.fromText('</script><b>&"\'\u2028 abc\n');
let model: CharRNN;

before(async () => {
  await initBackend('cpu');
  model = CharRNN.create({ cell: 'gru', vocabSize: vocab.size, hiddenSize: 8, numLayers: 1, dropout: 0 }, { seed: 2 });
});

after(() => {
  model.dispose();
  fs.rmSync(work, { recursive: true, force: true });
});

/** The page's data, read back the way the page reads it: the JSON inside its script element. */
function pageData(html: string): PageData {
  const m = html.match(/<script type="application\/json" id="charrnn-model">(.*?)<\/script>/s);
  assert.ok(m, 'the page holds its data');
  return JSON.parse(m[1]) as PageData;
}

test('the page holds the model, its settings and the script; text from the model cannot end a script or become markup', async () => {
  const file = path.join(work, 'sub', 'model.html');
  const prime = '</script><b>';
  const r = await exportPage(model, vocab, file, {
    title: '<b>x</b>',
    prime,
    temperature: 0.5,
    seed: 7,
    text: 'abc </script>',
  });
  const html = fs.readFileSync(file, 'utf8');
  assert.equal(r.bytes, Buffer.byteLength(html));
  assert.equal(r.weights, 'float32');
  assert.match(html, /<title>&#60;b&#62;x&#60;\/b&#62;<\/title>/);
  // Only the page's own two script elements end: nothing in the data closes one early.
  assert.equal(html.match(/<\/script/g)?.length, 2);
  const data = pageData(html);
  assert.ok(!html.match(/id="charrnn-model">(.*?)<\/script>/s)![1].includes('<'), 'the data has no < at all');
  assert.deepEqual(data.defaults, { prime, length: 200, temperature: 0.5, seed: 7, topK: 0, beam: 0 });
  assert.equal(data.text, 'abc </script>');
  assert.deepEqual(data.vocab, vocab.chars);
  assert.deepEqual(data.config, model.config);
  // The weights as stored: every parameter, float32, in TF.js's weights format.
  const bytes = Buffer.from(data.weights.base64, 'base64');
  assert.equal(bytes.length, 4 * Object.values(model.params).reduce((n, p) => n + p.size, 0));
  assert.deepEqual(
    data.weights.specs.map((s) => s.name),
    Object.keys(model.params),
  );
  const first = Object.values(model.params)[0].dataSync();
  assert.deepEqual(new Float32Array(bytes.buffer, bytes.byteOffset, first.length), first);
});

test('float16 weights take half the bytes', async () => {
  const half = await exportPage(model, vocab, path.join(work, 'half.html'), { weights: 'float16' });
  assert.equal(half.weights, 'float16');
  const data = pageData(fs.readFileSync(half.path, 'utf8'));
  assert.equal(
    Buffer.from(data.weights.base64, 'base64').length,
    2 * Object.values(model.params).reduce((n, p) => n + p.size, 0),
  );
  assert.ok(data.weights.specs.every((s) => s.quantization?.dtype === 'float16'));
});

test('bad settings are one clear error each, and a page already there is left as it was', async () => {
  const file = path.join(work, 'keep.html');
  fs.writeFileSync(file, 'the page from before');
  const refused: [object, RegExp][] = [
    [{ length: 0 }, /length must be a whole number from 1 to 10000/],
    [{ temperature: 0 }, /temperature must be a number above 0/],
    [{ seed: -1 }, /seed must be a whole number/],
    [{ beam: 99 }, /beam must be a whole number from 0 to 32/],
    [{ prime: 'xyz' }, /not in the model's vocabulary: 'x', 'y', 'z'|not in the model's vocabulary/],
    [{ weights: 'int8' }, /weights must be auto, float32 or float16/],
  ];
  for (const [opts, message] of refused)
    await assert.rejects(
      exportPage(model, vocab, file, opts),
      (e: Error) => e instanceof CharRNNError && message.test(e.message),
    );
  const custom = CharRNN.fromCells([new RNNCell(vocab.size, 4, { rng: new Rng(1) })], vocab.size);
  await assert.rejects(exportPage(custom, vocab, file), /built-in cells only/);
  custom.dispose();
  assert.equal(fs.readFileSync(file, 'utf8'), 'the page from before');
  assert.deepEqual(
    fs.readdirSync(work).filter((f) => f.includes('.tmp')),
    [],
  );
});
