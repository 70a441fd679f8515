// Running a notebook headless on our kernel, as tests/notebooks.test.mjs does (Debian's nbclient, the kernelspec in
// the project's .jupyter/), through execute_notebook.py, which keeps a time limit for the whole notebook.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CourseError } from './files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = '/usr/bin/python3'; // Debian's, which has python3-nbclient (a pyenv or venv python may not)
const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'execute_notebook.py');
// Beyond the notebook's own limit: the kernel's start (nbclient waits up to 120 s) and writing the notebook.
const STARTUP_S = 180;

let jupyterEnv;

/** Checks that notebooks can run here and registers our kernel; says in one line what is missing. */
export function prepareKernel() {
  if (!fs.existsSync(path.join(root, 'kernel-lib', 'dist', 'kernel', 'main.js'))) {
    throw new CourseError('the kernel is not built: run `npm test` or `npm start` once');
  }
  if (spawnSync(PYTHON, ['-c', 'import nbclient']).status !== 0) {
    throw new CourseError(
      "running notebooks needs Debian's python3-nbclient and jupyter-client: run `npm test` once, or apt-get install them",
    );
  }
  const start = createRequire(import.meta.url)(path.join(root, 'labextension', 'app', 'start.js'));
  start.register();
  jupyterEnv = start.jupyterEnv;
}

/** The environment of a run in a course mode: CHARRNN_MODE, and CHARRNN_CI=1 for ci (what older notebooks read). */
function modeEnv(mode) {
  const env = { ...process.env, CHARRNN_MODE: mode };
  if (mode === 'ci') env.CHARRNN_CI = '1';
  else delete env.CHARRNN_CI;
  return jupyterEnv(env);
}

/**
 * Runs `file` (in its own folder) for at most `timeout` seconds of cells and writes the executed notebook to `out`.
 * Returns { cells: Map(code cell index -> {status, error}), stopped, seconds } as execute_notebook.py reports them,
 * seconds counting the kernel's start; or { failure } in one line when the notebook could not run at all.
 */
export function executeNotebook(file, out, { timeout, mode, stopOnError = false }) {
  const args = [RUNNER, file, out, '--timeout', String(timeout), ...(stopOnError ? ['--stop-on-error'] : [])];
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const started = Date.now();
  const run = spawnSync(PYTHON, args, { env: modeEnv(mode), encoding: 'utf8', timeout: (timeout + STARTUP_S) * 1000 });
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    report = {
      failure:
        run.error?.code === 'ETIMEDOUT'
          ? `no end ${STARTUP_S} s past its limit`
          : run.stderr.trim().split('\n').at(-1) || `exit ${run.status}`,
    };
  }
  if (report.failure) return { failure: `the notebook could not run: ${report.failure}` };
  const cells = new Map(report.cells.map(({ index, status, error }) => [index, { status, error }]));
  return { cells, stopped: report.stopped, seconds: (Date.now() - started) / 1000 };
}
