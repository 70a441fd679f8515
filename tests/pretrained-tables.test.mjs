// The pretrained models' figures are written by hand in two tables (README.md's, printed by pack, and
// notebooks/README.md's): each must list every shipped model with the validation and test loss of its card.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shipped = path.join(root, 'kernel-lib', 'pretrained');
const names = Object.keys(JSON.parse(fs.readFileSync(path.join(shipped, 'manifest.json'), 'utf8')).models);
const card = (name) => JSON.parse(fs.readFileSync(path.join(shipped, name, 'card.json'), 'utf8'));

/** The rows of the Markdown table whose header row starts with `header`, as arrays of trimmed cells. */
function tableRows(file, header) {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  assert.ok(start >= 0, `${file} has a table starting "${header}"`);
  const rows = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

test("README's table of pretrained models has one row per shipped model, with its card's parameters, validation and test loss", () => {
  const rows = tableRows('README.md', '| name | corpus | model | parameters | MB | val | test |');
  assert.deepEqual(rows.map((r) => r[0]).sort(), [...names].sort());
  for (const [name, , , parameters, , val, test] of rows) {
    const c = card(name);
    assert.equal(parameters, c.architecture.parameters.toLocaleString('en'), `${name}: parameters`);
    assert.deepEqual([val, test], [c.loss.val.toFixed(3), c.loss.test.toFixed(3)], `${name}: val and test`);
  }
});

test("notebooks/README's table of pretrained models names every shipped model, with its card's validation and test loss", () => {
  const rows = tableRows('notebooks/README.md', '| model | notebook | architecture | validation | test |');
  const listed = [];
  for (const [models, , , val, test] of rows) {
    // `warpeace-rnn-1x256`, `-2x256`: a name starting with '-' replaces the last part of the one before it.
    const inRow = [];
    for (const [, n] of models.matchAll(/`([^`]+)`/g)) {
      inRow.push(n.startsWith('-') ? inRow[inRow.length - 1].replace(/-[^-]+$/, n) : n);
    }
    const decimals = (s) => (s.match(/\d+\.\d{3}/g) ?? []).sort();
    assert.deepEqual(
      decimals(val),
      inRow.map((n) => card(n).loss.val.toFixed(3)).sort(),
      `${inRow.join(', ')}: validation`,
    );
    assert.deepEqual(
      decimals(test),
      inRow.map((n) => card(n).loss.test.toFixed(3)).sort(),
      `${inRow.join(', ')}: test`,
    );
    listed.push(...inRow);
  }
  assert.deepEqual(listed.sort(), [...names].sort());
});
