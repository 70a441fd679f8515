// Browser tests of the JupyterLab widgets: each widget is rendered in real chromium from a bundle made by the
// library's own bundle builders, its controls are operated and their effects checked. The page
// (labextension/test-page) loads our real renderer and styles without a server; the kernel is a fake comm link
// that records what widgets send and answers like the library would. Screenshots go to test-artifacts/widgets/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from './lib/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const display = (name) => require(path.join(root, 'kernel-lib/dist/display', name));
const { trainingBundle } = display('training.js');
const { samplerBundle } = display('sampler.js');
const { activationsBundle, encodeInt8 } = display('activations.js');
const { neuronsBundle } = display('neurons.js');
const { saturationBundle } = display('saturation.js');
const { ngramBundle } = display('ngram.js');
const { divergingColor, surpriseColor } = require('@charrnn/schema');

const artifacts = path.join(root, 'test-artifacts', 'widgets');
const EVIL = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>';
let browser;
let page;

before(async () => {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'labextension'], {
    cwd: root,
    stdio: 'inherit',
  });
  const webpack = require('webpack');
  await new Promise((resolve, reject) =>
    webpack(require(path.join(root, 'labextension/test-page/webpack.config.js')), (err, stats) =>
      err || stats.hasErrors() ? reject(err ?? new Error(stats.toString('errors-only'))) : resolve(),
    ),
  );
  fs.mkdirSync(artifacts, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 940, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e));
});

after(async () => {
  await browser?.close();
});

/** Loads a fresh page and renders `data` (a bundle's data) as `kind`; `link` is set up by `linkSetup` in the page. */
async function render(kind, data, { live = false, dark = false } = {}) {
  await page.goto(pathToFileURL(path.join(root, 'labextension/test-page/index.html')).href);
  await page.waitForFunction(() => window.charrnn);
  await page.evaluate(
    async ({ kind, data, live, dark }) => {
      document.body.classList.toggle('dark', dark);
      // The fake kernel: records opened comms and sent messages; `window.reply` answers a request.
      window.sent = [];
      window.comms = [];
      const link = {
        open(target, onMsg, onClose) {
          const comm = { target, onMsg, onClose, closed: false };
          window.comms.push(comm);
          return {
            send: (msg) => {
              window.sent.push({ target, msg });
              window.reply?.(comm, msg);
            },
            close: () => (comm.closed = true),
          };
        },
        // `window.reconnect()` plays a dropped connection to the kernel coming back.
        onReconnect(cb) {
          window.reconnect = cb;
          return () => (window.reconnect = undefined);
        },
      };
      window.renderer = await window.charrnn.render(document.getElementById('host'), kind, data, live ? link : null);
    },
    { kind, data, live, dark },
  );
}

async function shot(name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

const text = (sel) => page.locator(sel).first().textContent();

// ---------------------------------------------------------------------------------------------------------------

function trainingView(iters, status, samples = 5) {
  const points = Array.from({ length: iters }, (_, i) => ({
    iter: i + 1,
    epoch: (i + 1) / 100,
    trainLoss: 4.2 * Math.exp(-i / 60) + 1.3 + 0.1 * Math.sin(i),
    valLoss: (i + 1) % 50 === 0 ? 4.3 * Math.exp(-i / 60) + 1.4 : undefined,
    lr: 2e-3,
    charsPerSec: 20000,
    elapsedS: (i + 1) * 0.1,
  }));
  return {
    version: 1,
    runId: 'run-7',
    commTarget: 'charrnn.train.run-7',
    config: { cell: 'lstm', hiddenSize: 128 },
    totalIters: 300,
    status,
    points,
    samples: Array.from({ length: samples }, (_, i) => ({
      iter: (i + 1) * 30,
      text: i === 0 ? EVIL : `sample number ${i}\nsecond line`,
      temperature: 1,
    })),
  };
}

test('training dashboard: stats, chart, log toggle, sample scrubber, stop through the comm, live update in place', async () => {
  const data = trainingBundle(trainingView(150, 'running')).data;
  await render('training', data, { live: true });
  assert.equal(await text('[data-stat="iteration"]'), '150 / 300');
  assert.equal(await text('[data-stat="ETA"]'), '15.0 s');
  await page.waitForSelector('.charrnn-chart .scatterlayer .trace');
  assert.equal(await page.locator('.charrnn-chart .scatterlayer .trace').count(), 3);
  assert.equal(await page.evaluate(() => document.querySelector('.charrnn-chart')._fullLayout.yaxis.type), 'linear');
  await page.check('.charrnn-controls input[type=checkbox] >> nth=1');
  await page.waitForFunction(() => document.querySelector('.charrnn-chart')._fullLayout.yaxis.type === 'log');
  await page.check('.charrnn-controls input[type=checkbox] >> nth=0');
  await page.waitForFunction(() => document.querySelector('.charrnn-chart')._fullLayout.xaxis.title.text === 'seconds');

  // latest sample shown; scrub back to the first, which holds HTML that must stay text
  assert.match(await text('.charrnn-sample-label'), /iteration 150, temperature 1 \(5 of 5\)/);
  await page.locator('.charrnn-samples input[type=range]').fill('0');
  assert.equal(await text('.charrnn-samples .charrnn-sample'), EVIL);
  assert.equal(
    await page.evaluate(() => document.querySelectorAll('.charrnn-samples img, .charrnn-samples script').length),
    0,
  );
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  await shot('training-light');

  await page.click('.charrnn-stop');
  assert.deepEqual(await page.evaluate(() => window.sent), [
    { target: 'charrnn.train.run-7', msg: { action: 'stop' } },
  ]);
  assert.equal(await page.locator('.charrnn-stop').isDisabled(), true);

  // the kernel's update_display_data: same renderer, more points, run stopped
  const chartBefore = await page.evaluate(
    () =>
      document.querySelector('.charrnn-chart') !== null &&
      (window.chartNode = document.querySelector('.charrnn-chart')) &&
      true,
  );
  assert.ok(chartBefore);
  await page.evaluate(
    (d) => window.charrnn.update(window.renderer, d),
    trainingBundle(trainingView(180, 'stopped', 6)).data,
  );
  assert.equal(await text('[data-stat="iteration"]'), '180 / 300');
  assert.equal(await text('.charrnn-status'), 'stopped');
  assert.equal(await page.locator('.charrnn-stop').isVisible(), false);
  assert.equal(await page.evaluate(() => document.querySelector('.charrnn-chart') === window.chartNode), true);
  assert.equal(await page.evaluate(() => window.comms[0].closed), true);
  // the scrubber stayed where the user left it (not following the latest sample)
  assert.equal(await text('.charrnn-samples .charrnn-sample'), EVIL);
  // a saved "running" dashboard whose kernel is gone: the comm, opened at once, is closed by the kernel (it does
  // not know the run), and the dashboard shows itself as recorded
  await render('training', data, { live: true });
  assert.equal(await page.evaluate(() => window.comms.length), 1, "the run's comm is opened as the dashboard shows");
  await page.evaluate(() => window.comms[0].onClose());
  const recorded = async () => {
    assert.equal(await text('.charrnn-status'), 'running when saved');
    assert.equal(await page.getAttribute('.charrnn-status', 'data-status'), 'recorded');
    assert.match(await text('.charrnn-message'), /^Recorded: .*no longer connected/);
    assert.equal(await page.locator('.charrnn-stop').isVisible(), false);
    assert.equal(await text('[data-stat="ETA"]'), '-');
  };
  await recorded();
  // and with no kernel at all (the link has none to open a comm to)
  await render('training', data, { dark: true });
  await recorded();
  await page.waitForSelector('.charrnn-chart .scatterlayer .trace');
  await shot('training-dark');
});

test('a Stop that goes unanswered is sent again while the run still shows running, not sooner than 5 s', async () => {
  await render('training', trainingBundle(trainingView(150, 'running')).data, { live: true });
  await page.click('.charrnn-stop');
  // Updates that still say running: at once, the Stop is not sent again; 6 s later it was lost on the way (a dropped
  // connection), and it is.
  const stillRunning = trainingBundle(trainingView(160, 'running')).data;
  await page.evaluate((d) => window.charrnn.update(window.renderer, d), stillRunning);
  assert.equal((await page.evaluate(() => window.sent)).length, 1, 'not sent again at once');
  await page.evaluate(
    async (d) => {
      const now = Date.now;
      Date.now = () => now() + 6000;
      await window.charrnn.update(window.renderer, d);
      Date.now = now;
    },
    trainingBundle(trainingView(170, 'running')).data,
  );
  assert.equal((await page.evaluate(() => window.sent)).length, 2, 'sent again while the run goes on');
});

test('after a dropped connection the dashboard asks the kernel for the run, and shows the end it missed', async () => {
  await render('training', trainingBundle(trainingView(150, 'running')).data, { live: true });
  await page.evaluate(() => window.reconnect());
  assert.deepEqual(await page.evaluate(() => window.sent), [
    { target: 'charrnn.train.run-7', msg: { action: 'sync' } },
  ]);
  await page.evaluate((v) => window.comms[0].onMsg({ view: v }), trainingView(180, 'stopped'));
  assert.equal(await text('.charrnn-status'), 'stopped');
  assert.equal(await text('[data-stat="iteration"]'), '180 / 300');
  assert.equal(await page.evaluate(() => window.comms[0].closed), true, 'the ended run closes its comm');
  assert.equal(await page.evaluate(() => window.reconnect), undefined, 'and stops listening for reconnects');
});

test("Plotly's toolbar, shown on hover, does not cover the dashboard's legend", async () => {
  await render('training', trainingBundle(trainingView(150, 'stopped')).data);
  await page.waitForSelector('.charrnn-chart .legend');
  await page.hover('.charrnn-chart .nsewdrag');
  await page.waitForSelector('.charrnn-chart .modebar', { state: 'visible' });
  const box = (sel) => page.locator(sel).first().boundingBox();
  const [legend, modebar] = [await box('.charrnn-chart .legend'), await box('.charrnn-chart .modebar')];
  assert.ok(
    overlap(legend, modebar) === 0,
    `legend ${JSON.stringify(legend)} under the toolbar ${JSON.stringify(modebar)}`,
  );
});

/** The area two bounding boxes share. */
function overlap(a, b) {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return Math.max(0, w) * Math.max(0, h);
}

// ---------------------------------------------------------------------------------------------------------------

const samplerView = {
  version: 1,
  commTarget: 'charrnn.sampler.1',
  config: { cell: 'lstm' },
  defaults: { prime: 'The ', length: 40, temperature: 1, seed: 3, topK: 0 },
  grid: [0.2, 0.5, 1, 1.5].map((t) => ({ temperature: t, text: `The sample at temperature ${t}` })),
};

test('sampler without a kernel: the slider snaps to the recorded temperatures and says which sample it shows; the rest looks disabled', async () => {
  await render('sampler', samplerBundle({ ...samplerView, commTarget: undefined }).data);
  assert.equal(await page.getAttribute('.charrnn-mode', 'data-live'), 'false');
  assert.equal(await text('.charrnn-sampler > .charrnn-sample'), 'The sample at temperature 1');
  const slider = page.locator('.charrnn-controls input[type=range]');
  for (const [moved, shown] of [
    ['0.55', '0.5'],
    ['0.35', '0.2'],
    ['0.4', '0.5'],
    ['1.9', '1.5'],
    ['0.05', '0.2'],
  ]) {
    await slider.fill(moved);
    assert.equal(await text('.charrnn-sampler > .charrnn-sample'), `The sample at temperature ${shown}`);
    assert.equal(
      await slider.inputValue(),
      shown,
      `the slider reads the temperature of the sample shown (moved to ${moved})`,
    );
    assert.equal(await text('.charrnn-value'), Number(shown).toFixed(2));
    assert.equal(await text('.charrnn-shown'), `recorded at display time, temperature ${shown}`);
  }
  assert.equal(await page.locator('.charrnn-grid-row').count(), 4);
  // a recorded temperature outside the usual 0.05 to 2 is reachable too, and read as it is
  await render(
    'sampler',
    samplerBundle({
      ...samplerView,
      commTarget: undefined,
      grid: [...samplerView.grid, { temperature: 3, text: 'hot' }],
    }).data,
  );
  await slider.fill('3');
  assert.equal(await slider.inputValue(), '3');
  assert.equal(await text('.charrnn-sampler > .charrnn-sample'), 'hot');
  // every setting the kernel would act on is disabled, and looks it: faded, with a greyed label
  const look = await page.evaluate(() =>
    [...document.querySelectorAll('.charrnn-sampler .charrnn-controls input')].map((c) => ({
      disabled: c.disabled,
      opacity: Number(getComputedStyle(c).opacity),
      label: getComputedStyle(c.closest('label')).color,
      cursor: getComputedStyle(c).cursor,
    })),
  );
  assert.deepEqual(
    look.map((c) => c.disabled),
    [false, true, true, true, true, true, true],
  );
  const enabled = look[0];
  for (const c of look.slice(1)) {
    assert.ok(c.opacity < 0.6, `disabled input opacity ${c.opacity}`);
    assert.equal(c.cursor, 'not-allowed');
    assert.notEqual(c.label, enabled.label, 'the label of a disabled input is greyed');
  }
  await shot('sampler-recorded');
});

test("sampler limits: the length box allows what the kernel allows, and a refused value shows the kernel's error", async () => {
  await render('sampler', samplerBundle(samplerView).data, { live: true });
  const box = page.locator('.charrnn-controls input[type=number] >> nth=0');
  assert.deepEqual([await box.getAttribute('min'), await box.getAttribute('max')], ['1', '10000']);
  assert.deepEqual(
    [await page.locator('.charrnn-controls input[type=number] >> nth=3').getAttribute('max')],
    ['32'],
    'beam',
  );
  await page.evaluate(() => {
    // answers as the library's SamplerPanel does for a length out of range
    window.reply = (comm, msg) =>
      setTimeout(
        () =>
          comm.onMsg({
            requestId: msg.requestId,
            chunk: '',
            done: true,
            error: `length must be a whole number from 1 to 10000, got ${msg.length}`,
          }),
        5,
      );
  });
  await box.fill('-5');
  await page.waitForSelector('.charrnn-sampler > .charrnn-sample[data-done=true]');
  assert.equal((await page.evaluate(() => window.sent))[0].msg.length, -5, 'sent as typed, not turned into 1');
  assert.equal(await text('.charrnn-sampler .charrnn-error'), 'length must be a whole number from 1 to 10000, got -5');
  assert.equal(await text('.charrnn-sampler > .charrnn-sample'), '');
});

test('sampler beam option: a beam request, the best continuation shown and every kept one listed with its log-probability', async () => {
  await render('sampler', samplerBundle(samplerView).data, { live: true });
  await page.evaluate(() => {
    window.reply = (comm, msg) => {
      const beams = Array.from({ length: msg.beam }, (_, i) => ({
        text: `${msg.prime}<b>beam ${i}</b>`,
        logProb: -3.25 - i,
      }));
      const reply = msg.beam > 0 ? { chunk: beams[0].text, beams } : { chunk: `${msg.prime}drawn` };
      setTimeout(() => comm.onMsg({ requestId: msg.requestId, done: true, ...reply }), 5);
    };
  });
  const beam = page.locator('.charrnn-controls input[type=number] >> nth=3');
  await beam.fill('3');
  await page.waitForSelector('.charrnn-sampler > .charrnn-sample[data-done=true]');
  const sent = await page.evaluate(() => window.sent);
  assert.deepEqual(
    sent.map((s) => s.msg),
    [
      {
        action: 'sample',
        requestId: 1,
        prime: 'The ',
        dropUnknown: false,
        length: 40,
        temperature: 1,
        seed: 3,
        topK: 0,
        beam: 3,
      },
    ],
  );
  assert.equal(await text('.charrnn-sampler > .charrnn-sample'), 'The <b>beam 0</b>');
  assert.equal(await page.locator('.charrnn-beam').count(), 3);
  assert.deepEqual(await page.locator('.charrnn-beam-logp').allTextContents(), [
    'log p = -3.25',
    'log p = -4.25',
    'log p = -5.25',
  ]);
  assert.equal(await page.locator('.charrnn-beams b').count(), 0, 'beam texts are text');
  assert.match(await text('.charrnn-shown'), /beam search keeping 3/);
  assert.equal(
    await page.locator('.charrnn-controls input[type=number] >> nth=1').isDisabled(),
    true,
    'the seed plays no part in beam search',
  );
  await shot('sampler-beam');
  await beam.fill('0');
  await page.waitForFunction(() => window.sent.length === 2);
  await page.waitForFunction(
    () => document.querySelector('.charrnn-sampler > .charrnn-sample').textContent === 'The drawn',
  );
  assert.equal(await page.locator('.charrnn-beam').count(), 0, 'no beams listed for a drawn sample');
  assert.equal(await page.locator('.charrnn-controls input[type=number] >> nth=1').isDisabled(), false);
});

test('sampler offers to drop the unknown characters its error names', async () => {
  await render('sampler', samplerBundle(samplerView).data, { live: true });
  await page.check('.charrnn-controls input[type=checkbox]');
  await page.waitForFunction(() => window.sent.length === 1);
  assert.equal((await page.evaluate(() => window.sent))[0].msg.dropUnknown, true);
  assert.match(
    await page.locator('.charrnn-controls label', { has: page.locator('input[type=checkbox]') }).textContent(),
    /drop unknown characters/,
  );
});

test("the probe box's error gets a line of its own and leaves the text box its width", async () => {
  await render('activations', activationsBundle(activationsView(50)).data, { live: true });
  const width = (sel) => page.locator(sel).evaluate((e) => e.getBoundingClientRect().width);
  const before = await width('.charrnn-probe-text');
  const error = `prime text has characters that are not in the model's vocabulary: ${"'\u00e9' (U+00E9), ".repeat(12)}and more`;
  await page.evaluate((error) => {
    window.reply = (comm, msg) => setTimeout(() => comm.onMsg({ requestId: msg.requestId, error }), 5);
  }, error);
  await page.fill('.charrnn-probe-text', 'h\u00e9llo');
  await page.click('.charrnn-probe .charrnn-button');
  await page.waitForFunction((error) => document.querySelector('.charrnn-probe-status').textContent === error, error);
  assert.equal(await width('.charrnn-probe-text'), before, 'the text box keeps its width');
  assert.ok(before > 0.5 * (await width('.charrnn-probe')), `text box ${before} px wide`);
  const [box, status] = [
    await page.locator('.charrnn-probe-text').boundingBox(),
    await page.locator('.charrnn-probe-status').boundingBox(),
  ];
  assert.ok(status.y >= box.y + box.height, 'the error is below the text box');
  await shot('probe-error');
});

test('sampler with a kernel: changes send one debounced request and the reply streams in; stale replies are dropped', async () => {
  await render('sampler', samplerBundle(samplerView).data, { live: true });
  assert.equal(await page.getAttribute('.charrnn-mode', 'data-live'), 'true');
  assert.equal(await text('.charrnn-mode'), 'live: samples are drawn in the kernel as you change the settings');
  assert.equal(
    await text('.charrnn-sampler > .charrnn-sample'),
    'The sample at temperature 1',
    'recorded sample until the first request',
  );
  await page.evaluate(() => {
    window.reply = (comm, msg) => {
      // answer in two chunks, and also send a chunk of an older request that must be ignored
      setTimeout(() => comm.onMsg({ requestId: msg.requestId - 1, chunk: 'STALE', done: true }), 5);
      setTimeout(() => comm.onMsg({ requestId: msg.requestId, chunk: msg.prime, done: false }), 10);
      setTimeout(() => comm.onMsg({ requestId: msg.requestId, chunk: `cat at ${msg.temperature}`, done: true }), 20);
    };
  });
  await page.locator('.charrnn-controls input[type=text]').fill('A ');
  await page.locator('.charrnn-controls input[type=range]').fill('0.3');
  await page.waitForSelector('.charrnn-sampler > .charrnn-sample[data-done=true]');
  assert.equal(await text('.charrnn-sampler > .charrnn-sample'), 'A cat at 0.3');
  const sent = await page.evaluate(() => window.sent);
  assert.equal(sent.length, 1, 'two quick changes make one request');
  assert.deepEqual(sent[0].msg, {
    action: 'sample',
    requestId: 1,
    prime: 'A ',
    dropUnknown: false,
    length: 40,
    temperature: 0.3,
    seed: 3,
    topK: 0,
    beam: 0,
  });
  await shot('sampler-live');
  // the kernel goes away (comm closed): back to the recorded samples
  await page.evaluate(() => window.comms[0].onClose());
  assert.equal(await page.getAttribute('.charrnn-mode', 'data-live'), 'false');
  assert.equal(await text('.charrnn-sampler > .charrnn-sample'), 'The sample at temperature 0.2');
});

// ---------------------------------------------------------------------------------------------------------------

/** An LSTM-like activations view of `T` characters, `L` layers of `H` units with deterministic values. */
function activationsView(T, L = 2, H = 64) {
  const source = 'The "quick" brown fox <jumps> over the lazy dog.\nif (x) { return [a, b]; }\n';
  const text = Array.from({ length: T }, (_, t) => source[t % source.length]);
  const value = (t, j, l, c) => Math.sin(0.05 * t * (j + 1) + l + c);
  const matrix = (l, c) =>
    encodeInt8(
      Float32Array.from({ length: T * H }, (_, i) => value(Math.floor(i / H), i % H, l, c)),
      T,
      H,
    );
  const k = 5;
  const chars = Array.from({ length: T * k }, (_, i) => 'etaoi'[i % k]);
  const probs = Array.from({ length: T * k }, (_, i) => [0.6, 0.2, 0.1, 0.05, 0.05][i % k]);
  return {
    version: 1,
    commTarget: 'charrnn.activations.1',
    cell: 'lstm',
    hiddenSize: H,
    text,
    layers: Array.from({ length: L }, (_, l) => ({ layer: l, h: matrix(l, 0), c: matrix(l, 1) })),
    predictions: { k, chars, probs, actual: Array.from({ length: T - 1 }, () => 0.25) },
  };
}

test('activation explorer: 10,000 characters, picker changes repaint, keyboard', async () => {
  const T = 10000;
  const t0 = Date.now();
  const full = activationsView(T);
  await render('activations', activationsBundle(full).data, { live: true });
  console.log(`activations: rendered ${T} characters in ${Date.now() - t0} ms (including page load)`);
  assert.equal(await page.locator('.charrnn-char').count(), T);
  assert.equal(await page.locator('.charrnn-guess').count(), T * 5);
  const expected = (t, j, l, c) => divergingColor(Math.round(Math.sin(0.05 * t * (j + 1) + l + c) * 127) / 127);
  const bg = (t) => page.evaluate((t) => document.querySelectorAll('.charrnn-char')[t].style.backgroundColor, t);
  assert.equal(await bg(123), expected(123, 0, 0, 0).replace(/,/g, ', '));

  // the saved bundle holds only the cell it shows: another cell is asked of the kernel (a probe of the same text)
  await page.evaluate(
    (v) => (window.reply = (comm, msg) => setTimeout(() => comm.onMsg({ requestId: msg.requestId, view: v }), 5)),
    full,
  );
  await page.focus('.charrnn-text');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelectorAll('.charrnn-char')[7].style.backgroundColor !== '');
  assert.deepEqual(
    (await page.evaluate(() => window.sent)).map((s) => s.msg),
    [{ action: 'probe', requestId: 1, text: full.text.join('') }],
  );
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '0/h/1');
  assert.equal(await bg(7), expected(7, 1, 0, 0).replace(/,/g, ', '));
  await page.evaluate(() => (window.sent = []));

  // time picker changes: set the slider, fire its input event, and stop the clock once the next frame has been
  // rendered (a task queued from requestAnimationFrame runs after that frame's style, layout and paint)
  const times = await page.evaluate(async () => {
    const slider = document.querySelector('.charrnn-activations .charrnn-controls input[type=range]');
    const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const out = [];
    await painted();
    for (let i = 1; i <= 12; i++) {
      const start = performance.now();
      slider.value = String(i * 5);
      slider.dispatchEvent(new Event('input'));
      await painted();
      out.push(performance.now() - start);
    }
    return out;
  });
  // Printed for the record, not asserted: speed is a benchmark's business, and a test on shared cores would flake.
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `activations: picker change to painted frame, ms: median ${sorted[6].toFixed(1)}, max ${sorted[11].toFixed(1)}`,
  );
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '0/h/60');
  assert.equal(await bg(123), expected(123, 60, 0, 0).replace(/,/g, ', '));

  // layer and cell state pickers
  await page.selectOption('.charrnn-layer', '1');
  await page.selectOption('.charrnn-kind', 'c');
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '1/c/60');
  assert.equal(await bg(7), expected(7, 60, 1, 1).replace(/,/g, ', '));

  // keyboard on the focused text
  await page.focus('.charrnn-text');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('PageDown');
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '1/c/52');
  await page.keyboard.press('PageUp');
  await page.keyboard.press('PageUp');
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '1/c/63', 'clamped to the last unit');
});

// On the explorer the test above leaves: 10,000 characters showing layer 1's c[63].
test('activation explorer: hover, condensed, probe', async () => {
  // hover shows exact values, in a tooltip at the pointer
  await page.hover('.charrnn-cell >> nth=5 >> .charrnn-char');
  const value = (Math.round(Math.sin(0.05 * 5 * 64 + 2) * 127) / 127).toFixed(3);
  assert.equal(
    await text('.charrnn-tip'),
    `char 5 "q": layer 1 tanh c[63] = ${value}\ntop 5 guesses for the next character: "e" 0.600, "t" 0.200, "a" 0.100, "o" 0.050, "i" 0.050\ncame next: "u", p = 0.250`,
  );
  await shot('activations-light');
  await page.mouse.move(0, 0);
  assert.equal(await page.locator('.charrnn-tip').isVisible(), false, 'gone when the pointer leaves the text');

  // condensed mode hides the guesses
  await page.check('.charrnn-activations .charrnn-controls input[type=checkbox]');
  assert.equal(await page.locator('.charrnn-guesses >> nth=0').isVisible(), false);
  await shot('activations-condensed');

  // probe: the kernel answers with a new view of the user's text; the selection is kept where it exists
  await page.evaluate(() => {
    window.reply = (comm, msg) => setTimeout(() => comm.onMsg({ requestId: msg.requestId, view: window.probeView }), 5);
  });
  await page.evaluate((v) => (window.probeView = v), {
    ...activationsView(12),
    commTarget: undefined,
    text: [...'<b>hi</b> yo'],
  });
  await page.fill('.charrnn-probe-text', '<b>hi</b> yo');
  await page.click('.charrnn-probe .charrnn-button');
  await page.waitForFunction(() => document.querySelectorAll('.charrnn-char').length === 12);
  assert.deepEqual(
    (await page.evaluate(() => window.sent)).map((s) => s.msg),
    [{ action: 'probe', requestId: 2, text: '<b>hi</b> yo' }],
  );
  assert.equal(
    await page.evaluate(() => [...document.querySelectorAll('.charrnn-char')].map((e) => e.textContent).join('')),
    '<b>hi</b>\u00a0yo',
  );
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '1/c/63');
  assert.equal(
    await page.locator('.charrnn-probe').isVisible(),
    true,
    'probe box stays after a probe reply without commTarget',
  );
});

test('activation explorer whose kernel is gone: a probe says so instead of waiting', async () => {
  await render('activations', activationsBundle(activationsView(50)).data, { live: true });
  await page.fill('.charrnn-probe-text', 'abc');
  await page.click('.charrnn-probe .charrnn-button');
  await page.evaluate(() => window.comms[0].onClose());
  assert.match(await text('.charrnn-probe-status'), /kernel that made this output is gone/);
});

test('activation explorer offline: no probe box; a cell the saved output lacks is named, not painted wrong; dark theme', async () => {
  const view = { ...activationsView(400), commTarget: undefined, selected: { layer: 1, kind: 'c', index: 9 } };
  await render('activations', activationsBundle(view).data, { dark: true });
  assert.equal(await page.locator('.charrnn-probe').isVisible(), false);
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '1/c/9');
  await shot('activations-dark');
  await page.focus('.charrnn-text');
  await page.keyboard.press('ArrowRight');
  assert.match(await text('.charrnn-info'), /layer 1 c\[10\] is not in this saved output .*re-run the cell/);
  assert.equal(await page.evaluate(() => document.querySelectorAll('.charrnn-char')[3].style.backgroundColor), '');
  await page.keyboard.press('ArrowLeft');
  assert.notEqual(await page.evaluate(() => document.querySelectorAll('.charrnn-char')[3].style.backgroundColor), '');
});

/**
 * A view whose layer 1 c[5] is on (0.9) exactly over chars 5..9 ('quick') and off (-0.5) elsewhere, the other cells
 * smooth waves; the guesses after char t are 'e', the char that actually follows, 'a', 'o', 'i' (p 0.5 .. 0.05).
 */
function plantedView(T = 150) {
  const view = activationsView(T, 2, 16);
  const H = 16;
  const c1 = Float32Array.from({ length: T * H }, (_, i) => Math.sin(0.05 * Math.floor(i / H) * ((i % H) + 1) + 2));
  for (let t = 0; t < T; t++) c1[t * H + 5] = t >= 5 && t < 10 ? 0.9 : -0.5;
  view.layers[1].c = encodeInt8(c1, T, H);
  const k = 5;
  view.predictions.chars = Array.from({ length: T * k }, (_, i) =>
    i % k === 1 ? (view.text[Math.floor(i / k) + 1] ?? 'x') : 'e?aoi'[i % k],
  );
  view.predictions.probs = Array.from({ length: T * k }, (_, i) => [0.5, 0.3, 0.1, 0.05, 0.05][i % k]);
  view.predictions.actual = Array.from({ length: T - 1 }, (_, t) => (t % 2 ? 0.3 : 0.01));
  return view;
}

/** Selects chars from..to (inclusive) with the mouse: press at the left edge of one, release at the right edge of the other. */
async function dragSelect(from, to) {
  const box = (t) => page.locator('.charrnn-char').nth(t).boundingBox();
  const [a, b] = [await box(from), await box(to)];
  await page.mouse.move(a.x + 1, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width - 1, b.y + b.height / 2);
  await page.mouse.up();
}

const rowCells = (i) =>
  page.evaluate(
    (i) => [...document.querySelectorAll('.charrnn-matches tbody tr')[i].children].map((td) => td.textContent),
    i,
  );

test('activation explorer: selecting text with the mouse ranks the cells that follow it from the saved activations, a click shows one', async () => {
  const view = plantedView();
  // saved with every cell, no kernel: ranked here from the 8-bit activations
  await render('activations', { 'application/vnd.charrnn.activations+json': { ...view, commTarget: undefined } });
  assert.equal(await page.locator('.charrnn-matches').isVisible(), false);
  await dragSelect(5, 9);
  await page.waitForSelector('.charrnn-matches:not([hidden])');
  assert.equal(await text('.charrnn-matches .charrnn-title'), 'Cells that follow the selection "quick" (chars 5 to 9)');
  assert.equal(await page.locator('.charrnn-char.charrnn-selected').count(), 5);
  assert.deepEqual((await rowCells(0)).slice(0, 5), ['1', '1', 'c', '5', '1.000']);
  assert.equal(await page.locator('.charrnn-matches tbody tr').count(), 10);
  assert.match(
    await page.locator('.charrnn-matches th', { hasText: 'mean inside' }).getAttribute('title'),
    /mean value inside the selection/,
  );
  await page.click('.charrnn-matches .charrnn-more');
  assert.equal(await page.locator('.charrnn-matches tbody tr').count(), 20);
  assert.match(
    await text('.charrnn-matches .charrnn-message'),
    /^\|point-biserial correlation\| of activation with the selection over the 150 characters shown; no live kernel: ranked from the 8-bit activations saved in this output/,
  );
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '0/h/0');
  await page.click('.charrnn-matches tbody tr >> nth=0');
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '1/c/5');
  assert.equal(
    await page.evaluate(() => document.querySelectorAll('.charrnn-char')[6].style.backgroundColor),
    divergingColor(Math.round(0.9 * 127) / 127).replace(/,/g, ', '),
  );
  await shot('activations-selection-saved');

  // the saved form of a bundle keeps only the cells it shows: it says the search needs the live kernel
  await render('activations', activationsBundle({ ...view, commTarget: undefined }).data);
  await dragSelect(5, 9);
  await page.waitForSelector('.charrnn-matches:not([hidden])');
  assert.match(
    await text('.charrnn-matches .charrnn-message'),
    /keeps only \d+ of the model's 64 cells, so only those are ranked; the search over every cell needs the live kernel \(re-run the cell\)/,
  );
});

test('activation explorer: with a kernel the selection is ranked there (shown as text, never HTML), else from the saved activations', async () => {
  const view = plantedView();
  // with the kernel: the selection goes to it and its ranking (text, never HTML) is shown
  await render('activations', activationsBundle(view).data, { live: true });
  await page.evaluate(() => {
    window.reply = (comm, msg) => {
      if (msg.action !== 'search') return;
      const ranked = [
        { layer: 1, kind: 'c', index: 5, score: 0.97, correlation: 0.97, meanOn: 0.9, meanOff: -0.5 },
        { layer: 0, kind: 'h', index: 12, score: 0.41, correlation: -0.41, meanOn: -0.2, meanOff: 0.1 },
      ];
      setTimeout(() => comm.onMsg({ requestId: msg.requestId - 1, ranked: [], metric: 'STALE' }), 5);
      setTimeout(
        () =>
          comm.onMsg({
            requestId: msg.requestId,
            feature: 'selection',
            metric: '|point-biserial correlation| <img src=x onerror="window.pwned=1">',
            ranked,
          }),
        10,
      );
    };
  });
  await dragSelect(5, 9);
  await page.waitForFunction(() => document.querySelectorAll('.charrnn-matches tbody tr').length === 2);
  const sent = (await page.evaluate(() => window.sent)).map((s) => s.msg);
  assert.deepEqual(sent, [{ action: 'search', requestId: 1, text: view.text.join(''), start: 5, end: 10, top: 20 }]);
  assert.deepEqual(await rowCells(1), ['2', '0', 'h', '12', '-0.410', '-0.200', '0.100']);
  assert.match(
    await text('.charrnn-matches .charrnn-message'),
    /<img src=x onerror="window.pwned=1">; every cell, ranked in the kernel/,
  );
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  await page.click('.charrnn-matches tbody tr >> nth=1');
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '0/h/12');
  await shot('activations-selection-live');

  // the kernel goes away before it answers: the saved activations are searched instead, and the UI says why
  await page.evaluate(() => (window.reply = undefined));
  await dragSelect(20, 24);
  await page.evaluate(() => window.comms[0].onClose());
  assert.match(
    await text('.charrnn-matches .charrnn-message'),
    /^\|point-biserial correlation\| .*the kernel that made this output is gone: this saved output keeps only/,
  );
});

test('activation explorer: "where else does this cell fire?" asks the kernel and lists the passages, text as text, the peak outlined', async () => {
  const view = { ...plantedView(), whereElseChars: 54321 };
  await render('activations', { 'application/vnd.charrnn.activations+json': { ...view, commTarget: undefined } });
  assert.equal(await page.locator('.charrnn-elsewhere').isVisible(), false, 'offline: not offered');
  await render(
    'activations',
    { 'application/vnd.charrnn.activations+json': { ...view, whereElseChars: undefined } },
    { live: true },
  );
  assert.equal(await page.locator('.charrnn-elsewhere').isVisible(), false, 'no text to look in: not offered');
  await render('activations', { 'application/vnd.charrnn.activations+json': view }, { live: true });
  assert.equal(
    await text('.charrnn-elsewhere .charrnn-button'),
    'Where else does this cell fire? (in 54321 characters)',
  );
  await page.evaluate((evil) => {
    window.reply = (comm, msg) => {
      const passage = (peak, chars) => ({
        peak,
        value: 0.9,
        start: peak - 2,
        chars: [...chars],
        values: [...chars].map((_, i) => (i === 2 ? 0.9 : -0.4)),
      });
      setTimeout(
        () =>
          comm.onMsg({
            requestId: msg.requestId,
            searched: 54321,
            passages: [passage(100, 'a "b" c'), passage(4000, evil.slice(0, 12))],
          }),
        5,
      );
    };
  }, EVIL);
  await page.selectOption('.charrnn-layer', '1');
  await page.selectOption('.charrnn-kind', 'c');
  await page.click('.charrnn-elsewhere .charrnn-button');
  await page.waitForFunction(() => document.querySelectorAll('.charrnn-passage').length === 2);
  assert.deepEqual(
    (await page.evaluate(() => window.sent)).map((s) => s.msg),
    [{ action: 'whereElse', requestId: 1, cell: { layer: 1, kind: 'c', index: 0 }, top: 5 }],
  );
  assert.equal(
    await text('.charrnn-elsewhere .charrnn-message'),
    'layer 1 c[0, tanh]: its 2 highest peaks in 54321 characters (the peak outlined)',
  );
  assert.equal(await text('.charrnn-passage >> nth=0'), 'char 100: 0.900a\u00a0"b"\u00a0c');
  assert.equal(
    await text('.charrnn-passage >> nth=1 >> .charrnn-passage-text'),
    EVIL.slice(0, 12).replace(/ /g, '\u00a0'),
  );
  assert.equal(
    await page.evaluate(() => document.querySelectorAll('.charrnn-passages img, .charrnn-passages script').length),
    0,
  );
  assert.deepEqual(
    await page.evaluate(() =>
      [...document.querySelectorAll('.charrnn-peak')].map((e) => [e.textContent, e.style.backgroundColor]),
    ),
    [
      ['"', divergingColor(Math.round(0.9 * 127) / 127).replace(/,/g, ', ')],
      ['m', divergingColor(Math.round(0.9 * 127) / 127).replace(/,/g, ', ')],
    ],
  );
  await shot('activations-where-else');
});

test('activation explorer: the top 5 guesses stand in a column under each character, shaded by probability, the actual next character outlined; colour by surprise', async () => {
  const view = plantedView(40);
  await render('activations', activationsBundle({ ...view, commTarget: undefined }).data);
  assert.equal(await text('.charrnn-rowlabel-guesses'), 'top 5 guesses');
  assert.equal(await page.locator('.charrnn-rowlabel').count(), await page.locator('.charrnn-line').count());
  // the layout: each guess below the previous one, all centred under their character
  const layout = await page.evaluate(() =>
    [...document.querySelectorAll('.charrnn-cell')].slice(0, 12).map((cell) => {
      const boxes = [cell.querySelector('.charrnn-char'), ...cell.querySelectorAll('.charrnn-guess')].map((e) =>
        e.getBoundingClientRect(),
      );
      return boxes.map((b) => ({ top: b.top, bottom: b.bottom, mid: b.left + b.width / 2 }));
    }),
  );
  for (const boxes of layout) {
    assert.equal(boxes.length, 6);
    for (let j = 1; j < 6; j++) {
      assert.ok(boxes[j].top >= boxes[j - 1].bottom - 0.5, `row ${j} below row ${j - 1}: ${JSON.stringify(boxes)}`);
      assert.ok(Math.abs(boxes[j].mid - boxes[0].mid) < 1, 'centred under the character');
    }
  }
  // shading: darker for likelier guesses, opaque (the same in every theme), the least likely still shaded
  const shades = await page.evaluate(() =>
    [...document.querySelectorAll('.charrnn-cell')[3].querySelectorAll('.charrnn-guess')].map(
      (g) => getComputedStyle(g).backgroundColor,
    ),
  );
  const lightness = shades.map((c) => {
    // rgb(r, g, b) in 0..255, or color(srgb r g b) in 0..1 (how Chromium gives a color-mix())
    const rgb = c.match(/[\d.]+/g).map(Number);
    assert.ok(rgb.length === 3 || rgb[3] === 1, `opaque: ${c}`);
    return (rgb[0] + rgb[1] + rgb[2]) * (c.startsWith('color(') ? 255 : 1);
  });
  assert.ok(
    lightness[0] < lightness[1] &&
      lightness[1] < lightness[2] &&
      lightness[2] <= lightness[4] &&
      lightness[4] < 3 * 255,
    `shades ${shades}`,
  );
  // a space guess is a visible mark, not a blank box
  assert.equal(await page.locator('.charrnn-cell >> nth=2').locator('.charrnn-guess >> nth=1').textContent(), '␣');
  // the actual next character is outlined where it appears (here always the second guess), and only there
  const actualShown = view.predictions.chars.filter((ch, i) => ch === view.text[Math.floor(i / 5) + 1]).length;
  assert.ok(actualShown >= 39);
  assert.equal(await page.locator('.charrnn-guess.charrnn-actual').count(), actualShown);
  assert.equal(
    await page.locator('.charrnn-cell >> nth=3').locator('.charrnn-guess >> nth=1').getAttribute('class'),
    'charrnn-guess charrnn-p3 charrnn-actual',
  );
  // probability on hover
  await page.hover('.charrnn-cell >> nth=3 >> .charrnn-guess >> nth=1');
  assert.equal(
    (await text('.charrnn-tip')).split('\n')[1],
    `guess 2: ${JSON.stringify(view.text[4])}, p = 0.300, the character that came next`,
  );
  await shot('activations-guesses');

  // colour by surprise: char t by -ln p(char t | before), the first has no prediction
  assert.match(await text('.charrnn-legend'), /^colour: the chosen cell's value/);
  await page.check('.charrnn-activations .charrnn-controls input[type=checkbox] >> nth=1');
  const bgs = await page.evaluate(() =>
    [...document.querySelectorAll('.charrnn-char')].slice(0, 3).map((e) => e.style.backgroundColor),
  );
  assert.deepEqual(
    bgs,
    [surpriseColor(NaN), surpriseColor(-Math.log(0.01)), surpriseColor(-Math.log(0.3))].map((c) =>
      c.replace(/,/g, ', '),
    ),
  );
  assert.match(await text('.charrnn-legend'), /^colour: surprise -ln p of each character/);
  await shot('activations-surprise');
  await page.uncheck('.charrnn-activations .charrnn-controls input[type=checkbox] >> nth=1');
  assert.notEqual(
    await page.evaluate(() => document.querySelectorAll('.charrnn-char')[1].style.backgroundColor),
    bgs[1],
  );
});

test('activation explorer: the hover info sits at the pointer and stays in sight when the text or the page is scrolled', async () => {
  await render('activations', {
    'application/vnd.charrnn.activations+json': { ...activationsView(2000), commTarget: undefined },
  });
  /** Moves the pointer to the middle of the first character cell inside the text box and the window; the tooltip's box and the pointer. */
  const hoverVisible = async () => {
    const at = await page.evaluate(() => {
      const box = document.querySelector('.charrnn-text').getBoundingClientRect();
      const inside = (r) =>
        r.top >= Math.max(box.top, 0) && r.bottom <= Math.min(box.bottom, innerHeight) && r.width > 0;
      const cells = [...document.querySelectorAll('.charrnn-char')].filter((c) => inside(c.getBoundingClientRect()));
      const r = cells.at(-1).getBoundingClientRect(); // the last one in sight: the one nearest the window's bottom
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
    await page.mouse.move(at.x + 2, at.y, { steps: 2 }); // a move (a scroll hides the tooltip until the pointer moves)
    await page.mouse.move(at.x, at.y);
    const tip = await page.locator('.charrnn-tip').boundingBox();
    return { tip, at, viewport: page.viewportSize() };
  };
  const check = ({ tip, at, viewport }, what) => {
    assert.ok(tip, `${what}: a tooltip`);
    assert.ok(
      tip.x >= 0 && tip.y >= 0 && tip.x + tip.width <= viewport.width && tip.y + tip.height <= viewport.height,
      `${what}: in the window ${JSON.stringify({ tip, viewport })}`,
    );
    const dx = Math.max(tip.x - at.x, 0, at.x - tip.x - tip.width);
    const dy = Math.max(tip.y - at.y, 0, at.y - tip.y - tip.height);
    assert.ok(
      (dx > 0 || dy > 0) && Math.hypot(dx, dy) < 30,
      `${what}: next to the pointer, not under it ${JSON.stringify({ tip, at })}`,
    );
  };
  check(await hoverVisible(), 'unscrolled');
  await page.evaluate(() => (document.querySelector('.charrnn-text').scrollTop = 5000));
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))); // its scroll event
  const scrolled = await hoverVisible();
  check(scrolled, 'the text box scrolled');
  assert.match(await text('.charrnn-tip'), /^char \d+ /);
  // a short window scrolled down: the pointer near its bottom edge, the tooltip above it
  await page.setViewportSize({ width: 940, height: 420 });
  await page.evaluate(() => window.scrollTo(0, 150));
  const low = await hoverVisible();
  check(low, 'the page scrolled');
  assert.ok(low.tip.y + low.tip.height <= low.at.y, 'flipped above the pointer near the bottom of the window');
  await shot('activations-tip');
  await page.setViewportSize({ width: 940, height: 900 });
});

test('keys inside our widgets are theirs: Enter applies the neuron box, arrows anywhere in the explorer change the neuron, nothing reaches the notebook', async () => {
  await render('activations', {
    'application/vnd.charrnn.activations+json': { ...activationsView(60), commTarget: undefined },
  });
  // what JupyterLab's shortcut listener (capture phase on the document) decides for a notebook shortcut whose
  // selector ends in ':focus', as Lumino's CommandRegistry does: walking up from the target, is a
  // data-lm-suppress-shortcuts mark met before an element matching the selector?
  await page.evaluate(() => {
    window.leaked = [];
    window.shortcuts = [];
    const suppressed = (el) => {
      for (; el; el = el.parentElement) {
        if (el.hasAttribute('data-lm-suppress-shortcuts')) return true;
        if (el.matches('body :focus')) return false;
      }
      return false;
    };
    document.addEventListener(
      'keydown',
      (e) => {
        window.shortcuts.push(
          `${e.ctrlKey ? 'Control+' : ''}${e.key} ${suppressed(e.target) ? 'suppressed' : 'allowed'}`,
        );
        if (e.ctrlKey) e.preventDefault();
      },
      true,
    );
    document.addEventListener('keydown', (e) => window.leaked.push(e.key));
  });
  await page.fill('.charrnn-activations input[type=number]', '7');
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '0/h/0', 'typing alone does not apply');
  await page.press('.charrnn-activations input[type=number]', 'Enter');
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '0/h/7');
  await page.click('.charrnn-legend');
  await page.focus('.charrnn-text');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '0/h/8');
  await page.focus('.charrnn-activations input[type=range]');
  await page.keyboard.press('ArrowLeft');
  assert.equal(
    await page.getAttribute('.charrnn-activations', 'data-neuron'),
    '0/h/7',
    'the slider moves by its own arrows, once',
  );
  assert.deepEqual(await page.evaluate(() => window.leaked), []);
  // the notebook's chords still reach JupyterLab: save, run the cell, Escape
  await page.keyboard.press('Control+s');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.press('Escape');
  assert.deepEqual(await page.evaluate(() => window.shortcuts), [
    'Enter suppressed',
    'ArrowRight suppressed',
    'ArrowLeft suppressed',
    'Control+Control allowed',
    'Control+s allowed',
    'Shift suppressed',
    'Enter allowed',
    'Escape allowed',
  ]);
});

// ---------------------------------------------------------------------------------------------------------------

test('neuron search: ranked rows; clicking one opens that cell in the explorer', async () => {
  const ranked = [
    { layer: 1, kind: 'c', index: 17, score: 0.91, correlation: 0.91, meanOn: 0.8, meanOff: -0.1 },
    { layer: 0, kind: 'h', index: 3, score: 0.55, correlation: -0.55, meanOn: -0.4, meanOff: 0.2 },
  ];
  const activations = activationsView(300);
  let inside = 0;
  const featureValues = activations.text.map((ch) => (ch === '"' ? (inside ^= 1) || 1 : inside)); // quotes and what they enclose
  const view = {
    version: 1,
    feature: 'inside quotes',
    metric: '|Pearson r| of activation with the feature',
    ranked,
    activations,
    featureValues,
  };
  await render('neurons', neuronsBundle(view).data);
  assert.equal(await page.locator('.charrnn-ranked tbody tr').count(), 2);
  assert.equal(await page.locator('.charrnn-activations').count(), 0);
  await page.click('.charrnn-ranked tbody tr >> nth=1');
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '0/h/3');
  await page.click('.charrnn-ranked tbody tr >> nth=0');
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '1/c/17');
  assert.equal(await page.locator('.charrnn-activations').count(), 1, 'one explorer, reused');
  const underlined = await page.evaluate(() =>
    [...document.querySelectorAll('.charrnn-char.charrnn-feature')]
      .slice(0, 7)
      .map((e) => e.textContent)
      .join(''),
  );
  assert.equal(underlined, '"quick"', 'the feature is underlined where it is on');
  assert.equal(
    await page.locator('.charrnn-char.charrnn-feature').count(),
    featureValues.filter((v) => v !== 0).length,
  );
  await shot('neurons');
});

test('neuron search: the best 10 of 100 rows and a "more" button, every column explained on hover, no score column; a button opens the best cell', async () => {
  const ranked = Array.from({ length: 100 }, (_, i) => ({
    layer: i % 2,
    kind: i % 3 ? 'h' : 'c',
    index: i % 64,
    score: 0.9 - i / 200,
    correlation: (i % 2 ? -1 : 1) * (0.9 - i / 200),
    meanOn: 0.5,
    meanOff: -0.2,
  }));
  const view = {
    version: 1,
    feature: 'inside quotes',
    metric: '|Pearson r|',
    ranked,
    activations: activationsView(200),
  };
  await render('neurons', neuronsBundle(view).data);
  const rows = page.locator('.charrnn-neurons > .charrnn-ranked-table tbody tr');
  assert.equal(await rows.count(), 10);
  const heads = await page.evaluate(() =>
    [...document.querySelectorAll('.charrnn-ranked th')].map((th) => [th.textContent, th.title]),
  );
  assert.deepEqual(
    heads.map(([h]) => h),
    ['rank', 'layer', 'state', 'unit', 'correlation', 'mean on', 'mean off'],
  );
  for (const [h, title] of heads)
    assert.ok(title.startsWith(`${h}: `) && title.length > h.length + 20, `${h}: ${title}`);
  assert.match(heads[2][1], /h = the hidden state.*c = the LSTM cell state/);
  assert.match(heads[5][1], /mean value where the feature is on/);
  assert.equal(
    await page.evaluate(() => document.querySelector('.charrnn-ranked').getBoundingClientRect().height < 400),
    true,
    'ten rows, not 2,400 px',
  );
  await shot('neurons-top10');

  // "more" adds ten rows at a time; the rows past the saved ones say why they cannot open, and do not
  assert.equal(await text('.charrnn-neurons .charrnn-more'), 'show 10 more of 100');
  await page.click('.charrnn-neurons .charrnn-more');
  assert.equal(await rows.count(), 20);
  assert.equal(await page.locator('.charrnn-neurons tr.charrnn-closed').count(), 10);
  assert.match(
    await page.locator('.charrnn-neurons tr.charrnn-closed >> nth=0').getAttribute('title'),
    /only the first 10 rows' cells are saved with this output.*new Explorer\(model, vocab, text, \{ selected: \{ layer: 0, kind: 'h', index: 10 \} \}\)/,
  );
  await page.click('.charrnn-neurons tr.charrnn-closed >> nth=0');
  assert.equal(await page.locator('.charrnn-activations').count(), 0, 'a row whose cell is not saved opens nothing');
  for (let i = 0; i < 8; i++) await page.click('.charrnn-neurons .charrnn-more');
  assert.equal(await rows.count(), 100);
  assert.equal(await page.locator('.charrnn-neurons .charrnn-more').isVisible(), false);

  // the best cell, one click away
  assert.equal(await text('.charrnn-open-best'), 'Show the best cell, layer 0 c[0], in the explorer');
  await page.click('.charrnn-open-best');
  assert.equal(await page.getAttribute('.charrnn-activations', 'data-neuron'), '0/c/0');
});

test('neuron search that could score no cell: the reason, not a table of zeros', async () => {
  const ranked = Array.from({ length: 100 }, (_, i) => ({
    layer: 0,
    kind: 'h',
    index: i % 64,
    score: 0,
    correlation: 0,
    meanOn: NaN,
    meanOff: 0.1,
  }));
  const unscored =
    '"inside comment" is off at every one of the 200 characters of this text, so no cell can follow it: search a text where it changes';
  await render(
    'neurons',
    neuronsBundle({
      version: 1,
      feature: 'inside comment',
      metric: '|Pearson r|',
      ranked,
      activations: activationsView(200),
      unscored,
    }).data,
  );
  assert.equal(await text('.charrnn-neurons > .charrnn-message'), unscored);
  assert.equal(await page.locator('.charrnn-ranked').isVisible(), false);
  assert.equal(await page.locator('.charrnn-open-best').isVisible(), false);
  await shot('neurons-unscored');
  // a search saved before the library said why: every score 0 still reads as a reason
  await render('neurons', {
    'application/vnd.charrnn.neurons+json': { version: 1, feature: 'inside comment', metric: 'm', ranked },
  });
  assert.match(
    await text('.charrnn-neurons > .charrnn-message'),
    /^No cell follows "inside comment" on this text: every correlation is 0/,
  );
  assert.equal(await page.locator('.charrnn-ranked').isVisible(), false);
});

test('gate saturation: one panel per gate, one dot per unit and layer, a distinct colour per layer, the legend clear of the panel titles', async () => {
  const H = 20;
  const frac = (s) => Array.from({ length: H }, (_, j) => ((j * 7 + s) % 10) / 10);
  const gates = ['input', 'forget', 'output'];
  const layers = [0, 1, 2].map((layer) => ({
    layer,
    gates: gates.map((gate, g) => ({ gate, left: frac(g + layer), right: frac(g + 3) })),
  }));
  await render(
    'saturation',
    saturationBundle({ version: 1, cell: 'lstm', thresholds: { left: 0.1, right: 0.9 }, chars: 5000, layers }).data,
  );
  await page.waitForSelector('.charrnn-chart .scatterlayer .trace');
  assert.equal(await page.locator('.charrnn-chart .scatterlayer .trace').count(), 9);
  assert.equal(await page.locator('.charrnn-chart .scatterlayer .point').count(), 9 * H);
  assert.deepEqual(
    await page.evaluate(() =>
      [...document.querySelectorAll('.charrnn-chart .annotation-text')].map((a) => a.textContent),
    ),
    gates,
  );
  // layers 0, 1, 2 (the traces of the first panel, in order): colours far apart, not two greens
  const rgb = await page.evaluate(() =>
    [...document.querySelectorAll('.charrnn-chart .scatterlayer .trace')]
      .slice(0, 3)
      .map((t) => t.querySelector('.point').style.fill.match(/\d+/g).map(Number)),
  );
  for (let i = 0; i < 3; i++) {
    for (let j = i + 1; j < 3; j++) {
      const distance = Math.hypot(...rgb[i].map((c, k) => c - rgb[j][k]));
      assert.ok(distance > 150, `layers ${i} and ${j}: rgb ${rgb[i]} and ${rgb[j]} are too alike`);
    }
  }
  const boxes = (sel) =>
    page.evaluate((sel) => [...document.querySelectorAll(sel)].map((e) => e.getBoundingClientRect().toJSON()), sel);
  const [legend] = await boxes('.charrnn-chart .legend');
  for (const title of await boxes('.charrnn-chart .annotation'))
    assert.equal(
      overlap(legend, title),
      0,
      `legend ${JSON.stringify(legend)} covers a panel title ${JSON.stringify(title)}`,
    );
  await shot('saturation');
});

test('text from data in Plotly charts stays text: no bold, no links, no hover template fields', async () => {
  const labels = ['<b>bold</b>', '<a href="https://example.com/">link</a>', '%{y} &amp; <i>x'];
  const view = {
    version: 1,
    dataset: '<b>tiny</b>',
    ngram: [1, 2, 3].map((order) => ({ order, loss: 3 - 0.3 * order })),
    rnn: labels.map((label, i) => ({ label, loss: 1.5 + i / 10 })),
  };
  await render('ngram', ngramBundle(view).data);
  await page.waitForSelector('.charrnn-chart .legendtext');
  assert.deepEqual(await page.locator('.charrnn-chart .legendtext').allTextContents(), ['n-gram', ...labels]);
  assert.equal(await text('.charrnn-ngram .charrnn-title'), 'N-gram vs RNN on <b>tiny</b>');
  const interpreted = () =>
    page.evaluate(
      () =>
        document.querySelectorAll('.charrnn-chart a, .charrnn-chart [style*="bold"], .charrnn-chart [style*="italic"]')
          .length,
    );
  assert.equal(await interpreted(), 0);
  // hover shows the name as typed too
  await page.hover('.charrnn-chart .nsewdrag', { position: { x: 5, y: 5 } });
  const gate = '<b>gate</b> %{x}';
  const H = 4;
  await render(
    'saturation',
    saturationBundle({
      version: 1,
      cell: 'lstm',
      thresholds: { left: 0.1, right: 0.9 },
      chars: 50,
      layers: [{ layer: 0, gates: [{ gate, left: [0.1, 0.2, 0.3, 0.4], right: [0.5, 0.5, 0.5, 0.5] }] }],
    }).data,
  );
  await page.waitForSelector('.charrnn-chart .annotation-text');
  assert.equal(await text('.charrnn-chart .annotation-text'), gate);
  assert.equal(await page.locator('.charrnn-chart .scatterlayer .point').count(), H);
  const point = page.locator('.charrnn-chart .scatterlayer .point').nth(2);
  await point.hover({ force: true });
  await page.waitForSelector('.charrnn-chart .hoverlayer .hovertext');
  assert.match(
    await text('.charrnn-chart .hoverlayer .hovertext'),
    /layer 0, <b>gate<\/b> %\{x\} unit 2left 0\.300, right 0\.500/,
  );
  assert.equal(await interpreted(), 0);
});

test('n-gram vs RNN: n-gram losses by order and one line per RNN', async () => {
  const view = {
    version: 1,
    dataset: 'tiny val',
    ngram: [1, 2, 3, 4, 5].map((order) => ({ order, loss: 3.3 - 0.3 * order })),
    rnn: [
      { label: 'lstm 2x128', loss: 1.6 },
      { label: 'rnn 1x64', loss: 2.1 },
    ],
  };
  await render('ngram', ngramBundle(view).data);
  await page.waitForSelector('.charrnn-chart .scatterlayer .trace');
  assert.equal(await page.locator('.charrnn-chart .scatterlayer .trace').count(), 3);
  assert.deepEqual(
    await page.evaluate(() => [...document.querySelectorAll('.charrnn-chart .legendtext')].map((a) => a.textContent)),
    ['n-gram', 'lstm 2x128', 'rnn 1x64'],
  );
  await shot('ngram');
});

test('a view of an unknown schema version shows a clear message instead of a broken widget', async () => {
  await render('ngram', { 'application/vnd.charrnn.ngram+json': { version: 99, dataset: 'x', ngram: [], rnn: [] } });
  assert.match(await text('.charrnn-error'), /schema version 99, this extension reads version 1/);
  await render('activations', { 'application/vnd.charrnn.activations+json': { version: 1, text: ['a'] } });
  assert.match(
    await text('.charrnn-error'),
    /cannot show this activations output: the data does not fit the schema \(TypeError/,
  );
});

test('charts redraw in the new theme colours when JupyterLab switches theme', async () => {
  const view = {
    version: 1,
    dataset: 'tiny',
    ngram: [
      { order: 1, loss: 3 },
      { order: 2, loss: 2 },
    ],
    rnn: [{ label: 'lstm', loss: 1.5 }],
  };
  await render('ngram', ngramBundle(view).data);
  await page.waitForSelector('.charrnn-chart .scatterlayer .trace');
  const fontColor = () => page.evaluate(() => document.querySelector('.charrnn-chart')._fullLayout.font.color);
  assert.equal(await fontColor(), 'rgba(0, 0, 0, 0.87)');
  await page.evaluate(() => {
    document.body.classList.add('dark');
    document.body.setAttribute('data-jp-theme-name', 'JupyterLab Dark');
  });
  await page.waitForFunction(
    () => document.querySelector('.charrnn-chart')._fullLayout.font.color === 'rgba(255, 255, 255, 1)',
  );
});
