// Which way the arrows point: the library's modules import each other in no circle, its top folders form no circle
// either, engine/ depends on nothing above it (only the model, the shared leaves errors.ts and rng.ts, and
// @charrnn/schema), no engine folder reaches into another (only the chooser, engine/choose.ts, composes them), and
// the extension uses only our packages' published entry points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'kernel-lib/src');

/** The non-test TypeScript files under `dir`, repository-relative to `base`. */
function sources(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full, base);
    return /\.ts$/.test(e.name) && !/\.(test|d)\.ts$/.test(e.name) ? [path.relative(base, full)] : [];
  });
}

/** The module names a file imports, exports from, or requires. */
function specifiers(file) {
  const text = fs.readFileSync(file, 'utf8');
  const re = /(?:import|export)\s[^'";]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)|require\(\s*'([^']+)'\s*\)/g;
  return [...text.matchAll(re)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The library's import graph: file -> the library files it imports (relative imports only). */
function libraryGraph() {
  const files = sources(src);
  const graph = new Map();
  for (const file of files) {
    const targets = [];
    for (const spec of specifiers(path.join(src, file))) {
      if (!spec.startsWith('.')) continue;
      const bare = path.normalize(path.join(path.dirname(file), spec));
      const hit = [`${bare}.ts`, path.join(bare, 'index.ts')].find((f) => files.includes(f));
      if (hit) targets.push(hit);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** A circle in `graph` (a list of nodes, first repeated last), or undefined. */
function findCircle(graph) {
  const state = new Map(); // 1: on the current path, 2: done
  const pathNow = [];
  const visit = (node) => {
    state.set(node, 1);
    pathNow.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 1) return [...pathNow.slice(pathNow.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    pathNow.pop();
    state.set(node, 2);
    return undefined;
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return undefined;
}

const graph = libraryGraph();
const topFolder = (file) => (file.includes('/') ? file.split('/')[0] : file);
const LEAVES = ['errors.ts', 'rng.ts'];

test('no module of the library imports itself through a circle', () => {
  const circle = findCircle(graph);
  assert.equal(circle, undefined, `circle: ${circle?.join(' -> ')}`);
});

test("the library's top folders import each other in no circle (engine/ counted as one)", () => {
  const folders = new Map();
  for (const [file, targets] of graph) {
    const from = topFolder(file);
    if (!folders.has(from)) folders.set(from, new Set());
    for (const t of targets) if (topFolder(t) !== from) folders.get(from).add(topFolder(t));
  }
  const circle = findCircle(new Map([...folders].map(([k, v]) => [k, [...v]])));
  assert.equal(circle, undefined, `folder circle: ${circle?.join(' -> ')}`);
});

test('engine/ imports from outside itself only the model, errors.ts, rng.ts and @charrnn/schema', () => {
  const upward = [];
  for (const [file, targets] of graph) {
    if (!file.startsWith('engine/')) continue;
    for (const t of targets) if (!/^(engine|model)\//.test(t) && !LEAVES.includes(t)) upward.push(`${file} -> ${t}`);
  }
  assert.deepEqual(upward, []);
  for (const leaf of LEAVES) assert.deepEqual(graph.get(leaf), [], `${leaf} is a leaf`);
});

test('no engine folder imports another: only the chooser composes engines', () => {
  const across = [];
  for (const [file, targets] of graph) {
    const own = /^engine\/([^/]+)\//.exec(file)?.[1];
    if (!own) continue;
    for (const t of targets) {
      const other = /^engine\/([^/]+)\//.exec(t)?.[1];
      if (other && other !== own) across.push(`${file} -> ${t}`);
    }
  }
  assert.deepEqual(across, []);
});

test('the extension imports our packages only through their published entry points, never their dist/', () => {
  const ext = path.join(root, 'labextension');
  const files = [...sources(path.join(ext, 'src')).map((f) => path.join('src', f)), 'page/engine.js'];
  const ours = files.flatMap((file) =>
    specifiers(path.join(ext, file))
      .filter((s) => s.startsWith('@charrnn/'))
      .map((s) => `${file}: ${s}`),
  );
  // page.ts and page/engine.js are the exported page's script, which bundles the library's browser entry.
  const published = ['@charrnn/schema', '@charrnn/kernel/browser'];
  assert.ok(ours.length > 0);
  assert.deepEqual(
    ours.filter((d) => !published.includes(d.split(': ')[1])),
    [],
  );
  const kernel = JSON.parse(fs.readFileSync(path.join(root, 'kernel-lib/package.json'), 'utf8'));
  assert.ok(kernel.exports['./browser'], '@charrnn/kernel publishes ./browser');
  assert.equal(kernel.exports['./dist/*'], undefined, 'dist/ stays unpublished');
});
