// A notebook outside the repository (a student's home, /tmp) imports the library in our kernel, with its types:
// run headless as notebooks.test.mjs runs the course, from a temp folder, with a module of its own beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { jupyterEnv, register } = require('../labextension/app/start.js');

const code = (source, tags = []) => ({
  cell_type: 'code',
  metadata: { tags },
  source,
  outputs: [],
  execution_count: null,
});
const notebook = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'charrnn', display_name: 'charrnn (TypeScript)', language: 'typescript' } },
  cells: [
    code(
      "import * as cr from '@charrnn/kernel';\nimport { vocabSize } from './helper';\nconst corpus: cr.Corpus = cr.corpusFromText('hello');\nconsole.log(corpus.vocab.size, vocabSize('abcab'))",
    ),
    // nbclient goes on past a cell tagged raises-exception; its error must be a type error, found in the library's types.
    code('const wrong: string = corpus.vocab.size', ['raises-exception']),
  ],
};

test('a notebook in a temp folder outside the repository imports @charrnn/kernel, type-checked', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-anywhere-'));
  try {
    assert.ok(path.relative(root, dir).startsWith('..'), `${dir} is outside ${root}`);
    fs.writeFileSync(
      path.join(dir, 'helper.ts'),
      "import { corpusFromText } from '@charrnn/kernel';\nexport const vocabSize = (text: string): number => corpusFromText(text).vocab.size;\n",
    );
    fs.writeFileSync(path.join(dir, 'mine.ipynb'), JSON.stringify(notebook));
    register();
    const out = path.join(dir, 'out.ipynb');
    const run = spawnSync(
      '/usr/bin/python3',
      [path.join(root, 'tests', 'lib', 'run_notebook.py'), path.join(dir, 'mine.ipynb'), out],
      {
        env: jupyterEnv(),
        encoding: 'utf8',
        timeout: 5 * 60 * 1000,
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const [imports, typed] = JSON.parse(fs.readFileSync(out, 'utf8')).cells.map((c) => c.outputs);
    assert.deepEqual(
      imports
        .map((o) => o.text)
        .flat()
        .join(''),
      '4 3\n',
    );
    const [error] = typed.filter((o) => o.output_type === 'error');
    assert.equal(error?.ename, 'TypeScriptError');
    assert.match(error.evalue, /Type 'number' is not assignable to type 'string'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
