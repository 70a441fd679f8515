// The exercise notebooks (notebooks/exercises) as files: every lesson 01-11 has at least two graded exercises in
// nbgrader's form (a solution cell with BEGIN/END SOLUTION markers, then a locked test cell with points), with
// unique grade ids and markers only where nbgrader looks for them. Running them is `npm run course -- autograde`'s
// job (its own test grades small notebooks the same way): the solutions got full marks and the released copies zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'notebooks', 'exercises');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('-exercises.ipynb'))
  .sort();
const text = (cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

test('there is an exercise notebook for every lesson, 01 to 11', () => {
  assert.deepEqual(
    files.map((f) => f.slice(0, 2)),
    ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11'],
  );
});

const ids = new Set();
for (const file of files) {
  test(`${file}: graded exercises in nbgrader's form`, () => {
    const nb = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    assert.equal(nb.metadata.kernelspec.name, 'charrnn');
    let graded = 0;
    nb.cells.forEach((cell, i) => {
      const meta = cell.metadata.nbgrader;
      const src = text(cell);
      const solution = meta?.solution === true;
      assert.equal(
        /\/\/ (BEGIN|END) SOLUTION/.test(src),
        solution,
        `cell ${i}: solution markers exactly in solution cells`,
      );
      if (solution)
        assert.equal(
          src.match(/\/\/ BEGIN SOLUTION/g).length,
          src.match(/\/\/ END SOLUTION/g).length,
          `cell ${i}: markers in pairs`,
        );
      if (/\/\/ BEGIN HIDDEN TESTS/.test(src))
        assert.equal(meta?.grade, true, `cell ${i}: hidden tests only in test cells`);
      if (!meta) return;
      assert.equal(meta.schema_version, 3);
      assert.ok(!ids.has(meta.grade_id), `grade_id ${meta.grade_id} is unique`);
      ids.add(meta.grade_id);
      if (meta.grade) {
        assert.ok(meta.locked && meta.points > 0 && !meta.solution, `cell ${i}: a test cell is locked and has points`);
        assert.equal(
          nb.cells[i - 1].metadata.nbgrader?.solution,
          true,
          `cell ${i}: a test cell follows its solution cell`,
        );
        assert.match(src, /throw new Error\(/, `cell ${i}: a test cell throws when the answer is wrong`);
        graded++;
      }
      for (const [, mod] of src.matchAll(/from '([^']+)'/g))
        assert.ok(/^(@charrnn\/kernel|node:[a-z]+)$/.test(mod), `cell ${i} imports ${mod}`);
    });
    assert.ok(graded >= 2, `${graded} graded exercises`);
  });
}
