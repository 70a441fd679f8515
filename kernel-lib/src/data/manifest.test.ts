import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256File } from '../text/corpus';
import { defaultMirror } from './datasets';
import { loadManifest } from './manifest';

const NAMES = ['tinyshakespeare', 'warpeace', 'paulgraham', 'latex', 'names', 'names-32k', 'wiki', 'music', 'linux'];

test('the manifest lists every corpus once, with source, licence and (except linux) size and sha256', () => {
  const manifest = loadManifest();
  assert.deepEqual(manifest.map((e) => e.name).sort(), [...NAMES].sort());
  for (const e of manifest) {
    assert.match(e.url, /^https:\/\//, e.name);
    assert.ok(e.description.length > 20 && e.licence.length > 2, e.name);
    for (const url of e.download ?? []) assert.match(url, /^https:\/\//, e.name);
    if (e.name === 'linux') {
      assert.equal(e.debianPackage, 'linux-source-6.1');
      assert.equal(e.sha256, undefined);
    } else {
      assert.match(e.sha256 ?? '', /^[0-9a-f]{64}$/, e.name);
      assert.ok(Number.isInteger(e.bytes) && e.bytes! > 10_000, e.name);
      assert.ok(e.download || e.note, `${e.name} says how to get it without a direct download`);
    }
  }
});

// Reported as skipped where there is no mirror, except on CI, which always has one: there its absence fails.
const mirror = defaultMirror();
const noMirror = !mirror && process.env.CI !== 'true' && 'no dataset mirror here (../shared/datasets beside the repository, or CHARRNN_DATASETS_MIRROR)';

test('the mirror holds exactly the files the manifest describes', { skip: noMirror }, async () => {
  assert.ok(mirror, 'CI runs with the dataset mirror beside the repository');
  for (const e of loadManifest().filter((x) => x.sha256)) {
    const file = path.join(mirror, e.name, 'input.txt');
    assert.equal(fs.statSync(file).size, e.bytes, e.name);
    assert.equal(await sha256File(file), e.sha256, e.name);
  }
});
