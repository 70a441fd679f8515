// One formatter: every TypeScript, JavaScript, CSS and JSON file we write is as Prettier prints it
// (tests/lib/prettier.mjs says which files; `npm run format` fixes them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formattedFiles, unformatted } from './lib/prettier.mjs';

test('Prettier finds nothing to change', async () => {
  assert.ok(formattedFiles().length > 100, 'the file list finds our sources');
  assert.deepEqual(await unformatted(), [], 'run: npm run format');
});
