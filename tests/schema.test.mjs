// The extension and the library share their views through @charrnn/schema (kernel-lib/schema), which has no
// dependencies: the widgets take the library's types, versions and colours from there, not from its dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

/** The module names a TypeScript/JavaScript file imports or requires. */
function imports(file) {
  const src = fs.readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*|^import\s+)'([^']+)'/gm)].map((m) => m[1]);
}

test('@charrnn/schema depends on nothing and its modules import only each other', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'kernel-lib/schema/package.json'), 'utf8'));
  assert.deepEqual([pkg.dependencies, pkg.peerDependencies, pkg.optionalDependencies].filter(Boolean), []);
  const dir = path.join(root, 'kernel-lib/schema/src');
  for (const name of fs.readdirSync(dir)) {
    for (const spec of imports(path.join(dir, name))) assert.match(spec, /^\.\//, `${name} imports ${spec}`);
  }
});

test('the widgets import the library only through @charrnn/schema (the model page aside)', () => {
  const dir = path.join(root, 'labextension/src');
  // page.ts is the exported model page's script: it bundles the library's sampler and explorer on purpose.
  const widgets = fs.readdirSync(dir).filter((name) => name.endsWith('.ts') && name !== 'page.ts');
  const used = widgets.flatMap((name) =>
    imports(path.join(dir, name))
      .filter((s) => s.startsWith('@charrnn/'))
      .map((s) => `${name}: ${s}`),
  );
  assert.ok(used.some((u) => u.endsWith('@charrnn/schema')));
  // The explorer ranks cells over a saved output with the library's own search, which lives in the schema.
  assert.deepEqual(
    used.filter((u) => !u.endsWith(': @charrnn/schema')),
    [],
  );
  assert.equal(typeof require('@charrnn/schema').cellCorrelations, 'function');
});

test('the library exports the schema package itself: the same versions, MIME names and colours', () => {
  const schema = require('@charrnn/schema');
  const kernel = require(path.join(root, 'kernel-lib/dist/index.js'));
  assert.equal(kernel.VIEW_VERSIONS, schema.VIEW_VERSIONS);
  assert.equal(kernel.mimeType('sampler'), 'application/vnd.charrnn.sampler+json');
  assert.equal(kernel.divergingColor, schema.divergingColor);
});
