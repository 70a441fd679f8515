// `course autograde DIR`: runs the students' notebooks on our kernel and scores their test cells, as nbgrader's
// autograde does: the teacher's test cells (hidden tests included) replace the students' copies of them, and a test
// cell scores its points when it runs without error. Writes DIR/grades.csv and DIR/grades.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { executeNotebook, prepareKernel } from './execute.mjs';
import { CourseError, notebookFiles, readNotebook, writeNotebook } from './files.mjs';
import { isAutograded, nbgraderCells, withCourseTests } from './nbgrader.mjs';
import { copyFiles, localImports } from './release.mjs';

const COLUMNS = ['student', 'notebook', 'grade_id', 'points', 'max_points', 'status', 'error'];

/**
 * The submissions in DIR: its own notebooks (one student, named after DIR) and those of its subfolders
 * (DIR/<student>/*.ipynb), as nbgrader's submitted/<student>/ folders hold them.
 */
function findSubmissions(dir) {
  const own = notebookFiles(dir).map((name) => ({
    student: path.basename(path.resolve(dir)),
    file: path.join(dir, name),
  }));
  const students = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  const theirs = students.flatMap((student) =>
    notebookFiles(path.join(dir, student)).map((name) => ({ student, file: path.join(dir, student, name) })),
  );
  const submissions = [...own, ...theirs];
  if (submissions.length === 0) throw new CourseError(`no notebooks in ${dir} nor in its subfolders`);
  return submissions;
}

/** One row per test cell of the course notebook: what the submission's run gave it. */
function gradeRows(student, name, course, submission, result) {
  return [...nbgraderCells(course, name)]
    .filter(([, { cell }]) => isAutograded(cell))
    .map(([id, { cell }]) => {
      const row = { student, notebook: name, grade_id: id, points: 0, max_points: cell.metadata.nbgrader.points };
      const index = submission.cells.findIndex((c) => c.metadata?.nbgrader?.grade_id === id);
      if (result.failure) return { ...row, status: 'not run', error: result.failure };
      if (index < 0) return { ...row, status: 'missing', error: 'the test cell is not in the submission' };
      const { status, error } = result.cells.get(index);
      if (status === 'ok') return { ...row, points: row.max_points, status: 'passed', error: '' };
      if (status === 'not run')
        return { ...row, status, error: `the notebook stopped before this cell (${result.stopped})` };
      return { ...row, status: status === 'error' ? 'failed' : status, error };
    });
}

/**
 * Runs one submission in a folder of its own (beside it the course's modules, not the student's, so the tests
 * run on the teacher's course.ts) and grades it.
 */
function gradeSubmission({ student, file }, course, courseDir, work, options) {
  const name = path.basename(file);
  const runDir = path.join(work, student, 'notebooks'); // so that a notebook's ../checkpoints stays in work/
  let submission;
  try {
    submission = readNotebook(file);
  } catch (e) {
    if (!(e instanceof CourseError)) throw e;
    return gradeRows(student, name, course, { cells: [] }, { failure: e.message });
  }
  const merged = withCourseTests(submission, course, name);
  writeNotebook(path.join(runDir, name), merged);
  copyFiles(localImports(courseDir, [name]), courseDir, runDir);
  const result = executeNotebook(path.join(runDir, name), path.join(runDir, `executed-${name}`), options);
  return gradeRows(student, name, course, merged, result);
}

const csvField = (value) => (/[",\n]/.test(String(value)) ? `"${String(value).replaceAll('"', '""')}"` : String(value));

/** Grades every submission in `dir` against the course notebooks of `courseDir`; returns the rows written. */
export function autograde(dir, { courseDir, timeout, mode, log }) {
  const submissions = findSubmissions(dir).filter(({ student, file }) => {
    const known = fs.existsSync(path.join(courseDir, path.basename(file)));
    if (!known) log(`skipped ${student}/${path.basename(file)}: no course notebook of that name in ${courseDir}`);
    return known;
  });
  if (submissions.length === 0)
    throw new CourseError(`no notebook in ${dir} has the name of a course notebook in ${courseDir}`);
  // The course notebooks are read and checked first: a mistake of the teacher's stops before any run.
  const courses = new Map(
    submissions.map(({ file }) => path.basename(file)).map((name) => [name, readNotebook(path.join(courseDir, name))]),
  );
  for (const [name, course] of courses) nbgraderCells(course, name);
  prepareKernel();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-autograde-'));
  const rows = [];
  try {
    for (const submission of submissions) {
      const course = courses.get(path.basename(submission.file));
      const graded = gradeSubmission(submission, course, courseDir, work, { timeout, mode });
      const score = graded.reduce((sum, r) => sum + r.points, 0);
      const max = graded.reduce((sum, r) => sum + r.max_points, 0);
      log(`${submission.student}/${path.basename(submission.file)}: ${score}/${max} points`);
      rows.push(...graded);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  fs.writeFileSync(
    path.join(dir, 'grades.csv'),
    [COLUMNS, ...rows.map((r) => COLUMNS.map((c) => r[c]))].map((line) => line.map(csvField).join(',')).join('\n') +
      '\n',
  );
  fs.writeFileSync(path.join(dir, 'grades.json'), JSON.stringify(rows, null, 2) + '\n');
  return rows;
}

/** The rows as an aligned text table, errors cut to fit a terminal, then each student's total. */
export function gradeTable(rows) {
  const cells = [
    COLUMNS,
    ...rows.map((r) => COLUMNS.map((c) => (c === 'error' ? r.error.slice(0, 60) : String(r[c])))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  const lines = cells.map((line) =>
    line
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
  const totals = new Map();
  for (const r of rows) {
    const [score, max] = totals.get(r.student) ?? [0, 0];
    totals.set(r.student, [score + r.points, max + r.max_points]);
  }
  return [...lines, '', ...[...totals].map(([student, [score, max]]) => `${student}: ${score}/${max} points`)].join(
    '\n',
  );
}
