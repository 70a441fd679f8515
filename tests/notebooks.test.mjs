// Every notebook in notebooks/ runs headless, top to bottom, in a real Jupyter client (Debian's nbclient)
// with the charrnn kernel and CHARRNN_CI=1 (small budgets). A cell error fails the test, and each notebook
// must show at least one of our rich outputs (application/vnd.charrnn.*+json). The executed notebooks are
// kept in test-artifacts/notebooks/ for a look at their outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { jupyterEnv, register } = require('../labextension/app/start.js');
const artifacts = path.join(root, 'test-artifacts', 'notebooks');
const notebooks = fs
  .readdirSync(path.join(root, 'notebooks'))
  .filter((f) => f.endsWith('.ipynb'))
  .sort();

register();
fs.mkdirSync(artifacts, { recursive: true });

test('there are notebooks to run', () => assert.ok(notebooks.includes('00-smoke.ipynb')));

for (const name of notebooks) {
  test(`notebook ${name} runs without errors and shows charrnn outputs`, () => {
    const out = path.join(artifacts, name);
    const run = spawnSync(
      '/usr/bin/python3',
      [path.join(root, 'tests', 'lib', 'run_notebook.py'), path.join(root, 'notebooks', name), out],
      {
        env: jupyterEnv({ ...process.env, CHARRNN_CI: '1' }),
        encoding: 'utf8',
        timeout: 20 * 60 * 1000,
      },
    );
    assert.equal(run.status, 0, `${name} failed:\n${run.stderr}`);
    const executed = JSON.parse(fs.readFileSync(out, 'utf8'));
    const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
    assert.deepEqual(
      outputs.filter((o) => o.output_type === 'error'),
      [],
    );
    const ours = outputs
      .flatMap((o) => Object.keys(o.data ?? {}))
      .filter((m) => /^application\/vnd\.charrnn\.[a-z-]+\+json$/.test(m));
    assert.ok(ours.length > 0, `${name} shows no application/vnd.charrnn.* output`);
  });
}
