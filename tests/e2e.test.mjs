// End to end in a real browser: starts JupyterLab the way `npm start` does (127.0.0.1, a token, our kernel,
// our prebuilt extension), opens a copy of notebooks/00-smoke.ipynb in Debian's chromium, runs it, watches
// the training dashboard render and update, presses its Stop button (a comm message to the training loop),
// then interrupts a second training run from the notebook toolbar and runs another cell.
// Screenshots and the server log go to test-artifacts/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './lib/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startServer } = require('../labextension/app/start.js');

const artifacts = path.join(root, 'test-artifacts', 'e2e');
// Inside the repository (so the kernel resolves @charrnn/kernel), outside notebooks/ (JupyterLab autosaves),
// one per run (two runs may overlap on a shared machine).
const workDir = path.join(root, '.cache', 'e2e', String(process.pid));
const serverLog = path.join(artifacts, 'server.log');
let server;
let browser;
let page;
const pageErrors = []; // uncaught exceptions, console errors and failed HTTP requests in the page

before(async () => {
  fs.mkdirSync(workDir, { recursive: true });
  fs.mkdirSync(artifacts, { recursive: true });
  fs.copyFileSync(path.join(root, 'notebooks', '00-smoke.ipynb'), path.join(workDir, '00-smoke.ipynb'));
  const env = { ...process.env };
  delete env.CHARRNN_CI;
  env.CHARRNN_MODE = 'full'; // full budgets: training must run long enough to be stopped and interrupted
  server = await startServer({ rootDir: workDir, stdio: fs.openSync(serverLog, 'w'), env });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && pageErrors.push(`HTTP ${r.status()} ${r.url()}`));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`) });
const cell = (i) => page.locator('.jp-Notebook .jp-Cell').nth(i);
const dashboard = (i) => cell(i).locator('.charrnn-training');
const prompt = async (i) => (await cell(i).locator('.jp-InputPrompt').textContent()).trim();

/** Selects a code cell by clicking into its editor and runs it with Shift+Enter. */
async function runCell(i) {
  await cell(i).locator('.cm-content').click();
  await page.keyboard.press('Shift+Enter');
}

/** Waits until cell i has finished a run: its prompt shows an execution count other than `old`. */
async function waitForCount(i, old = '') {
  await page.waitForFunction(
    ([i, old]) => {
      const text = document
        .querySelectorAll('.jp-Notebook .jp-Cell')
        [i].querySelector('.jp-InputPrompt')
        .textContent.trim();
      return /^\[\d+\]:$/.test(text) && text !== old;
    },
    [i, old],
  );
}

/** Waits until the dashboard in cell i shows training under way (some iterations done). */
async function waitForTraining(i) {
  await dashboard(i).locator('.charrnn-status[data-status="running"]').waitFor();
  // The stats are redrawn on each update: look the element up each time.
  await page.waitForFunction((i) => {
    const stat = document.querySelectorAll('.jp-Notebook .jp-Cell')[i].querySelector('[data-stat="iteration"]');
    return parseInt(stat?.textContent ?? '0', 10) >= 5;
  }, i);
}

test('JupyterLab opens the notebook with our kernel, the only one, and our extension', async () => {
  const specs = await (await fetch(`${server.base}/api/kernelspecs?token=${server.token}`)).json();
  assert.deepEqual(Object.keys(specs.kernelspecs), ['charrnn']);
  assert.equal(specs.kernelspecs.charrnn.spec.interrupt_mode, 'signal');
  assert.equal((await fetch(`${server.base}/api/kernelspecs`)).status, 403, 'the API needs the token');

  await page.goto(`${server.base}/lab/tree/00-smoke.ipynb?reset&token=${server.token}`);
  // The notebook's kernelspec starts by itself: no kernel picker.
  await page.locator('.jp-Toolbar-kernelName', { hasText: 'charrnn (TypeScript)' }).waitFor();
  await page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').waitFor();
  const config = JSON.parse(await page.locator('#jupyter-config-data').textContent());
  assert.ok(config.federated_extensions.some((e) => e.name === '@charrnn/labextension'));
  assert.equal(page.url().includes('token='), false, 'the token is removed from the address bar');
  await shot('1-opened');
});

test('running the notebook renders the dashboard; its Stop button stops training through a comm', async () => {
  await runCell(1); // setup
  await runCell(2); // training with the live dashboard (5000 iterations at full budget)
  await waitForTraining(2);
  await shot('2-training');
  await dashboard(2).locator('button.charrnn-stop').click();
  await dashboard(2).locator('.charrnn-status[data-status="stopped"]').waitFor();
  await cell(2)
    .locator('.jp-OutputArea-output', { hasText: /stopped after \d+ iterations/ })
    .waitFor();
  // The model stays usable: the next cells sample from it and show the finished run again.
  await runCell(3);
  await waitForCount(3);
  assert.match(await cell(3).locator('.jp-OutputArea-output').first().textContent(), /\S/);
  await runCell(4);
  await dashboard(4).locator('.charrnn-status[data-status="stopped"]').waitFor();
  await shot('3-stopped');
});

test('interrupting a running training cell from the toolbar stops it; another cell then runs', async () => {
  await runCell(2);
  await waitForTraining(2);
  await page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="interrupt"] jp-button').click();
  await cell(2).locator('.jp-OutputArea-output', { hasText: 'KeyboardInterrupt' }).waitFor();
  assert.notEqual(await dashboard(2).locator('.charrnn-status').getAttribute('data-status'), 'running');
  const before = await prompt(3);
  await runCell(3);
  await waitForCount(3, before);
  assert.match(await cell(3).locator('.jp-OutputArea-output').first().textContent(), /\S/);
  await shot('4-interrupted');
});

test('no errors in the page, no failed requests (none of the 404s jupyter_server 1.x gives JupyterLab 4)', () => {
  assert.deepEqual(pageErrors, []);
  const log = fs.readFileSync(serverLog, 'utf8');
  assert.doesNotMatch(log, /404 GET \/api\/(me|events)/);
});

test('stopping the server (what Ctrl-C on npm start does) shuts its kernels down', async () => {
  const kernels = execFileSync('pgrep', ['-P', String(server.child.pid)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map(Number);
  assert.ok(kernels.length > 0);
  await server.stop();
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  assert.deepEqual(kernels.filter(alive), []);
});
