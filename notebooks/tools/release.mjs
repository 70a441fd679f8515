// `course release DIR`: the students' copies of the course notebooks, with the modules they import beside them.
import fs from 'node:fs';
import path from 'node:path';
import { CourseError, notebookFiles, readNotebook, sourceText, writeNotebook } from './files.mjs';
import { studentCopy } from './nbgrader.mjs';

// import ... from './x', import './x', import('./x'), require('./x'): the relative modules a cell or a module loads.
const RELATIVE_IMPORT = /\b(?:from|import|require)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const EXTENSIONS = ['', '.ts', '.js', '.mjs', '.cjs', '.json', '/index.ts', '/index.js'];

/**
 * The files in `dir` that its notebooks import, directly or through each other, as paths relative to `dir`: exactly
 * what a copy of the notebooks needs (course.ts), and nothing else of the folder (its README, these tools).
 */
export function localImports(dir, notebooks) {
  const found = new Set();
  const visit = (code, from, fromDir) => {
    for (const [, spec] of code.matchAll(RELATIVE_IMPORT)) {
      const base = path.resolve(fromDir, spec);
      const file = EXTENSIONS.map((ext) => base + ext).find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
      const relative = file && path.relative(dir, file);
      if (!relative || relative.startsWith('..'))
        throw new CourseError(`${from} imports '${spec}', which is not a file in ${dir}`);
      if (found.has(relative)) continue;
      found.add(relative);
      visit(fs.readFileSync(file, 'utf8'), relative, path.dirname(file));
    }
  };
  for (const name of notebooks) {
    const code = readNotebook(path.join(dir, name))
      .cells.filter((c) => c.cell_type === 'code')
      .map(sourceText)
      .join('\n');
    visit(code, name, dir);
  }
  return [...found].sort();
}

/** Copies files, given relative to `from`, into `to`, keeping their subfolders. */
export function copyFiles(files, from, to) {
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}

/** Writes the student copies of every notebook in `sourceDir` into `outDir`; returns the files written. */
export function release(sourceDir, outDir) {
  const notebooks = notebookFiles(sourceDir);
  if (notebooks.length === 0) throw new CourseError(`no notebooks in ${sourceDir}`);
  if (path.resolve(outDir) === path.resolve(sourceDir))
    throw new CourseError(`release writes into another folder than ${sourceDir}: it would overwrite the solutions`);
  // Every copy is made before any is written, so a broken marker leaves nothing half released.
  const copies = notebooks.map((name) => [name, studentCopy(readNotebook(path.join(sourceDir, name)), name)]);
  const modules = localImports(sourceDir, notebooks);
  for (const [name, copy] of copies) writeNotebook(path.join(outDir, name), copy);
  copyFiles(modules, sourceDir, outDir);
  return [...notebooks, ...modules];
}
