import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { CharRNNError } from '../errors';
import { datasetOrStandIn, fetchDataset } from './datasets';
import { DatasetEntry } from './manifest';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-datasets-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PART1 = 'First part of a tiny corpus.\n';
const PART2 = 'Second part: naïve café 😀\n';
const TEXT = PART1 + PART2;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function entry(extra: Partial<DatasetEntry> = {}): DatasetEntry {
  return { name: 'tiny', description: 'test corpus', url: 'https://example.invalid/tiny', licence: 'CC0', bytes: Buffer.byteLength(TEXT), sha256: sha(TEXT), ...extra };
}

function mirrorWith(name: string, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'mirror-'));
  fs.mkdirSync(path.join(dir, name));
  for (const [f, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name, f), content);
  return dir;
}

test('fetch copies from a mirror with its licence files, and reuses a verified copy afterwards', async () => {
  const mirror = mirrorWith('tiny', { 'input.txt': TEXT, 'LICENSE.txt': 'CC0' });
  const dataDir = path.join(tmp, 'data1');
  const file = await fetchDataset('tiny', { mirror, dataDir, manifest: [entry()] });
  assert.equal(file, path.join(dataDir, 'tiny', 'input.txt'));
  assert.equal(fs.readFileSync(file, 'utf8'), TEXT);
  assert.equal(fs.readFileSync(path.join(dataDir, 'tiny', 'LICENSE.txt'), 'utf8'), 'CC0');
  fs.rmSync(mirror, { recursive: true });
  assert.equal(await fetchDataset('tiny', { mirror, dataDir, manifest: [entry()] }), file);
});

test('a checksum mismatch is a CharRNNError and leaves no file behind; a corrupt copy is replaced', async () => {
  const dataDir = path.join(tmp, 'data2');
  const bad = mirrorWith('tiny', { 'input.txt': TEXT + 'extra' });
  await assert.rejects(fetchDataset('tiny', { mirror: bad, dataDir, manifest: [entry()] }), (e: Error) =>
    e instanceof CharRNNError && /checksum mismatch/.test(e.message) && e.message.includes(sha(TEXT)));
  assert.deepEqual(fs.readdirSync(path.join(dataDir, 'tiny')).filter((f) => f.startsWith('input')), []);
  fs.writeFileSync(path.join(dataDir, 'tiny', 'input.txt'), 'corrupt');
  const good = mirrorWith('tiny', { 'input.txt': TEXT });
  const file = await fetchDataset('tiny', { mirror: good, dataDir, manifest: [entry()] });
  assert.equal(fs.readFileSync(file, 'utf8'), TEXT);
});

test('without the corpus in the mirror, the download URLs are fetched, concatenated and verified', async () => {
  const server = http.createServer((req, res) => {
    const body = { '/1': PART1, '/2': PART2, '/wrong': 'not it' }[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const mirror = mirrorWith('other', { 'input.txt': 'x' });
    const dataDir = path.join(tmp, 'data3');
    const file = await fetchDataset('tiny', { mirror, dataDir, manifest: [entry({ download: [`${base}/1`, `${base}/2`] })] });
    assert.equal(fs.readFileSync(file, 'utf8'), TEXT);
    const other = path.join(tmp, 'data4');
    await assert.rejects(fetchDataset('tiny', { mirror, dataDir: other, manifest: [entry({ download: [`${base}/1`, `${base}/missing`] })] }), /HTTP 404/);
    await assert.rejects(fetchDataset('tiny', { mirror, dataDir: other, manifest: [entry({ download: [`${base}/wrong`] })] }), /checksum mismatch/);
    assert.equal(fs.existsSync(path.join(other, 'tiny', 'input.txt')), false);
  } finally {
    server.close();
  }
});

test('unknown names, corpora with no source reachable, and --max-bytes misuse are clear CharRNNErrors', async () => {
  const mirror = mirrorWith('other', { 'input.txt': 'x' });
  const dataDir = path.join(tmp, 'data5');
  await assert.rejects(fetchDataset('nope', { mirror, dataDir, manifest: [entry()] }), (e: Error) =>
    e instanceof CharRNNError && /unknown dataset 'nope'; known: tiny/.test(e.message));
  await assert.rejects(fetchDataset('tiny', { mirror, dataDir, manifest: [entry({ note: 'built by hand' })] }), (e: Error) =>
    e instanceof CharRNNError && e.message.includes(`no tiny/input.txt in mirror ${mirror}`) && e.message.includes('no direct download: built by hand'));
  await assert.rejects(fetchDataset('tiny', { mirror, dataDir, maxBytes: 10, manifest: [entry()] }), /--max-bytes/);
});

test('datasetOrStandIn gives the corpus when it can, else a stand-in of the same kind and says so', async () => {
  const mirror = mirrorWith('tiny', { 'input.txt': TEXT });
  const dataDir = path.join(tmp, 'data6');
  const real = await datasetOrStandIn('tiny', { mirror, dataDir, manifest: [entry()] });
  assert.deepEqual([real.standIn, fs.readFileSync(real.path, 'utf8')], [false, TEXT]);
  const manifest = [entry({ name: 'names-x', note: 'mirror only' }), entry({ name: 'novel', note: 'mirror only' })];
  const names = await datasetOrStandIn('names-x', { mirror, dataDir, manifest, standInChars: 2000 });
  assert.equal(names.standIn, true);
  assert.match(names.message, /^dataset 'names-x' is not available \(.*no direct download.*\); using a generated names stand-in/);
  assert.match(fs.readFileSync(names.path, 'utf8'), /^([A-Z][a-z]+\n)+$/);
  const novel = await datasetOrStandIn('novel', { mirror, dataDir, manifest, standInChars: 2000 });
  assert.match(fs.readFileSync(novel.path, 'utf8'), /^[A-Z]+:\n/);
  await assert.rejects(datasetOrStandIn('nope', { mirror, dataDir, manifest }), /unknown dataset/);
});
