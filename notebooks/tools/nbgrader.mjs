// nbgrader's conventions for exercises, followed exactly so that a teacher's nbgrader grades our notebooks unchanged,
// and our own release and autograde read the same cells. A cell's role is in its metadata.nbgrader (schema_version 3):
//   solution cell        {solution: true, grade: false, locked: false, grade_id}: what the student writes; the
//                        solution sits between lines holding BEGIN SOLUTION and END SOLUTION (`// BEGIN SOLUTION`)
//   autograded test cell {grade: true, solution: false, locked: true, points, grade_id}: scores its points when it
//                        runs without error; lines between BEGIN HIDDEN TESTS and END HIDDEN TESTS are the teacher's
//   written answer       {solution: true, grade: true, points}: graded by hand (nbgrader's formgrader), not here
//   read-only cell       {locked: true}
// The markers are found as nbgrader finds them: anywhere in a line, and the whole line goes.
import { CourseError, setSource, sourceText } from './files.mjs';

const SOLUTION = ['BEGIN SOLUTION', 'END SOLUTION'];
const HIDDEN_TESTS = ['BEGIN HIDDEN TESTS', 'END HIDDEN TESTS'];

// nbgrader's stubs: its text stub as is, and the code stub a teacher configures for our language in nbgrader_config.py
// (c.ClearSolutions.code_stub = {"typescript": ...}): a cell left as it is throws, so its tests score nothing.
const CODE_STUB = "// YOUR CODE HERE\nthrow new Error('not implemented');";
const TEXT_STUB = 'YOUR ANSWER HERE';

const role = (cell) => cell.metadata?.nbgrader ?? {};
const isSolution = (cell) => role(cell).solution === true;
export const isAutograded = (cell) => role(cell).grade === true && !isSolution(cell);
/** The cells whose source the teacher owns: the student copy may not change them, autograde puts them back. */
const isTeacherOwned = (cell) => isAutograded(cell) || (role(cell).locked === true && !isSolution(cell));

/**
 * The nbgrader cells of a notebook by grade_id, after the checks nbgrader makes: each has a grade_id, none twice,
 * and a test cell has its points.
 */
export function nbgraderCells(notebook, file) {
  const cells = new Map();
  notebook.cells.forEach((cell, index) => {
    if (!isSolution(cell) && role(cell).grade !== true && role(cell).locked !== true) return;
    const id = role(cell).grade_id;
    const where = `${file} cell ${index + 1}`;
    if (!id) throw new CourseError(`${where} has nbgrader metadata but no grade_id`);
    if (cells.has(id)) throw new CourseError(`${where}: grade_id '${id}' is used twice`);
    if (role(cell).grade === true && !(role(cell).points >= 0))
      throw new CourseError(`${where}: graded cell '${id}' has no points`);
    cells.set(id, { cell, index });
  });
  return cells;
}

/**
 * Replaces each region between the two markers with `stub` (its lines indented as the BEGIN line; none to remove
 * the region), as nbgrader's ClearSolutions and ClearHiddenTests do. Returns the new text and whether a region was found.
 */
function replaceRegions(text, [begin, end], stub, where) {
  const out = [];
  let inside = false;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.includes(begin)) {
      if (inside) throw new CourseError(`${where}: ${begin} inside another ${begin}`);
      inside = found = true;
      const indent = line.match(/^\s*/)[0];
      if (stub !== null) out.push(...stub.split('\n').map((s) => indent + s));
    } else if (line.includes(end)) {
      inside = false;
    } else if (!inside) {
      out.push(line);
    }
  }
  if (inside) throw new CourseError(`${where}: ${begin} without ${end}`);
  return { text: out.join('\n'), found };
}

/**
 * The student's copy of a notebook, made as nbgrader's generate_assignment makes it: solutions replaced by the stub
 * (a solution cell without markers entirely), hidden tests removed, outputs cleared, and cells locked as its
 * LockCells does, so JupyterLab keeps students from editing the tests or deleting a cell that is graded.
 */
export function studentCopy(notebook, file) {
  nbgraderCells(notebook, file); // nbgrader's checks of the metadata first
  const copy = structuredClone(notebook);
  copy.cells.forEach((cell, index) => {
    const where = `${file} cell ${index + 1}`;
    const stub = cell.cell_type === 'code' ? CODE_STUB : TEXT_STUB;
    const solution = replaceRegions(sourceText(cell), SOLUTION, stub, where);
    if (solution.found && !isSolution(cell))
      throw new CourseError(`${where}: a solution region in a cell that is not a solution cell`);
    const answer = isSolution(cell) && !solution.found ? stub : solution.text;
    const tests = replaceRegions(answer, HIDDEN_TESTS, null, where);
    if (tests.found && role(cell).grade !== true)
      throw new CourseError(`${where}: hidden tests in a cell that is not graded`);
    setSource(cell, tests.text);
    if (isSolution(cell)) cell.metadata.deletable = false;
    if (isTeacherOwned(cell)) Object.assign(cell.metadata, { deletable: false, editable: false });
    clearOutputs(cell);
  });
  return copy;
}

function clearOutputs(cell) {
  if (cell.cell_type !== 'code') return;
  cell.outputs = [];
  cell.execution_count = null;
  delete cell.metadata.execution; // nbclient's timings of the teacher's run
}

/**
 * A submission with the teacher's cells back, as nbgrader's autograde does: each test or read-only cell, matched by
 * grade_id, is the course notebook's own, hidden tests included, whatever the student made of it.
 */
export function withCourseTests(submission, course, file) {
  const teachers = new Map([...nbgraderCells(course, file)].filter(([, { cell }]) => isTeacherOwned(cell)));
  const merged = structuredClone(submission);
  merged.cells = merged.cells.map((cell) => {
    const original = teachers.get(role(cell).grade_id)?.cell;
    if (!original) return cell;
    const restored = structuredClone(original);
    clearOutputs(restored);
    return restored;
  });
  return merged;
}
