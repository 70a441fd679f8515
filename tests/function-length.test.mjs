// Short functions, read top to bottom: no function we write is longer than MAX_LINES, test bodies included.
// The benchmarks (kernel-lib/src/bench, kernel-lib/bench) are the exception: a benchmark's main reads as one script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { formattedFiles } from './lib/prettier.mjs';

const MAX_LINES = 80;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Each function of `file` (declarations, methods, arrows, function expressions) longer than MAX_LINES. */
function longFunctions(file) {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const line = (pos) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const lines = line(node.end) - line(node.getStart(source)) + 1;
      if (lines > MAX_LINES) found.push(`${file}:${line(node.getStart(source))} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test(`no function outside the benchmarks is longer than ${MAX_LINES} lines`, () => {
  const code = formattedFiles().filter((f) => /\.(ts|js|mjs|cjs)$/.test(f) && !/(^|\/)bench\//.test(f));
  assert.ok(code.length > 100, 'the file list finds our sources');
  assert.deepEqual(code.flatMap(longFunctions), []);
});
