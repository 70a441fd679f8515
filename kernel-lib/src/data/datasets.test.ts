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
import { applyRecipe } from './recipes';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-datasets-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PART1 = 'First part of a tiny corpus.\n';
const PART2 = 'Second part: naïve café 😀\n';
const TEXT = PART1 + PART2;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function entry(extra: Partial<DatasetEntry> = {}): DatasetEntry {
  return {
    name: 'tiny',
    description: 'test corpus',
    url: 'https://example.invalid/tiny',
    licence: 'CC0',
    bytes: Buffer.byteLength(TEXT),
    sha256: sha(TEXT),
    ...extra,
  };
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
  await assert.rejects(
    fetchDataset('tiny', { mirror: bad, dataDir, manifest: [entry()] }),
    (e: Error) => e instanceof CharRNNError && /checksum mismatch/.test(e.message) && e.message.includes(sha(TEXT)),
  );
  assert.deepEqual(
    fs.readdirSync(path.join(dataDir, 'tiny')).filter((f) => f.startsWith('input')),
    [],
  );
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
    const file = await fetchDataset('tiny', {
      mirror,
      dataDir,
      manifest: [entry({ download: [`${base}/1`, `${base}/2`] })],
    });
    assert.equal(fs.readFileSync(file, 'utf8'), TEXT);
    const other = path.join(tmp, 'data4');
    await assert.rejects(
      fetchDataset('tiny', {
        mirror,
        dataDir: other,
        manifest: [entry({ download: [`${base}/1`, `${base}/missing`] })],
      }),
      /HTTP 404/,
    );
    await assert.rejects(
      fetchDataset('tiny', { mirror, dataDir: other, manifest: [entry({ download: [`${base}/wrong`] })] }),
      /checksum mismatch/,
    );
    assert.equal(fs.existsSync(path.join(other, 'tiny', 'input.txt')), false);
  } finally {
    server.close();
  }
});

test('unknown names, corpora with no source reachable, and --max-bytes misuse are clear CharRNNErrors', async () => {
  const mirror = mirrorWith('other', { 'input.txt': 'x' });
  const dataDir = path.join(tmp, 'data5');
  await assert.rejects(
    fetchDataset('nope', { mirror, dataDir, manifest: [entry()] }),
    (e: Error) => e instanceof CharRNNError && /unknown dataset 'nope'; known: tiny/.test(e.message),
  );
  await assert.rejects(
    fetchDataset('tiny', { mirror, dataDir, manifest: [entry({ note: 'built by hand' })] }),
    (e: Error) =>
      e instanceof CharRNNError &&
      e.message.includes(`no tiny/input.txt in mirror ${mirror}`) &&
      e.message.includes('no direct download: built by hand'),
  );
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
  assert.match(
    names.message,
    /^dataset 'names-x' is not available \(.*no direct download.*\); using a generated names stand-in/,
  );
  assert.match(fs.readFileSync(names.path, 'utf8'), /^([A-Z][a-z]+\n)+$/);
  const novel = await datasetOrStandIn('novel', { mirror, dataDir, manifest, standInChars: 2000 });
  assert.match(fs.readFileSync(novel.path, 'utf8'), /^[A-Z]+:\n/);
  await assert.rejects(datasetOrStandIn('nope', { mirror, dataDir, manifest }), /unknown dataset/);
});

/**
 * A loopback server holding upstream-shaped files. `cutAfter` bytes into the first response of a path, it closes
 * the connection (a download cut off); Range requests get the rest (206), as GitHub's raw server answers them.
 */
async function upstream(files: Record<string, Buffer>, cutAfter?: number) {
  const cut = new Set<string>();
  const ranges: string[] = [];
  const server = http.createServer((req, res) => {
    const body = files[req.url ?? ''];
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (!body) {
      res.writeHead(404).end('Not Found');
    } else if (range) {
      ranges.push(`${req.url} ${range[0]}`);
      const from = Number(range[1]);
      if (from >= body.length) res.writeHead(416).end();
      else res.writeHead(206, { 'Content-Length': body.length - from }).end(body.subarray(from));
    } else if (cutAfter !== undefined && !cut.has(req.url!)) {
      cut.add(req.url!);
      res.writeHead(200, { 'Content-Length': body.length }).write(body.subarray(0, cutAfter));
      setTimeout(() => res.socket?.destroy(), 50);
    } else {
      res.writeHead(200, { 'Content-Length': body.length }).end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, ranges, close: () => server.close() };
}

test('a recipe makes the corpus from upstream-shaped downloads (paths under downloadBase) and the downloads go', async () => {
  const essays = {
    '/pg/0.txt': Buffer.from('# One\n\nSee [this](http://a.example/(b)).\n'),
    '/pg/1.txt': Buffer.from('Two  \n'),
  };
  const server = await upstream(essays);
  try {
    const text = 'One\n\nSee this.\n\nTwo\n';
    const e = entry({
      name: 'essays',
      downloadBase: `${server.base}pg/`,
      download: ['0.txt', '1.txt'],
      recipe: 'markdown-essays',
      sha256: sha(text),
    });
    const dataDir = path.join(tmp, 'recipe');
    const file = await fetchDataset('essays', { mirror: path.join(tmp, 'no-mirror'), dataDir, manifest: [e] });
    assert.equal(fs.readFileSync(file, 'utf8'), text);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['input.txt']);
  } finally {
    server.close();
  }
});

test('a download cut off midway is one clear error, leaves no corpus, and the next fetch resumes it', async () => {
  const book = Buffer.from(
    '\ufeff' + 'The novel, line after line.\r\n'.repeat(200) + 'conscious.\r\n\r\nappended lines\r\n',
  );
  const server = await upstream({ '/wp.txt': book }, 1000);
  try {
    const text = applyRecipe('war-and-peace', [book]).toString();
    const e = entry({ name: 'wp', download: [`${server.base}wp.txt`], recipe: 'war-and-peace', sha256: sha(text) });
    const dataDir = path.join(tmp, 'resume');
    const opts = { mirror: path.join(tmp, 'no-mirror'), dataDir, manifest: [e] };
    await assert.rejects(
      fetchDataset('wp', opts),
      (err: Error) =>
        err instanceof CharRNNError &&
        /^the download of dataset 'wp' from \S+ was cut off after 1000 bytes; run the same command again to resume it$/.test(
          err.message,
        ),
    );
    assert.equal(fs.existsSync(path.join(dataDir, 'wp', 'input.txt')), false);
    assert.equal(fs.statSync(path.join(dataDir, 'wp', 'downloads', '0-wp.txt.part')).size, 1000);
    const file = await fetchDataset('wp', opts);
    assert.equal(fs.readFileSync(file, 'utf8'), text);
    assert.deepEqual(server.ranges, ['/wp.txt bytes=1000-']);
  } finally {
    server.close();
  }
});

test('a wrong download (a changed upstream file) is a checksum mismatch: no corpus, and no download kept to resume', async () => {
  const server = await upstream({ '/wp.txt': Buffer.from('Another novel\r\nconscious.\r\n\r\n') });
  try {
    const e = entry({ name: 'wp', download: [`${server.base}wp.txt`], recipe: 'war-and-peace' });
    const dataDir = path.join(tmp, 'wrong');
    await assert.rejects(
      fetchDataset('wp', { mirror: path.join(tmp, 'no-mirror'), dataDir, manifest: [e] }),
      (err: Error) =>
        err instanceof CharRNNError &&
        /^checksum mismatch for wp as made from \S+: sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}$/.test(
          err.message,
        ),
    );
    assert.deepEqual(fs.readdirSync(path.join(dataDir, 'wp')), []);
  } finally {
    server.close();
  }
});
