import test from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ADDON_PATH } from './addon';
import { withAddon } from './testing';

interface BuildResult {
  ok: boolean;
  message: string;
}
const build = require(path.join(__dirname, '..', '..', '..', 'native', 'build.js')) as {
  buildNative(opts?: { force?: boolean; log?: (line: string) => void }): BuildResult;
  notBuiltWarning(message: string): string;
  addonPath: string;
};

test('build.js puts the addon where the loader looks for it', () => {
  assert.equal(path.resolve(build.addonPath), path.resolve(ADDON_PATH));
});

/** Runs fn with CHARRNN_NATIVE set to value (undefined: unset), and puts it back after. */
function withNativeEnv(value: string | undefined, fn: () => void): void {
  const saved = process.env.CHARRNN_NATIVE;
  const set = (v: string | undefined) =>
    v === undefined ? delete process.env.CHARRNN_NATIVE : (process.env.CHARRNN_NATIVE = v);
  set(value);
  try {
    fn();
  } finally {
    set(saved);
  }
}

test('build.js: CHARRNN_NATIVE=0 turns the native path off with one line, and builds nothing', () => {
  withNativeEnv('0', () => {
    const lines: string[] = [];
    const r = build.buildNative({ force: true, log: (l) => lines.push(l) });
    assert.equal(r.ok, false);
    assert.match(r.message, /^native path off \(CHARRNN_NATIVE=0\)$/);
    assert.deepEqual(lines, []);
  });
});

test('build.js reports the built addon as up to date without rebuilding', withAddon, () => {
  const lines: string[] = [];
  const r = build.buildNative({ log: (l) => lines.push(l) });
  assert.equal(r.ok, true);
  assert.match(r.message, /up to date/);
  assert.deepEqual(lines, []);
});

test('build.js: when the addon did not build, setup prints a warning box with the reason, one line when turned off', () => {
  withNativeEnv(undefined, () => {
    const lines = build.notBuiltWarning('native path off: node-gyp not found').split('\n');
    assert.ok(lines.length >= 4, lines.join('\n'));
    assert.match(lines[0], /^!{40,}$/);
    assert.equal(lines[lines.length - 1], lines[0]);
    assert.match(lines[1], /WARNING: the native engine .* is not built/);
    assert.ok(lines.includes('!! native path off: node-gyp not found'));
    assert.ok(lines.some((l) => /tests are reported as skipped/.test(l)));
  });
  withNativeEnv('0', () => {
    assert.equal(build.notBuiltWarning('native path off (CHARRNN_NATIVE=0)'), 'native path off (CHARRNN_NATIVE=0)');
  });
});
