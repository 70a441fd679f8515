// The course notebooks (notebooks/01..11) as files, without running them (notebooks.test.mjs runs them): each uses
// the charrnn kernel, reads its mode (lesson, full or ci) in its first code cell, states its dataset, budget and cost
// per mode, opens only datasets of the manifest, ends with a folded check cell that throws when its result is wrong,
// and is committed without outputs or with those of a whole run that says so, with every figure its text marks
// (`1.51<!--out-->`) in its own outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { KERNEL_NAME } = require('../kernel-lib/dist/kernel/kernelspec.js');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'datasets', 'manifest.json'), 'utf8'));
const known = new Set(manifest.datasets.map((d) => d.name));
const dir = path.join(root, 'notebooks');
const course = fs
  .readdirSync(dir)
  .filter((f) => /^(0[1-9]|1[01])-.+\.ipynb$/.test(f))
  .sort();

// A figure the text quotes from the notebook's own run: `validation 1.51<!--out--> nats`.
const MARKED = /([-\d.,%]*\d[%]?)<!--out-->/g;
test('a marked figure is read as the figure before its mark', () => {
  assert.deepEqual(
    [...'loss 1.51<!--out--> and 95%<!--out-->, r = -0.68<!--out-->'.matchAll(MARKED)].map((m) => m[1]),
    ['1.51', '95%', '-0.68'],
  );
});

const text = (cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

// Saved outputs keep what they show, not every activation: a notebook stays easy to clone, diff and render on GitHub.
const MAX_NOTEBOOK_BYTES = 2 * 1024 * 1024;
test('every notebook is under 2 MB', () => {
  const sizes = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .map((f) => [f, fs.statSync(path.join(dir, f)).size]);
  assert.ok(sizes.length >= 12, 'the notebooks are there');
  for (const [f, size] of sizes) assert.ok(size < MAX_NOTEBOOK_BYTES, `${f} is ${(size / 1e6).toFixed(1)} MB`);
});

test('the course has notebooks 01 to 11, one each', () => {
  assert.deepEqual(
    course.map((f) => f.slice(0, 2)),
    ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11'],
  );
});

for (const name of course) {
  test(`${name} follows the course conventions`, () => {
    const nb = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
    assert.equal(nb.nbformat, 4);
    assert.equal(nb.metadata.kernelspec.name, KERNEL_NAME);
    const code = nb.cells.filter((c) => c.cell_type === 'code').map(text);
    const intro = text(nb.cells[0]);
    assert.equal(nb.cells[0].cell_type, 'markdown');
    assert.match(intro, new RegExp(`^# ${Number(name.slice(0, 2))}\\. `), 'the first cell is the numbered title');
    assert.match(intro, /dataset/i, 'the introduction states the dataset');
    assert.match(intro, /budget/i, 'the introduction states the budget');
    assert.match(
      intro,
      /lesson mode [\d.]+(<!--out-->)? (s|min)\b/i,
      'the introduction states the cost of lesson mode',
    );
    assert.match(code[0], /const MODE = courseMode\(\);/, 'the first code cell reads the mode');
    assert.match(code[code.length - 1], /throw new Error\(/, 'the last code cell checks the result');
    const check = nb.cells.filter((c) => c.cell_type === 'code').at(-1);
    assert.ok(
      check.metadata.tags?.includes('ci-check') && check.metadata.jupyter?.source_hidden,
      'the check cell is tagged ci-check and folded',
    );
    for (const [, dataset] of code.join('\n').matchAll(/openCorpus\('([^']+)'/g))
      assert.ok(known.has(dataset), `unknown dataset '${dataset}'`);
    // Outputs are committed only from a whole run, which ends by stating its mode, time and machine.
    const cells = nb.cells.filter((c) => c.cell_type === 'code');
    const outputs = cells.flatMap((c) => c.outputs ?? []);
    if (outputs.length > 0) {
      assert.match(
        JSON.stringify(cells[cells.length - 1].outputs ?? []),
        /(full|lesson|ci) mode, [^"]* on /,
        'committed outputs come from a whole run that states its mode, time and machine',
      );
      assert.deepEqual(
        outputs.filter((o) => o.output_type === 'error'),
        [],
        'committed outputs have no errors',
      );
    }
    const shown = outputs.map((o) => [o.text, o.data?.['text/plain']].flat().filter(Boolean).join('')).join('\n');
    for (const cell of nb.cells.filter((c) => c.cell_type === 'markdown')) {
      for (const [, figure] of text(cell).matchAll(MARKED))
        assert.ok(shown.includes(figure), `the text quotes ${figure}, which no output of this run shows`);
    }
  });
}
