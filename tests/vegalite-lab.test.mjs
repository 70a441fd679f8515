// Our charts where our extension is not installed: a stock JupyterLab (the app `npm start` serves, with
// @charrnn/labextension disabled through page_config, as `jupyter labextension disable` does) opens a notebook
// saved with our chart outputs and draws them with its own Vega-Lite renderer. Strings from data stay text.
// Screenshots go to test-artifacts/vegalite-lab/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './lib/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const display = (name) => require(path.join(root, 'kernel-lib/dist/display', name));
const { trainingBundle } = display('training.js');
const { ngramBundle } = display('ngram.js');
const { saturationBundle } = display('saturation.js');

const artifacts = path.join(root, 'test-artifacts', 'vegalite-lab');
const notebook = `vegalite-lab-test-${process.pid}.ipynb`;
const workDir = path.join(root, '.cache', 'vegalite-lab', String(process.pid));
// A Jupyter config folder of our own (JUPYTER_CONFIG_PATH adds it to the project's): its page_config disables our extension.
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-stock-lab-'));
const EVIL = '<img src=x onerror="window.pwned=1"><b>bold</b>';

let server;
let browser;
let page;

/** The outputs a notebook saved with our charts holds, made by the library's own builders. */
function outputs() {
  const points = Array.from({ length: 300 }, (_, i) => ({
    iter: i + 1,
    epoch: i / 100,
    trainLoss: 4 * Math.exp(-i / 80) + 1.4,
    valLoss: (i + 1) % 50 === 0 ? 4 * Math.exp(-i / 80) + 1.5 : undefined,
    lr: 2e-3,
    charsPerSec: 1e4,
    elapsedS: i / 10,
  }));
  const training = trainingBundle({
    version: 1,
    runId: EVIL,
    config: { cell: 'lstm' },
    totalIters: 300,
    status: 'done',
    points,
    samples: [],
  });
  const ngram = ngramBundle({
    version: 1,
    dataset: 'tiny',
    ngram: [1, 2, 3, 4].map((order) => ({ order, loss: 3.2 - 0.4 * order })),
    rnn: [
      { label: EVIL, loss: 1.6 },
      { label: 'gru 1x64', loss: 1.9 },
    ],
  });
  const frac = (s) => Array.from({ length: 16 }, (_, j) => ((j * 7 + s) % 10) / 10);
  const layers = [0, 1, 2].map((layer) => ({
    layer,
    gates: ['input', 'forget', 'output'].map((gate, g) => ({ gate, left: frac(g + layer), right: frac(g + 3) })),
  }));
  const saturation = saturationBundle({
    version: 1,
    cell: 'lstm',
    thresholds: { left: 0.1, right: 0.9 },
    chars: 1000,
    layers,
  });
  return [training, ngram, saturation].map((b) => ({
    output_type: 'display_data',
    data: b.data,
    metadata: b.metadata ?? {},
  }));
}

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  fs.mkdirSync(path.join(configDir, 'labconfig'));
  fs.writeFileSync(
    path.join(configDir, 'labconfig', 'page_config.json'),
    JSON.stringify({ disabledExtensions: { '@charrnn/labextension': true } }),
  );
  fs.mkdirSync(workDir, { recursive: true });
  const { startServer } = require(path.join(root, 'labextension/app/start.js'));
  server = await startServer({
    rootDir: workDir,
    stdio: 'ignore',
    env: { ...process.env, JUPYTER_CONFIG_PATH: configDir },
  });
  const content = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: outputs().map((output, i) => ({
      cell_type: 'code',
      id: `c${i}`,
      metadata: {},
      execution_count: i + 1,
      outputs: [output],
      source: `chart ${i}`,
    })),
  };
  const put = await fetch(`${server.base}/api/contents/${notebook}?token=${server.token}`, {
    method: 'PUT',
    body: JSON.stringify({ type: 'notebook', format: 'json', content }),
  });
  assert.ok(put.ok, `writing the notebook: HTTP ${put.status}`);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  page.on('pageerror', (e) => console.error('page error:', e));
});

after(async () => {
  await page?.screenshot({ path: path.join(artifacts, 'last.png'), fullPage: true }).catch(() => undefined);
  await browser?.close();
  if (server) {
    await fetch(`${server.base}/api/contents/${notebook}?token=${server.token}`, { method: 'DELETE' });
    await server.stop();
  }
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.rmSync(configDir, { recursive: true, force: true });
});

test(
  'without our extension, JupyterLab draws the saved training, n-gram and saturation charts with its own Vega-Lite renderer',
  { timeout: 180_000 },
  async () => {
    await page.goto(
      `${server.base}/lab/workspaces/vegalite-lab-${process.pid}/tree/${notebook}?reset&token=${server.token}`,
    );
    await page.waitForSelector('.jp-NotebookPanel .jp-Cell', { timeout: 120_000 });
    // The notebook names no kernel and needs none: decline JupyterLab's offer of one.
    await page.click('.jp-Dialog .jp-mod-reject', { timeout: 30_000 }).catch(() => undefined);
    const charts = page.locator('.jp-OutputArea-output.jp-RenderedVegaLite');
    await page.waitForFunction(() => document.querySelectorAll('.jp-RenderedVegaLite svg.marks').length === 3, null, {
      timeout: 60_000,
    });
    assert.equal(await charts.count(), 3);
    assert.equal(await page.locator('.charrnn-renderer').count(), 0, 'our extension is off');
    const svgText = (i) => charts.nth(i).locator('svg.marks text').allTextContents();

    // training: the loss curve and the validation points, the title (from data) as text
    const training = await svgText(0);
    assert.ok(training.includes(`charrnn training run ${EVIL} (done)`), training.join(' | '));
    assert.ok(
      training.includes('iteration') && training.includes('loss (nats/char)') && training.includes('validation'),
    );
    assert.equal(
      (await charts
        .nth(0)
        .locator('svg.marks path[aria-roledescription="line mark"], svg.marks .mark-line path')
        .count()) >= 2,
      true,
      'two lines',
    );
    assert.equal(
      await charts.nth(0).locator('svg.marks .mark-symbol.role-mark path').count(),
      6,
      'a point per validation loss',
    );

    // n-gram: the RNN label (from data) in the legend, as text
    const ngram = await svgText(1);
    assert.ok(ngram.includes(EVIL) && ngram.includes('gru 1x64') && ngram.includes('n-gram order'), ngram.join(' | '));
    assert.deepEqual(
      ngram.filter((t) => /^\d+$/.test(t)),
      ['1', '2', '3', '4'],
      'one tick per order',
    );
    assert.equal(await charts.nth(1).locator('svg.marks .mark-rule.role-mark line').count(), 2, 'a rule per RNN');

    // saturation: a panel per gate, a dot per unit and layer
    const saturation = await svgText(2);
    for (const label of ['input', 'forget', 'output', 'layer 0', 'layer 1', 'layer 2'])
      assert.ok(saturation.includes(label), label);
    assert.equal(await charts.nth(2).locator('svg.marks .mark-symbol.role-mark path').count(), 3 * 3 * 16);

    // nothing from data became HTML
    assert.equal(
      await page.evaluate(() => document.querySelectorAll('.jp-OutputArea img[src="x"], .jp-OutputArea svg b').length),
      0,
    );
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    await page.screenshot({ path: path.join(artifacts, 'stock-lab.png'), fullPage: true });
  },
);
