// README's TypeScript blocks, as a user pastes them into a file of their own: each starts a backend before it makes or
// loads a model, and the pretrained block runs as shown (from the repo root, where `@charrnn/kernel` resolves).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(import.meta.dirname, '..');
const ts = createRequire(import.meta.url)('typescript');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

test("every README block that makes or loads a model awaits initBackend() first (else TF.js: 'No backend found')", () => {
  const making = blocks.filter((b) => /\b(pretrained|CharRNN\.create|loadCheckpoint)\(/.test(b));
  assert.ok(making.length >= 2, 'README has the library and pretrained blocks');
  for (const block of making) {
    const first = block.search(/\b(pretrained|CharRNN\.create|loadCheckpoint)\(/);
    assert.ok(block.slice(0, first).includes('await initBackend()'), block);
  }
});

test("README's pretrained block runs as shown", () => {
  const block = blocks.find((b) => b.includes("pretrained('tinyshakespeare')"));
  assert.ok(block, 'README has a pretrained block');
  // Types stripped, imports and top-level await kept: an ES module, as the block is meant to be used.
  const js = ts.transpileModule(block, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const check =
    '\nif (vocab.size !== 65 || card.corpus.name !== "tinyshakespeare" || model.config.hiddenSize !== 512) throw new Error("not the model");\n';
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', js + check], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(run.status, 0, run.stderr);
});
