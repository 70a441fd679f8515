import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256File } from '../text/corpus';
import { defaultMirror, downloadUrls } from './datasets';
import { RECIPES } from './recipes';
import { loadManifest } from './manifest';

const NAMES = ['tinyshakespeare', 'warpeace', 'paulgraham', 'latex', 'names', 'names-32k', 'wiki', 'music', 'linux'];

test('the manifest lists every corpus once, with source, licence, downloads pinned by commit and (except linux) size and sha256', () => {
  const manifest = loadManifest();
  assert.deepEqual(manifest.map((e) => e.name).sort(), [...NAMES].sort());
  for (const e of manifest) {
    assert.match(e.url, /^https:\/\//, e.name);
    assert.ok(e.description.length > 20 && e.licence.length > 2, e.name);
    if (e.name === 'linux') {
      assert.equal(e.debianPackage, 'linux-source-6.1');
      assert.match(e.debianVersion ?? '', /^6\.1\.\d+-\d+$/);
      assert.equal(e.sha256, undefined);
      assert.deepEqual(
        e.prefixes?.map((p) => [p.chars, p.usedBy]),
        [[6_200_000, 'pretrained:linux']],
      );
    } else {
      assert.match(e.sha256 ?? '', /^[0-9a-f]{64}$/, e.name);
      assert.ok(Number.isInteger(e.bytes) && e.bytes! > 10_000, e.name);
      assert.ok(e.recipe === undefined || Object.hasOwn(RECIPES, e.recipe), `${e.name}: recipe ${e.recipe}`);
      const urls = downloadUrls(e);
      assert.ok(urls.length > 0, `${e.name} has downloads`);
      for (const url of urls)
        assert.match(url, /^https:\/\/raw\.githubusercontent\.com\/[\w.-]+\/[\w.-]+\/[0-9a-f]{40}\//, e.name);
    }
  }
});

// Reported as skipped where there is no mirror, except on CI, which always has one: there its absence fails.
const mirror = defaultMirror();
const noMirror =
  !mirror &&
  process.env.CI !== 'true' &&
  'no dataset mirror here (../shared/datasets beside the repository, or CHARRNN_DATASETS_MIRROR)';

test('the mirror holds exactly the files the manifest describes', { skip: noMirror }, async () => {
  assert.ok(mirror, 'CI runs with the dataset mirror beside the repository');
  for (const e of loadManifest().filter((x) => x.sha256)) {
    const file = path.join(mirror, e.name, 'input.txt');
    assert.equal(fs.statSync(file).size, e.bytes, e.name);
    assert.equal(await sha256File(file), e.sha256, e.name);
  }
});

test('CHARRNN_DOWNLOADS_URL serves the same paths in place of GitHub raw', () => {
  const e = loadManifest().find((x) => x.name === 'paulgraham')!;
  const urls = downloadUrls(e, 'http://127.0.0.1:8000');
  assert.equal(
    urls[217],
    'http://127.0.0.1:8000/sgoel97/essay-datasets/c940c482573d33b0c5107dc4e3293737233482a7/paul_graham_essays/text_data/217.txt',
  );
});
