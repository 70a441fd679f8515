import { existsSync } from 'node:fs';
import { delimiter, join, parse, sep } from 'node:path';
import { format } from 'node:util';
import { createExecutor } from 'tslab/dist/executor';
import type { Executor } from 'tslab/dist/executor';
import { createConverter, isCompleteCode } from 'tslab/dist/converter';
import type { Converter } from 'tslab/dist/converter';
import { printQuickInfo } from 'tslab/dist/inspect';
import * as tslabJupyter from 'tslab/dist/jupyter';
import * as tsForCells from '@tslab/typescript-for-tslab';
import { CharRNNError } from '../errors';
import { abandonCell, interruptChecks } from './interrupt';
import { addInterruptChecks, CHECKS } from './interruptible';

/** The TypeScript version tslab compiles cells with. */
export const typescriptVersion: string = tsForCells.version;

/**
 * The only module that knows tslab's internals (tslab is pinned to exactly 1.0.22): it compiles and runs
 * TypeScript cells with tslab's executor and turns what tslab prints to its console (the last expression's
 * value, compile diagnostics, thrown errors) into results the kernel can send as proper Jupyter messages.
 */

export type CellError = { status: 'error'; ename: string; evalue: string; traceback: string[] };
export type CellResult = { status: 'ok'; value: unknown } | CellError;

export interface CellRunner {
  run(code: string): Promise<CellResult>;
  /** Makes a running async cell return at once; its code throws at its next check if it ever resumes. */
  abandon(): void;
  complete(code: string, cursor: number): { cursor_start: number; cursor_end: number; matches: string[] };
  inspect(code: string, cursor: number): string | null;
  isComplete(code: string): { status: 'complete' } | { status: 'incomplete'; indent: string };
  close(): void;
}

/** tslab's error when a cell awaiting a promise is interrupted, and Node's when SIGINT breaks sync code. */
const INTERRUPTED = ['Interrupted asynchronously', 'Script execution was interrupted by `SIGINT`'];

/**
 * Starts tslab's TypeScript converter (about 2 s) and executor, rooted at `dir` (module resolution for
 * imports in cells). `displayData` receives what tslab's own display API (`tslab.display`) sends.
 */
export function createCellRunner(dir: string, displayData: (content: object, update: boolean) => void): CellRunner {
  // tslab's compiler watched the files that cells import. When npm install or a rebuild replaced them under a
  // running kernel, TypeScript's watch callbacks asked tslab for a second pending rebuild, which it refuses by
  // throwing: the kernel died mid-training. Without watchers, like a Python kernel, it sees changed modules
  // after a restart (Node caches what it has loaded anyway).
  const unwatched = { close() {} };
  tsForCells.sys.watchFile = () => unwatched;
  tsForCells.sys.watchDirectory = () => unwatched;
  typeCheckWithNodePath(dir);
  let browser: Converter | undefined;
  const node = createConverter({ isJS: false, isBrowser: false });
  // Each cell's compiled code gets interrupt checks, numbered by the cell (see interruptible.ts).
  let cell = 0;
  const convert = node.convert;
  node.convert = (prevDecl, src) => {
    const converted = convert(prevDecl, src);
    if (converted.output) converted.output = addInterruptChecks(converted.output, cell);
    return converted;
  };
  (globalThis as Record<string, unknown>)[CHECKS] = interruptChecks;
  const convs = {
    node,
    get browser() {
      return (browser ??= createConverter({ isJS: false, isBrowser: true }));
    },
    close() {
      node.close();
      browser?.close();
    },
  };
  (tslabJupyter as { lastWriteDisplayData: unknown }).lastWriteDisplayData = displayData;

  // What the executor prints during one cell: the last expression's value, diagnostics, a thrown error.
  let printed: { value?: unknown; diagnostics: string[]; thrown?: { error: unknown } } = { diagnostics: [] };
  const executor: Executor = createExecutor(dir, convs, {
    log: (value: unknown) => void (printed.value = value),
    error: (first: unknown, ...rest: unknown[]) => {
      if (typeof first === 'string' && first.startsWith('%s%d:%d')) printed.diagnostics.push(format(first, ...rest));
      else printed.thrown = { error: first };
    },
  });

  return {
    async run(code) {
      cell++;
      printed = { diagnostics: [] };
      const ok = await executor.execute(code);
      const { value, diagnostics, thrown } = printed;
      if (ok) return { status: 'ok', value };
      if (diagnostics.length > 0) {
        return { status: 'error', ename: 'TypeScriptError', evalue: diagnostics[0], traceback: diagnostics };
      }
      return errorResult(thrown ? thrown.error : new Error('the cell failed'));
    },
    abandon() {
      abandonCell(cell);
      executor.interrupt();
    },
    complete(code, cursor) {
      const info = executor.complete(code, cursor);
      return { cursor_start: info.start, cursor_end: info.end, matches: info.candidates };
    },
    inspect(code, cursor) {
      const info = executor.inspect(code, cursor);
      return info ? printQuickInfo(info) : null;
    },
    isComplete(code) {
      const res = isCompleteCode(code);
      return res.completed ? { status: 'complete' } : { status: 'incomplete', indent: res.indent ?? '' };
    },
    close: () => executor.close(),
  };
}

/**
 * Notebooks in any folder (a student's home, /tmp) import `@charrnn/kernel`. At run time Node finds it on
 * NODE_PATH, which the kernelspec sets to the library's folder (kernelspec.ts); that also serves the notebook's own
 * modules and worker threads. TypeScript has no NODE_PATH, and tslab's compiler options are fixed (no `paths`), so
 * the compiler's file system is given it, as tslab fakes `node_modules/tslab` for itself: the root's node_modules,
 * the last folder TypeScript's Node10 search looks in, shows what the NODE_PATH folders hold. Types are then found
 * where Node finds the code, in the same order: the node_modules folders above the notebook first, then NODE_PATH.
 */
function typeCheckWithNodePath(dir: string): void {
  const folders = (process.env.NODE_PATH ?? '').split(delimiter).filter(Boolean);
  if (folders.length === 0) return;
  const last = join(parse(dir).root, 'node_modules');
  const onNodePath = (path: string): string => {
    if ((path !== last && !path.startsWith(last + sep)) || existsSync(path)) return path;
    const rest = path.slice(last.length);
    return folders.map((f) => f + rest).find((p) => existsSync(p)) ?? path;
  };
  const sys = tsForCells.sys as unknown as Record<string, (path: string, ...rest: unknown[]) => unknown>;
  for (const name of ['fileExists', 'directoryExists', 'readFile', 'realpath', 'getDirectories']) {
    const original = sys[name];
    sys[name] = (path, ...rest) => original(onNodePath(path), ...rest);
  }
}

/** A thrown value as Jupyter's ename / evalue / traceback. User errors get one line, no stack. */
export function errorResult(error: unknown): CellError {
  if (!(error instanceof Error)) {
    return { status: 'error', ename: 'Error', evalue: String(error), traceback: [`Error: ${String(error)}`] };
  }
  if (error.name === 'KeyboardInterrupt' || INTERRUPTED.includes(error.message)) return interruptedResult();
  const line = `${error.name}: ${error.message}`;
  if (error instanceof CharRNNError || error.name === 'CharRNNError') {
    return { status: 'error', ename: error.name, evalue: error.message, traceback: [line] };
  }
  // The cell's own frames and the library's; not those of Node, tslab or this kernel below them.
  const internal = /\(node:|at node:|tslab[\\/]dist|dist[\\/]kernel[\\/]/;
  const frames = (error.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l) && !internal.test(l));
  return { status: 'error', ename: error.name, evalue: error.message, traceback: [line, ...frames] };
}

export function interruptedResult(): CellError {
  return {
    status: 'error',
    ename: 'KeyboardInterrupt',
    evalue: 'interrupted',
    traceback: ['KeyboardInterrupt: interrupted'],
  };
}
