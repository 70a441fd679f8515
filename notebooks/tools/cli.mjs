// The course's tools for a teacher: `npm run course -- release DIR | autograde DIR | check` (see notebooks/README.md).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { autograde, gradeTable } from './autograde.mjs';
import { executeNotebook, prepareKernel } from './execute.mjs';
import { CourseError, notebookFiles } from './files.mjs';
import { release } from './release.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const USAGE = `usage: npm run course -- release DIR | autograde DIR [--timeout SECONDS] [--mode ci|lesson|full] | check [NOTEBOOK...] [--timeout SECONDS]
  release DIR     writes the students' copies of the course notebooks into DIR: solutions stubbed, hidden tests
                  and outputs removed, with the modules they import (course.ts)
  autograde DIR   runs the submissions in DIR (DIR/*.ipynb or DIR/<student>/*.ipynb), writes DIR/grades.csv and .json
  check           runs the course notebooks in lesson mode and prints each one's minutes
  --source DIR    the course notebooks (default notebooks/); --timeout: per notebook (autograde 600, check 1200 s)`;
const LESSON_MINUTES = 10; // the lesson mode's promise: each notebook in at most 10 minutes on a 2-core laptop

/** Runs the course's notebooks top to bottom in lesson mode; returns whether each ran and kept to its budget. */
function check(courseDir, names, timeout) {
  const all = notebookFiles(courseDir);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) throw new CourseError(`no notebook ${unknown.join(', ')} in ${courseDir}`);
  prepareKernel();
  const out = path.join(root, 'test-artifacts', 'lesson');
  const chosen = names.length > 0 ? names : all;
  const width = Math.max(...chosen.map((n) => n.length));
  let ok = true;
  for (const name of chosen) {
    const result = executeNotebook(path.join(courseDir, name), path.join(out, name), {
      timeout,
      mode: 'lesson',
      stopOnError: true,
    });
    const [index, cell] = (result.cells && [...result.cells].find(([, c]) => c.error)) ?? [];
    const failed = result.failure ?? (cell && `cell ${index + 1}: ${cell.error}`);
    const minutes = result.seconds / 60;
    const verdict = failed
      ? `failed: ${failed}`
      : minutes > LESSON_MINUTES
        ? `over the ${LESSON_MINUTES}-minute lesson budget`
        : 'ok';
    console.log(`${name.padEnd(width)}  ${result.failure ? '-' : minutes.toFixed(1)} min  ${verdict}`);
    ok &&= verdict === 'ok';
  }
  console.log(`executed notebooks in ${path.relative(process.cwd(), out)}`);
  return ok;
}

function seconds(value, fallback) {
  if (value === undefined) return fallback;
  const s = Number(value);
  if (!(s > 0)) throw new CourseError(`--timeout must be a number of seconds, not '${value}'`);
  return s;
}

function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      timeout: { type: 'string' },
      mode: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [command, ...rest] = positionals;
  const courseDir = values.source ?? path.join(root, 'notebooks');
  if (values.help) return console.log(USAGE);
  if (command === 'release' && rest.length === 1) {
    const written = release(courseDir, rest[0]);
    return console.log(`wrote ${written.length} files to ${rest[0]}: ${written.join(', ')}`);
  }
  if (command === 'autograde' && rest.length === 1) {
    const mode = values.mode ?? 'ci';
    if (!['ci', 'lesson', 'full'].includes(mode))
      throw new CourseError(`--mode must be ci, lesson or full, not '${mode}'`);
    const rows = autograde(rest[0], {
      courseDir,
      timeout: seconds(values.timeout, 600),
      mode,
      log: (line) => console.error(line),
    });
    console.log(gradeTable(rows));
    return console.log(`\nwrote ${path.join(rest[0], 'grades.csv')} and grades.json`);
  }
  if (command === 'check') {
    if (!check(courseDir, rest, seconds(values.timeout, 1200))) process.exitCode = 1;
    return;
  }
  throw new CourseError(USAGE);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  // Our own errors and parseArgs's (an unknown option) are the user's to fix: one line, no stack trace.
  if (!(e instanceof CourseError) && !e.code?.startsWith('ERR_PARSE_ARGS')) throw e;
  console.error(`course: ${e.message}`);
  process.exit(1);
}
