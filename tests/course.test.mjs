// The teacher's tools (notebooks/tools, `npm run course`) on small exercise notebooks made here, with nbgrader's
// metadata and markers: release leaves nothing of the solutions or hidden tests; autograde, on our kernel, gives the
// solutions full marks, untouched student copies zero, runs the teacher's hidden tests whatever a student did to the
// test cell, and stops a notebook that never ends at its limit, grading what ran. The real course notebooks are not
// run here (notebooks.test.mjs runs them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'notebooks', 'tools', 'cli.mjs');

let ids = 0;
const cell = (cell_type, source, nbgrader, extra = {}) => ({
  id: `cell-${++ids}`,
  cell_type,
  metadata: nbgrader ? { nbgrader: { schema_version: 3, ...nbgrader } } : {},
  source,
  ...(cell_type === 'code' ? { outputs: [], execution_count: null } : {}),
  ...extra,
});
const solution = (id, source) => cell('code', source, { solution: true, grade: false, locked: false, grade_id: id });
const tests = (id, points, source) =>
  cell('code', source, { solution: false, grade: true, locked: true, grade_id: id, points });
const notebook = (cells) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'charrnn', display_name: 'charrnn (TypeScript)', language: 'typescript' } },
  cells,
});

// Every string here marked SECRET is the teacher's: none may reach a student copy.
const exercise = notebook([
  cell('markdown', '# Exercise\nWrite `square`, then set `answer` with `twice`.'),
  cell('code', "import { twice } from './helper';\nconsole.log(twice(2))", null, {
    outputs: [{ output_type: 'stream', name: 'stdout', text: 'SECRET-OUTPUT\n' }],
    execution_count: 1,
  }),
  solution(
    'square',
    'function square(x: number): number {\n  // BEGIN SOLUTION\n  return x * x; // SECRET-SOLUTION\n  // END SOLUTION\n}',
  ),
  tests(
    'test-square',
    2,
    "if (square(3) !== 9) throw new Error('square(3) should be 9');\n// BEGIN HIDDEN TESTS\nif (square(-4) !== 16) throw new Error('SECRET-HIDDEN: square(-4) should be 16');\n// END HIDDEN TESTS",
  ),
  solution('answer', 'const answer = twice(21); // SECRET-WHOLE-CELL'),
  tests('test-answer', 1, "if (answer !== 42) throw new Error('answer should be 42');"),
  cell('markdown', 'Squares grow because SECRET-PROSE.', {
    solution: true,
    grade: true,
    locked: false,
    grade_id: 'why',
    points: 1,
  }),
]);
// A student's infinite loop between two tests: the first scores, the notebook is stopped, the second gets zero.
const loop = notebook([
  tests('test-before', 1, "if (1 + 1 !== 2) throw new Error('arithmetic');"),
  solution('spin', 'let n = 0;\n// BEGIN SOLUTION\nn = 1;\n// END SOLUTION'),
  tests('test-after', 1, "if (n !== 1) throw new Error('n should be 1');"),
]);

function course(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'exercise.ipynb'), JSON.stringify(exercise));
  fs.writeFileSync(path.join(dir, 'loop.ipynb'), JSON.stringify(loop));
  fs.writeFileSync(path.join(dir, 'helper.ts'), 'export const twice = (x: number): number => 2 * x;\n');
  fs.writeFileSync(path.join(dir, 'README.md'), 'for the teacher: SECRET-README\n');
  return dir;
}

const runCourse = (...args) =>
  spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 5 * 60 * 1000 });
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const withTemp = (fn) => () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-course-'));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

test(
  'release writes student copies with no solution, hidden test or output left, and the modules they import',
  withTemp((dir) => {
    const run = runCourse('release', path.join(dir, 'class'), '--source', course(path.join(dir, 'course')));
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'class')).sort(), ['exercise.ipynb', 'helper.ts', 'loop.ipynb']);
    const raw = fs.readFileSync(path.join(dir, 'class', 'exercise.ipynb'), 'utf8');
    assert.doesNotMatch(raw, /SECRET|x \* x|square\(-4\)|BEGIN|END (SOLUTION|HIDDEN)/);
    const cells = JSON.parse(raw).cells.map((c) => ({ ...c, source: c.source.join('') }));
    assert.equal(
      cells[2].source,
      "function square(x: number): number {\n  // YOUR CODE HERE\n  throw new Error('not implemented');\n}",
    );
    assert.equal(cells[3].source, "if (square(3) !== 9) throw new Error('square(3) should be 9');");
    assert.equal(cells[4].source, "// YOUR CODE HERE\nthrow new Error('not implemented');");
    assert.equal(cells[6].source, 'YOUR ANSWER HERE');
    assert.deepEqual([cells[1].outputs, cells[1].execution_count], [[], null]);
    // nbgrader's metadata stays (nbgrader validate reads it); tests are locked as its LockCells locks them.
    assert.deepEqual(cells[3].metadata, { ...exercise.cells[3].metadata, deletable: false, editable: false });
    assert.equal(cells[2].metadata.deletable, false);
  }),
);

test(
  'release refuses a broken marker in one line and writes nothing',
  withTemp((dir) => {
    const source = path.join(dir, 'course');
    fs.mkdirSync(source);
    fs.writeFileSync(
      path.join(source, 'broken.ipynb'),
      JSON.stringify(notebook([solution('s', '// BEGIN SOLUTION\nconst x = 1;')])),
    );
    const run = runCourse('release', path.join(dir, 'class'), '--source', source);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'course: broken.ipynb cell 1: BEGIN SOLUTION without END SOLUTION\n');
    assert.equal(fs.existsSync(path.join(dir, 'class')), false);
  }),
);

test(
  'autograde: full marks for the solutions, zero for untouched copies, hidden tests run whatever the student did',
  withTemp((dir) => {
    const source = course(path.join(dir, 'course'));
    const submitted = path.join(dir, 'submitted');
    assert.equal(runCourse('release', path.join(submitted, 'bob'), '--source', source).status, 0);
    fs.rmSync(path.join(submitted, 'bob', 'loop.ipynb'));
    fs.mkdirSync(path.join(submitted, 'alice'));
    fs.copyFileSync(path.join(source, 'exercise.ipynb'), path.join(submitted, 'alice', 'exercise.ipynb'));
    // carol's square passes the visible test only, and she emptied the test cell: the teacher's cell is put back.
    const carol = structuredClone(exercise);
    carol.cells[2].source = 'function square(x: number): number {\n  return x === 3 ? 9 : 0;\n}';
    carol.cells[3].source = '// trust me';
    fs.mkdirSync(path.join(submitted, 'carol'));
    fs.writeFileSync(path.join(submitted, 'carol', 'exercise.ipynb'), JSON.stringify(carol));

    const run = runCourse('autograde', submitted, '--source', source, '--timeout', '60');
    assert.equal(run.status, 0, run.stderr);
    const rows = readJson(path.join(submitted, 'grades.json'));
    const scores = rows.map((r) => [r.student, r.grade_id, r.points, r.max_points, r.status]);
    assert.deepEqual(scores, [
      ['alice', 'test-square', 2, 2, 'passed'],
      ['alice', 'test-answer', 1, 1, 'passed'],
      ['bob', 'test-square', 0, 2, 'failed'],
      ['bob', 'test-answer', 0, 1, 'failed'],
      ['carol', 'test-square', 0, 2, 'failed'],
      ['carol', 'test-answer', 1, 1, 'passed'],
    ]);
    assert.match(rows[2].error, /not implemented/);
    assert.match(rows[4].error, /square\(-4\) should be 16/);
    const csv = fs.readFileSync(path.join(submitted, 'grades.csv'), 'utf8').split('\n');
    assert.equal(csv[0], 'student,notebook,grade_id,points,max_points,status,error');
    assert.equal(csv[1], 'alice,exercise.ipynb,test-square,2,2,passed,');
    assert.match(run.stdout, /^alice: 3\/3 points$/m);
    assert.match(run.stdout, /^bob: 0\/3 points$/m);
  }),
);

test(
  'autograde stops a notebook that never ends at its limit and grades what ran',
  withTemp((dir) => {
    const source = course(path.join(dir, 'course'));
    const dave = path.join(dir, 'dave'); // one student's folder of notebooks
    const looping = structuredClone(loop);
    looping.cells[1].source = 'let n = 0;\nwhile (true) {}';
    fs.mkdirSync(dave);
    fs.writeFileSync(path.join(dave, 'loop.ipynb'), JSON.stringify(looping));
    const started = Date.now();
    const run = runCourse('autograde', dave, '--source', source, '--timeout', '20');
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.status, 0, run.stderr);
    assert.ok(seconds < 20 + 60, `stopped after ${seconds} s`);
    const rows = readJson(path.join(dave, 'grades.json'));
    assert.deepEqual(
      rows.map((r) => [r.student, r.grade_id, r.points, r.status]),
      [
        ['dave', 'test-before', 1, 'passed'],
        ['dave', 'test-after', 0, 'not run'],
      ],
    );
    assert.equal(rows[1].error, 'the notebook stopped before this cell (time limit)');
  }),
);

test(
  'autograde says in one line what is wrong with its input',
  withTemp((dir) => {
    for (const [folder, line] of [
      [path.join(dir, 'missing'), `course: no folder ${path.join(dir, 'missing')}\n`],
      [dir, `course: no notebooks in ${dir} nor in its subfolders\n`],
    ]) {
      const run = runCourse('autograde', folder);
      assert.equal(run.status, 1);
      assert.equal(run.stderr, line);
    }
  }),
);
