import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKernelspec } from './kernelspec';

test('the kernelspec starts this kernel with node, by signal interrupt, with the library on NODE_PATH, and leaves no temp file', () => {
  const data = mkdtempSync(join(tmpdir(), 'charrnn-spec-'));
  try {
    const dir = writeKernelspec(data);
    assert.equal(dir, join(data, 'kernels', 'charrnn'));
    assert.deepEqual(readdirSync(dir), ['kernel.json']);
    const spec = JSON.parse(readFileSync(join(dir, 'kernel.json'), 'utf8'));
    assert.equal(spec.argv[0], process.execPath);
    assert.ok(existsSync(spec.argv[1]) && spec.argv[1].endsWith(join('kernel', 'main.js')));
    assert.equal(spec.argv[2], '{connection_file}');
    assert.equal(spec.interrupt_mode, 'signal');
    assert.equal(spec.language, 'typescript');
    // Notebooks in any folder find the library there (tests/notebook-anywhere.test.mjs runs one).
    assert.ok(existsSync(join(spec.env.NODE_PATH, '@charrnn', 'kernel', 'package.json')), spec.env.NODE_PATH);
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});
