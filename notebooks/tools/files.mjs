// Reading and writing notebooks for the course tools, and the one error they report to the teacher.
import fs from 'node:fs';
import path from 'node:path';

/** A problem with the teacher's input (a missing folder, a broken marker): printed as one line, no stack trace. */
export class CourseError extends Error {}

/** The notebooks directly in a folder, by name. */
export function notebookFiles(dir) {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CourseError(`no folder ${dir}`);
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.ipynb'))
    .sort();
}

export function readNotebook(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CourseError(`cannot read ${file}: ${e.message}`);
  }
}

/** Written as Jupyter writes them (one-space indent, a final newline), so a diff against a saved notebook is small. */
export function writeNotebook(file, notebook) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(notebook, null, 1) + '\n');
}

/** A cell's source as one string: nbformat stores it either so or as a list of lines. */
export function sourceText(cell) {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** Stored as a list of lines, each with its newline but the last, as Jupyter saves a cell. */
export function setSource(cell, text) {
  cell.source = text === '' ? [] : text.split(/(?<=\n)/);
}
