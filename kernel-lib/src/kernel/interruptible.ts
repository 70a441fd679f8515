import * as ts from '@tslab/typescript-for-tslab';

/**
 * Makes a cell's own code stop on interrupt, sync or async. Jupyter's interrupt is a SIGINT, which Node
 * turns into an event that runs only once the cell's code yields: an async loop whose awaits keep
 * resolving, or a synchronous loop after the cell's first await, never sees it. So the kernel inserts a
 * check into the cell's compiled JavaScript at each loop's back-edge (the top of its body) and after each
 * await, the only places where code can run on for long; the check throws KeyboardInterrupt once the cell
 * is interrupted (see interrupt.ts for when exactly).
 *
 * Text is only inserted, never moved, and never a line break: line numbers in tracebacks stay those of
 * the compiled cell.
 */

/** The global object the inserted checks call; the kernel puts it on globalThis. */
export const CHECKS = '__charrnnInterrupt';

export interface InterruptChecks {
  /** At the top of every loop body of cell `cell`. */
  loop(cell: number): void;
  /** Around every await of cell `cell`: `resumed(cell, await x)`; returns the awaited value. */
  resumed<T>(cell: number, value: T): T;
}

/** The compiled cell `js` with interrupt checks; `cell` numbers the cell, for checks that run after it. */
export function addInterruptChecks(js: string, cell: number): string {
  const file = ts.createSourceFile('cell.js', js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const loopCheck = `${CHECKS}.loop(${cell});`;

  function rewrite(node: ts.Node, start: number): string {
    let out = '';
    let pos = start;
    ts.forEachChild(node, (child) => {
      const childStart = child.getStart(file);
      let text = rewrite(child, childStart);
      if (ts.isIterationStatement(node, false) && child === node.statement) {
        text = ts.isBlock(child) ? `{ ${loopCheck}${text.slice(1)}` : `{ ${loopCheck} ${text} }`;
      }
      out += js.slice(pos, childStart) + text;
      pos = child.end;
    });
    out += js.slice(pos, node.end);
    return ts.isAwaitExpression(node) ? `${CHECKS}.resumed(${cell}, ${out})` : out;
  }
  return rewrite(file, 0);
}
