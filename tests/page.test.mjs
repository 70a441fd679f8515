// The exported model page (charrnn export-page / exportPage) in real chromium, opened from a file:// URL with the
// network cut off (every non-file request is aborted and recorded; none may be attempted): it samples the same text
// as the kernel for the same settings and seed (from the link's #fragment, then from its controls, then with beam
// search), text from the model is never HTML, and the explorer runs the model on the visitor's text. Also: a 2x512
// model's page is under 12 MB. Screenshots go to test-artifacts/page/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from './lib/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const cr = require(path.join(root, 'kernel-lib/dist/index.js'));
const tf = createRequire(path.join(root, 'kernel-lib/package.json'))('@tensorflow/tfjs-core');
const { exportPage } = require(path.join(root, 'kernel-lib/dist/page/export.js'));

const artifacts = path.join(root, 'test-artifacts', 'page');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-page-'));
// Characters that are HTML: a sample or a guess must show them, never be parsed.
const vocab = cr.Vocab.fromText('<b>ROMEO: </script>&"\'\nabcdefghij');
let model;
let browser;
let page;
const attempted = [];
const problems = [];

before(async () => {
  // The page runs TF.js's cpu backend; the kernel's side of the comparison runs the same engine and backend.
  await cr.initBackend('cpu');
  model = cr.CharRNN.create(
    { cell: 'lstm', vocabSize: vocab.size, hiddenSize: 24, numLayers: 2, dropout: 0 },
    { seed: 3 },
  );
  fs.mkdirSync(artifacts, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1000, height: 1100 } });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    attempted.push(url);
    return route.abort();
  });
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
});

after(async () => {
  await browser?.close();
  model?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const kernelSample = (opts) => cr.sample(model, vocab, { engine: 'tfjs', ...opts });
const shownSample = () => page.locator('.charrnn-sampler > .charrnn-sample').textContent();

/** Opens the page at this #fragment and waits until its model has run. */
async function open(file, fragment = '') {
  await page.goto('about:blank');
  await page.goto(`${pathToFileURL(file).href}${fragment}`);
  await page.waitForSelector('#charrnn-page[data-ready="true"]', { timeout: 60_000 });
}

/** Types into a sampler box and waits for the sample the change streams in (after the widget's debounce). */
async function setAndWait(label, value) {
  await page.evaluate(() => (document.querySelector('.charrnn-sampler > .charrnn-sample').dataset.done = 'before'));
  await page.locator('.charrnn-sampler label', { hasText: label }).locator('input').fill(String(value));
  await page.waitForFunction(
    () => document.querySelector('.charrnn-sampler > .charrnn-sample').dataset.done === 'true',
    null,
    { timeout: 60_000 },
  );
}

test(
  'the page samples what the kernel samples, from the link, the controls and beam search; text stays text',
  { timeout: 240_000 },
  async () => {
    const file = path.join(dir, 'model.html');
    const exported = await exportPage(model, vocab, file, {
      title: 'ROMEO <b>bold</b> </script>',
      prime: '<b>',
      length: 80,
    });
    console.log(`page: ${exported.bytes} bytes, ${exported.weights} weights`);
    assert.equal(exported.weights, 'float32');
    assert.equal(fs.statSync(file).size, exported.bytes);

    // The link's settings: the first sample shown is the kernel's for them.
    await open(file, `#t=0.7&prime=${encodeURIComponent('ROMEO: <b>')}&seed=5&length=120`);
    assert.equal(await page.title(), 'ROMEO <b>bold</b> </script>');
    const fromLink = kernelSample({ temperature: 0.7, prime: 'ROMEO: <b>', seed: 5, length: 120 });
    assert.equal(await shownSample(), fromLink);
    assert.equal(await page.locator('.charrnn-sampler input[type=range]').inputValue(), '0.7');

    // A new seed from the controls: the sample streamed from the page's model.
    await setAndWait('seed', 9);
    assert.equal(await shownSample(), kernelSample({ temperature: 0.7, prime: 'ROMEO: <b>', seed: 9, length: 120 }));
    await setAndWait('top-k', 4);
    assert.equal(
      await shownSample(),
      kernelSample({ temperature: 0.7, prime: 'ROMEO: <b>', seed: 9, length: 120, topK: 4 }),
    );

    // Beam search: the best continuation, and every kept one listed.
    await setAndWait('beam', 3);
    const beams = cr.beamSearch(model, vocab, {
      temperature: 0.7,
      prime: 'ROMEO: <b>',
      length: 120,
      topK: 4,
      beam: 3,
      engine: 'tfjs',
    });
    assert.equal(await shownSample(), beams[0].text);
    assert.deepEqual(
      await page.locator('.charrnn-beams pre').allTextContents(),
      beams.map((b) => b.text),
    );
    await page.screenshot({ path: path.join(artifacts, 'sampler.png'), fullPage: true });

    // Nothing from the model became markup: no <b> or <script> element beyond the page's own two scripts.
    assert.equal(await page.locator('b, #charrnn-page script').count(), 0);
    assert.equal(await page.locator('script').count(), 2);
  },
);

// On the page the test above leaves open (its last settings: the link's, seed 9, top-k 4, beam 3).
test(
  "the page's explorer colours and ranks the visitor's text as the kernel does; an edited link starts the page again",
  { timeout: 120_000 },
  async () => {
    // The page's first sample, from the link's settings, is the explorer's first text.
    const fromLink = kernelSample({ temperature: 0.7, prime: 'ROMEO: <b>', seed: 5, length: 120 });
    // The explorer on the visitor's text: the characters as typed, the model's guesses as the kernel makes them.
    const probe = 'ROMEO: <b>&"';
    await page.fill('.charrnn-probe-text', probe);
    await page.click('.charrnn-probe .charrnn-button');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.charrnn-activations .charrnn-char').length === n,
      [...probe].length,
    );
    const chars = await page.locator('.charrnn-activations .charrnn-char').allTextContents();
    assert.equal(chars.join(''), probe.replace(/ /g, '\u00a0'));
    // Coloured by the cell the explorer opened on: the liveliest over its first text (the page's first sample), as
    // the kernel finds it.
    const [layer, kind, index] = (await page.getAttribute('.charrnn-activations', 'data-neuron')).split('/');
    const cell = { layer: Number(layer), kind, index: Number(index) };
    assert.deepEqual(cell, cr.inspectText(model, vocab, fromLink).liveliestCell);
    const values = cr
      .inspectText(model, vocab, probe)
      .neuron(cell)
      .map((v) => (kind === 'c' ? Math.tanh(v) : v));
    const colours = await page
      .locator('.charrnn-activations .charrnn-char')
      .evaluateAll((els) => els.map((e) => e.style.backgroundColor));
    assert.deepEqual(
      colours,
      Array.from(values, (v) => cr.divergingColor(Math.round(v * 127) / 127).replace(/,/g, ', ')),
    );
    await page.screenshot({ path: path.join(artifacts, 'explorer.png'), fullPage: true });

    // Text selected in the explorer: its cells ranked by the page's model. Nothing on the page speaks of a kernel:
    // the samples and the rankings are made in the visitor's browser.
    const box = (t) => page.locator('.charrnn-activations .charrnn-char').nth(t).boundingBox();
    const [a, b] = [await box(1), await box(3)];
    await page.mouse.move(a.x + 1, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width - 1, b.y + b.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() =>
      /every cell, ranked/.test(document.querySelector('.charrnn-matches .charrnn-message')?.textContent),
    );
    assert.match(
      await page.locator('.charrnn-matches .charrnn-message').textContent(),
      /every cell, ranked in your browser/,
    );
    assert.equal(
      await page.locator('.charrnn-sampler .charrnn-mode').textContent(),
      'live: samples are drawn in your browser as you change the settings',
    );
    assert.doesNotMatch(await page.locator('body').innerText(), /kernel/i);

    // A link edited in place starts the page again; settings the sampler refuses are named, and it starts from its own.
    await page.evaluate(() => (location.hash = '#length=-5'));
    assert.match(
      await page.locator('.charrnn-page-problem').textContent(),
      /settings in the link cannot be used: .*length must be a whole number from 1 to 10000/,
    );
    await page.waitForSelector('#charrnn-page[data-ready="true"]');
    assert.equal(await shownSample(), kernelSample({ temperature: 1, prime: '<b>', seed: 1, length: 80 }));

    assert.deepEqual(attempted, [], 'no request left the page');
    assert.deepEqual(problems, []);
  },
);

test(
  'float16 weights: the page samples what the kernel samples with the same rounded weights',
  { timeout: 120_000 },
  async () => {
    const file = path.join(dir, 'half.html');
    const exported = await exportPage(model, vocab, file, { weights: 'float16', length: 60 });
    assert.equal(exported.weights, 'float16');
    // The kernel's model with the page's weights: the float16 values widened back, as the page's TF.js reads them.
    const data = JSON.parse(
      fs.readFileSync(file, 'utf8').match(/<script type="application\/json" id="charrnn-model">(.*?)<\/script>/s)[1],
    );
    const bytes = Buffer.from(data.weights.base64, 'base64');
    const tensors = tf.io.decodeWeights(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      data.weights.specs,
    );
    const half = cr.CharRNN.create(model.config);
    for (const name of Object.keys(half.params)) half.params[name].assign(tensors[name]);
    await open(file, '#seed=4&t=0.9');
    assert.equal(
      await shownSample(),
      cr.sample(half, vocab, { engine: 'tfjs', seed: 4, temperature: 0.9, length: 60 }),
    );
    half.dispose();
    assert.deepEqual(attempted, []);
    assert.deepEqual(problems, []);
  },
);

test(
  'a 2x512 LSTM page is under 12 MB (float16 weights; float32 ones would not fit)',
  { timeout: 120_000 },
  async () => {
    const big = cr.CharRNN.create(
      { cell: 'lstm', vocabSize: 65, hiddenSize: 512, numLayers: 2, dropout: 0 },
      { seed: 1 },
    );
    const big65 = cr.Vocab.fromCodePoints(Array.from({ length: 65 }, (_, i) => 32 + i));
    try {
      const auto = await exportPage(big, big65, path.join(dir, 'big.html'), { length: 20 });
      const f32 = await exportPage(big, big65, path.join(dir, 'big32.html'), { length: 20, weights: 'float32' });
      console.log(
        `2x512 LSTM page: ${(auto.bytes / 1e6).toFixed(2)} MB with ${auto.weights} weights; ${(f32.bytes / 1e6).toFixed(2)} MB with float32`,
      );
      assert.equal(auto.weights, 'float16');
      assert.ok(auto.bytes < 12e6, `${auto.bytes} bytes`);
      assert.ok(f32.bytes >= 12e6, 'auto chose float16 because float32 does not fit');
    } finally {
      big.dispose();
    }
  },
);
