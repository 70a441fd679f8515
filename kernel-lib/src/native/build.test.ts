import test from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ADDON_PATH, nativeStatus } from './addon';

interface BuildResult {
  ok: boolean;
  message: string;
}
const build = require(path.join(__dirname, '..', '..', 'native', 'build.js')) as {
  buildNative(opts?: { force?: boolean; log?: (line: string) => void }): BuildResult;
  addonPath: string;
};

test('build.js puts the addon where the loader looks for it', () => {
  assert.equal(path.resolve(build.addonPath), path.resolve(ADDON_PATH));
});

test('build.js: CHARRNN_NATIVE=0 turns the native path off with one line, and builds nothing', () => {
  const saved = process.env.CHARRNN_NATIVE;
  process.env.CHARRNN_NATIVE = '0';
  const lines: string[] = [];
  try {
    const r = build.buildNative({ force: true, log: (l) => lines.push(l) });
    assert.equal(r.ok, false);
    assert.match(r.message, /^native path off \(CHARRNN_NATIVE=0\)$/);
    assert.deepEqual(lines, []);
  } finally {
    if (saved === undefined) delete process.env.CHARRNN_NATIVE;
    else process.env.CHARRNN_NATIVE = saved;
  }
});

if (nativeStatus().available) {
  test('build.js reports the built addon as up to date without rebuilding', () => {
    const lines: string[] = [];
    const r = build.buildNative({ log: (l) => lines.push(l) });
    assert.equal(r.ok, true);
    assert.match(r.message, /up to date/);
    assert.deepEqual(lines, []);
  });
}
