// The widgets inside the real JupyterLab app with the charrnn kernel (what `npm start` serves): a notebook is
// written through the contents API, its cells are run from the browser, and the widgets must update live from
// the kernel and talk back to it through comms (stop training, live sampling, probing). The notebook is deleted
// afterwards. Screenshots go to test-artifacts/widgets-lab/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './lib/browser.mjs';
import { NB, kernelReady as kernelReadyIn, runCell as runCellIn } from './lib/lab.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const artifacts = path.join(root, 'test-artifacts', 'widgets-lab');
const notebook = `widgets-lab-test-${process.pid}.ipynb`;
const workDir = path.join(root, '.cache', 'widgets-lab', String(process.pid));
const workspace = `widgets-lab-test-${process.pid}`; // a fresh workspace: no other notebook is restored beside ours

const cells = [
  `import * as cr from '@charrnn/kernel';
await cr.initBackend();
const corpus = cr.corpusFromText('hello "world" <b>\\n'.repeat(200));
const model = cr.CharRNN.create({ cell: 'lstm', vocabSize: corpus.vocab.size, hiddenSize: 16, numLayers: 1, dropout: 0 }, { seed: 1 });`,
  `const trainer = new cr.Trainer(model, corpus.vocab, corpus.data, { batchSize: 4, seqLength: 8, maxIters: 1000000, evalValEvery: 20, sampleEvery: 20, sampleLength: 30 });
const result = await new cr.TrainingRun(trainer).train({ redrawMs: 100 });`,
  `cr.display(new cr.SamplerPanel(model, corpus.vocab, { prime: 'he', length: 40, temperatures: [0.5, 1] }));`,
  `cr.display(new cr.Explorer(model, corpus.vocab, 'hello "world"', { whereElseText: corpus.data }));`,
  `await new cr.TrainingRun(new cr.Trainer(model, corpus.vocab, corpus.data, { batchSize: 4, seqLength: 8, maxIters: 1000000 })).train({ redrawMs: 100 });`,
];

let server;
let browser;
let page;
/** The page's kernel websockets, passed through playwright so that a test can lose messages and drop one. */
const sockets = [];

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  const { startServer } = require(path.join(root, 'labextension/app/start.js'));
  // Inside the repository (the kernel resolves @charrnn/kernel from there), outside notebooks/, one folder per run.
  fs.mkdirSync(workDir, { recursive: true });
  server = await startServer({ rootDir: workDir, stdio: 'ignore' });
  const content = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'charrnn', display_name: 'charrnn (TypeScript)', language: 'typescript' } },
    cells: cells.map((source, i) => ({
      cell_type: 'code',
      id: `c${i}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
  };
  const put = await contents('PUT', { type: 'notebook', format: 'json', content });
  assert.ok(put.ok, `writing the notebook: HTTP ${put.status}`);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  await page.routeWebSocket(/\/api\/kernels\/[^/]+\/channels/, (ws) => {
    const socket = { ws, server: ws.connectToServer(), lose: false };
    sockets.push(socket);
    ws.onMessage((m) => socket.server.send(m));
    socket.server.onMessage((m) => socket.lose || ws.send(m));
  });
  await page.goto(`${server.base}/lab/workspaces/${workspace}/tree/${notebook}?reset&token=${server.token}`);
  await page.waitForSelector(`${NB} .jp-Cell`, { timeout: 120_000 });
  assert.equal(await page.locator('.jp-NotebookPanel').count(), 1, 'only our notebook is open');
  await kernelReady();
});

after(async () => {
  await page?.screenshot({ path: path.join(artifacts, 'last.png'), fullPage: true }).catch(() => undefined);
  await browser?.close();
  if (server) {
    await contents('DELETE');
    await fetch(`${server.base}/lab/api/workspaces/${workspace}?token=${server.token}`, { method: 'DELETE' });
    await server.stop();
  }
  fs.rmSync(workDir, { recursive: true, force: true });
});

const kernelReady = () => kernelReadyIn(page);
const runCell = (i) => runCellIn(page, i);

function contents(method, body) {
  return fetch(`${server.base}/api/contents/${notebook}?token=${server.token}`, {
    method,
    body: body && JSON.stringify(body),
  });
}

const iteration = async () =>
  Number((await page.locator('.charrnn-training [data-stat="iteration"]').textContent()).split(' / ')[0]);

test(
  'training dashboard updates live from the kernel and its Stop button ends the run through the comm',
  { timeout: 240_000 },
  async () => {
    await runCell(0);
    await runCell(1);
    await page.waitForSelector('.charrnn-training .charrnn-status[data-status="running"]', { timeout: 120_000 });
    await page.waitForFunction(
      () =>
        Number(document.querySelector('.charrnn-training [data-stat="iteration"]')?.textContent?.split(' / ')[0]) >= 20,
      null,
      { timeout: 120_000 },
    );
    const first = await iteration();
    await page.waitForFunction(
      (n) =>
        Number(document.querySelector('.charrnn-training [data-stat="iteration"]').textContent.split(' / ')[0]) > n,
      first,
      { timeout: 60_000 },
    );
    await page.waitForSelector('.charrnn-training .charrnn-chart .scatterlayer .trace');
    assert.ok(
      (await page.locator('.charrnn-training .charrnn-sample').textContent()).length > 0,
      'a sample taken during training is shown',
    );
    await page.screenshot({ path: path.join(artifacts, 'training-running.png') });
    await page.click('.charrnn-training .charrnn-stop');
    await page.waitForSelector('.charrnn-training .charrnn-status[data-status="stopped"]', { timeout: 60_000 });
    assert.equal(await page.locator('.charrnn-training .charrnn-stop').isVisible(), false);
    await page.screenshot({ path: path.join(artifacts, 'training-stopped.png') });
  },
);

test(
  'a dashboard whose connection dropped asks the kernel again and shows the end it missed',
  { timeout: 240_000 },
  async () => {
    const dashboard = page.locator(`${NB} .jp-Cell >> nth=4`).locator('.charrnn-training');
    await runCell(4);
    await dashboard.locator('.charrnn-status[data-status="running"]').waitFor({ timeout: 120_000 });
    // From here the kernel's messages are lost on the way, as on a connection about to drop: the Stop reaches the
    // kernel, the run ends, and the page does not hear of it.
    const open = [...sockets];
    for (const socket of open) socket.lose = true;
    await dashboard.locator('.charrnn-stop').click();
    await page.waitForTimeout(3000);
    assert.equal(await dashboard.locator('.charrnn-status').getAttribute('data-status'), 'running');
    // The connection drops; JupyterLab connects again, and the dashboard asks the kernel for the run.
    for (const socket of open) {
      await socket.ws.close({ code: 4000, reason: 'dropped by the test' });
      await socket.server.close();
    }
    await dashboard.locator('.charrnn-status[data-status="stopped"]').waitFor({ timeout: 60_000 });
  },
);

test('sampler streams a new sample from the kernel when the temperature moves', { timeout: 120_000 }, async () => {
  await runCell(2);
  await page.waitForSelector('.charrnn-sampler .charrnn-mode[data-live="true"]', { timeout: 60_000 });
  await page.locator('.charrnn-sampler input[type=range]').fill('0.3');
  await page.waitForSelector('.charrnn-sampler > .charrnn-sample[data-done="true"]', { timeout: 60_000 });
  const sample = await page.locator('.charrnn-sampler > .charrnn-sample').textContent();
  assert.ok(sample.startsWith('he'), sample);
  assert.equal([...sample].length, 42);
  assert.equal(await page.locator('.charrnn-sampler .charrnn-error').textContent(), '');
  await page.locator('.charrnn-sampler input[type=text]').fill('he\u00e9');
  await page.waitForFunction(
    () => document.querySelector('.charrnn-sampler .charrnn-error')?.textContent !== '',
    null,
    { timeout: 60_000 },
  );
  assert.match(
    await page.locator('.charrnn-sampler .charrnn-error').textContent(),
    /not in the model's vocabulary: .*tick "drop unknown characters"/,
  );
  // the option the error names: the unknown character is left out
  await page.check('.charrnn-sampler input[type=checkbox]');
  await page.waitForFunction(
    () =>
      document.querySelector('.charrnn-sampler > .charrnn-sample')?.dataset.done === 'true' &&
      document.querySelector('.charrnn-sampler .charrnn-error').textContent === '',
    null,
    { timeout: 60_000 },
  );
  assert.ok((await page.locator('.charrnn-sampler > .charrnn-sample').textContent()).startsWith('he'));
  await page.screenshot({ path: path.join(artifacts, 'sampler.png') });
});

test(
  'sampler beam option: the kernel answers with the most likely continuations, best first, the same each time',
  { timeout: 120_000 },
  async () => {
    const beamBox = page.locator('.charrnn-sampler input[type=number] >> nth=3');
    const beams = async () => {
      await page.waitForFunction(
        () =>
          document.querySelectorAll('.charrnn-sampler .charrnn-beam').length === 3 &&
          document.querySelector('.charrnn-sampler > .charrnn-sample').dataset.done === 'true',
        null,
        { timeout: 60_000 },
      );
      const texts = await page.locator('.charrnn-sampler .charrnn-beam .charrnn-sample').allTextContents();
      const logps = (await page.locator('.charrnn-sampler .charrnn-beam-logp').allTextContents()).map((t) =>
        Number(t.replace('log p = ', '')),
      );
      return { texts, logps, shown: await page.locator('.charrnn-sampler > .charrnn-sample').textContent() };
    };
    await beamBox.fill('3');
    const first = await beams();
    assert.equal(first.shown, first.texts[0], 'the best continuation is the sample shown');
    assert.equal(new Set(first.texts).size, 3);
    for (const t of first.texts) assert.ok(t.startsWith('he') && [...t].length === 42, t);
    assert.deepEqual(
      [...first.logps].sort((a, b) => b - a),
      first.logps,
      'best first',
    );
    assert.equal(
      await page.locator('.charrnn-sampler input[type=number] >> nth=1').isDisabled(),
      true,
      'no seed in beam search',
    );
    await page.screenshot({ path: path.join(artifacts, 'sampler-beam.png') });
    // the same settings again: the same beams
    await beamBox.fill('0');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('.charrnn-sampler .charrnn-beam').length === 0 &&
        document.querySelector('.charrnn-sampler > .charrnn-sample').dataset.done === 'true',
      null,
      { timeout: 60_000 },
    );
    await beamBox.fill('3');
    assert.deepEqual(await beams(), first);
    // back to drawing at random, with unknown characters refused again, for the tests after this one
    await beamBox.fill('0');
    await page.uncheck('.charrnn-sampler input[type=checkbox]');
    await page.waitForFunction(
      () => document.querySelector('.charrnn-sampler > .charrnn-sample').dataset.done === 'true',
      null,
      { timeout: 60_000 },
    );
  },
);

test('activation explorer probes the model with the text typed into it', { timeout: 120_000 }, async () => {
  await runCell(3);
  await page.waitForSelector('.charrnn-activations .charrnn-probe:not([hidden])', { timeout: 60_000 });
  assert.equal(await page.locator('.charrnn-activations .charrnn-char').count(), 13);
  await page.fill('.charrnn-activations .charrnn-probe-text', 'hold <b>');
  await page.click('.charrnn-activations .charrnn-probe .charrnn-button');
  await page.waitForFunction(() => document.querySelectorAll('.charrnn-activations .charrnn-char').length === 8, null, {
    timeout: 60_000,
  });
  const shown = await page.evaluate(() =>
    [...document.querySelectorAll('.charrnn-activations .charrnn-char')].map((e) => e.textContent).join(''),
  );
  assert.equal(shown, 'hold\u00a0<b>');
  await page.screenshot({ path: path.join(artifacts, 'explorer.png') });
});

/** Selects the explorer's chars from..to (inclusive) with the mouse, from the left edge of one to the right edge of the other. */
async function dragSelect(from, to) {
  const box = (t) => page.locator('.charrnn-activations .charrnn-char').nth(t).boundingBox();
  const [a, b] = [await box(from), await box(to)];
  await page.mouse.move(a.x + 1, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width - 1, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

test(
  'explorer: text selected with the mouse is searched by the kernel; its best cells are listed and a click shows one; where else that cell fires',
  { timeout: 120_000 },
  async () => {
    // the explorer shows the probe's text 'hold <b>' (previous test): select 'old'
    await dragSelect(1, 3);
    await page.waitForSelector('.charrnn-activations .charrnn-matches:not([hidden])');
    assert.equal(
      await page.locator('.charrnn-activations .charrnn-matches .charrnn-title').textContent(),
      'Cells that follow the selection "old" (chars 1 to 3)',
    );
    await page.waitForFunction(
      () => document.querySelectorAll('.charrnn-activations .charrnn-matches tbody tr').length === 10,
      null,
      { timeout: 60_000 },
    );
    assert.match(
      await page.locator('.charrnn-activations .charrnn-matches .charrnn-message').textContent(),
      /^\|point-biserial correlation\| of activation with the feature over 8 chars; .*every cell, ranked in the kernel/,
    );
    const row = await page.evaluate(() =>
      [...document.querySelectorAll('.charrnn-activations .charrnn-matches tbody tr')[0].children].map(
        (td) => td.textContent,
      ),
    );
    assert.ok(Math.abs(Number(row[4])) > 0 && Math.abs(Number(row[4])) <= 1, `correlation ${row[4]}`);
    await page.click('.charrnn-activations .charrnn-matches tbody tr >> nth=0');
    assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), `${row[1]}/${row[2]}/${row[3]}`);
    await page.waitForFunction(
      () => document.querySelectorAll('.charrnn-activations .charrnn-char')[2].style.backgroundColor !== '',
      null,
      { timeout: 60_000 },
    );
    await page.screenshot({ path: path.join(artifacts, 'explorer-selection.png') });
    // where else does this cell fire? The kernel looks in the explorer's whereElseText (the corpus, 3,600 chars)
    await page.click('.charrnn-activations .charrnn-elsewhere .charrnn-button');
    await page.waitForFunction(
      () => document.querySelectorAll('.charrnn-activations .charrnn-passage').length === 5,
      null,
      { timeout: 60_000 },
    );
    assert.match(
      await page.locator('.charrnn-activations .charrnn-elsewhere .charrnn-message').textContent(),
      new RegExp(`^layer ${row[1]} ${row[2]}\\[${row[3]}.*: its 5 highest peaks in 3600 characters`),
    );
    assert.equal(await page.locator('.charrnn-activations .charrnn-passage .charrnn-peak').count(), 5);
  },
);

test(
  'explorer: the top 5 guesses stand in a labelled column under each character; probability on hover; colour by surprise',
  { timeout: 60_000 },
  async () => {
    const explorer = page.locator('.charrnn-activations');
    assert.equal(await explorer.locator('.charrnn-rowlabel-guesses').first().textContent(), 'top 5 guesses');
    const boxes = await explorer
      .locator('.charrnn-cell')
      .nth(1)
      .evaluate((cell) =>
        [cell.querySelector('.charrnn-char'), ...cell.querySelectorAll('.charrnn-guess')]
          .map((e) => e.getBoundingClientRect())
          .map((b) => [b.top, b.bottom, b.left + b.width / 2]),
      );
    assert.equal(boxes.length, 6);
    for (let j = 1; j < 6; j++)
      assert.ok(boxes[j][0] >= boxes[j - 1][1] - 0.5 && Math.abs(boxes[j][2] - boxes[0][2]) < 1, JSON.stringify(boxes));
    // hovering a guess: a tooltip at the pointer, inside the notebook's scrolled panel too
    const guess = explorer.locator('.charrnn-cell').nth(1).locator('.charrnn-guess').first();
    for (const scroll of [0, 120]) {
      await page.evaluate(
        ([nb, by]) => document.querySelector(`${nb} .jp-WindowedPanel-outer`).scrollBy(0, by),
        [NB, scroll],
      );
      const at = await guess.boundingBox();
      await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2 - 1);
      await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2);
      const tip = explorer.locator('.charrnn-tip');
      assert.match(await tip.textContent(), /\nguess 1: ".*", p = 0\.\d{3}/);
      const box = await tip.boundingBox();
      const [x, y] = [at.x + at.width / 2, at.y + at.height / 2];
      const dx = Math.max(box.x - x, 0, x - box.x - box.width);
      const dy = Math.max(box.y - y, 0, y - box.y - box.height);
      assert.ok(
        (dx > 0 || dy > 0) && Math.hypot(dx, dy) < 30,
        `scrolled by ${scroll}: the tooltip ${JSON.stringify(box)} is next to the pointer (${x}, ${y})`,
      );
    }
    await page.screenshot({ path: path.join(artifacts, 'explorer-tip.png') });
    await explorer.locator('.charrnn-controls label', { hasText: 'colour by surprise' }).locator('input').check();
    assert.match(await explorer.locator('.charrnn-legend').textContent(), /^colour: surprise/);
    assert.equal(
      await explorer
        .locator('.charrnn-char')
        .first()
        .evaluate((e) => e.style.backgroundColor),
      'rgb(221, 221, 221)',
      'no prediction for the first character',
    );
    await page.screenshot({ path: path.join(artifacts, 'explorer-surprise.png') });
    await explorer.locator('.charrnn-controls label', { hasText: 'colour by surprise' }).locator('input').uncheck();
  },
);

test(
  'keys inside the widgets are theirs: arrows change the neuron and the temperature, Enter applies the neuron box, the notebook does not move or change',
  { timeout: 120_000 },
  async () => {
    const activeCell = () =>
      page.evaluate(
        (nb) =>
          [...document.querySelectorAll(`${nb} .jp-Cell`)].findIndex((c) => c.classList.contains('jp-mod-active')),
        NB,
      );
    const dirty = () =>
      page.evaluate(() =>
        document
          .querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')
          ?.classList.contains('jp-mod-dirty'),
      );
    // save from the notebook (command mode on a cell), so that any change shows as modified
    await page.click(`${NB} .jp-Cell >> nth=0 >> .jp-InputArea-prompt`);
    await page.keyboard.press('Control+s');
    await page.waitForFunction(
      () =>
        !document
          .querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')
          ?.classList.contains('jp-mod-dirty'),
      null,
      { timeout: 30_000 },
    );

    // click the text, as a user would, and use the arrows
    await page.click('.charrnn-activations .charrnn-char >> nth=2');
    assert.equal(await activeCell(), 3);
    const neuron = async () => Number((await page.getAttribute('.charrnn-activations', 'data-neuron')).split('/')[2]);
    const focused = () => page.evaluate(() => document.activeElement?.className);
    const before = await neuron();
    const seen = [];
    for (const key of ['ArrowLeft', 'ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight']) {
      await page.keyboard.press(key);
      seen.push(`${key}: ${await neuron()} (focus on ${await focused()})`);
    }
    assert.equal(await neuron(), Math.max(0, before - 1), seen.join('; '));
    assert.equal(await activeCell(), 3, "the arrows did not move the notebook's active cell");
    await page.fill('.charrnn-activations input[type=number]', '7');
    await page.press('.charrnn-activations input[type=number]', 'Enter');
    assert.match(await page.getAttribute('.charrnn-activations', 'data-neuron'), /\/7$/);

    const slider = page.locator('.charrnn-sampler input[type=range]').first();
    const t0 = await slider.inputValue();
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowLeft');
    assert.notEqual(await slider.inputValue(), t0, 'the slider moved');
    assert.equal(await activeCell(), 2);
    assert.equal(await dirty(), false, 'the notebook is not modified');
    // Escape gives the keys back: the cell has the focus, and the notebook's own arrows work again
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('jp-Cell')), true);
    await page.keyboard.press('ArrowDown');
    assert.equal(await activeCell(), 3);
    await page.screenshot({ path: path.join(artifacts, 'keys.png') });
  },
);

test(
  'saved, its kernel shut down and the page reloaded, the outputs render from the notebook file (sampler falls back to its recorded samples)',
  { timeout: 120_000 },
  async () => {
    await page.keyboard.press('Control+s');
    const savedTypes = async () => {
      const saved = await (await contents('GET')).json();
      return saved.content.cells.flatMap((c) => c.outputs.flatMap((o) => Object.keys(o.data ?? {})));
    };
    let types = [];
    for (let i = 0; i < 60 && !types.includes('application/vnd.charrnn.activations+json'); i++) {
      await page.waitForTimeout(500);
      types = await savedTypes();
    }
    for (const kind of ['training', 'sampler', 'activations'])
      assert.ok(types.includes(`application/vnd.charrnn.${kind}+json`), `saved ${kind} output`);
    for (const s of await (await fetch(`${server.base}/api/sessions?token=${server.token}`)).json()) {
      if (s.path.endsWith(notebook))
        await fetch(`${server.base}/api/sessions/${s.id}?token=${server.token}`, { method: 'DELETE' });
    }
    await page.reload();
    await page.waitForSelector('.charrnn-training .charrnn-status[data-status="stopped"]', { timeout: 60_000 });
    await page.waitForSelector('.charrnn-training .charrnn-chart .scatterlayer .trace');
    assert.equal(await page.locator('.charrnn-training .charrnn-stop').first().isVisible(), false);
    assert.equal(await page.getAttribute('.charrnn-sampler .charrnn-mode', 'data-live'), 'false');
    // Each output renders on its own after the reload: wait for the one counted, not only for the dashboard.
    await page.waitForSelector('.charrnn-sampler .charrnn-grid-row', { state: 'attached' });
    assert.equal(await page.locator('.charrnn-sampler .charrnn-grid-row').count(), 2);
    await page.waitForSelector('.charrnn-activations .charrnn-char', { state: 'attached' });
    assert.equal(await page.locator('.charrnn-activations .charrnn-char').count(), 13);
    await page.screenshot({ path: path.join(artifacts, 'reopened.png'), fullPage: true });
  },
);

test(
  'a dashboard saved while its run was still training reopens as recorded: no Stop button, and it says so',
  { timeout: 120_000 },
  async () => {
    // What a save during the run writes: the training output with status running and the run's comm target.
    const saved = await (await contents('GET')).json();
    const mime = 'application/vnd.charrnn.training+json';
    const output = saved.content.cells.flatMap((c) => c.outputs).find((o) => o.data?.[mime]);
    const view = output.data[mime];
    output.data[mime] = { ...view, status: 'running', commTarget: `charrnn.training.${view.runId}` };
    const put = await contents('PUT', { type: 'notebook', format: 'json', content: saved.content });
    assert.ok(put.ok, `writing the notebook: HTTP ${put.status}`);
    await page.reload();
    await page.waitForSelector('.charrnn-training .charrnn-status[data-status="recorded"]', { timeout: 60_000 });
    // The first dashboard, cell 1's, is the one made to look saved mid-run.
    const dashboard = page.locator('.charrnn-training').first();
    assert.equal(await dashboard.locator('.charrnn-status').textContent(), 'running when saved');
    assert.equal(await dashboard.locator('.charrnn-stop').isVisible(), false);
    assert.match(await dashboard.locator('.charrnn-message').textContent(), /^Recorded: /);
    await page.screenshot({ path: path.join(artifacts, 'reopened-running.png') });
  },
);

test("outside a hub the File menu has no Hub Control Panel (the hub extension stays quiet without the hub's settings)", async () => {
  await page.click('.lm-MenuBar-itemLabel:text-is("File")');
  const labels = await page.locator('.lm-Menu-itemLabel').allTextContents();
  await page.keyboard.press('Escape');
  assert.ok(labels.includes('Save All'), labels.join(', '));
  assert.ok(!labels.includes('Hub Control Panel'), labels.join(', ')); // Log Out is JupyterLab's own here
});
