import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CharRNNError } from '../errors';
import { loadCorpus } from '../text/corpus';
import { buildLinuxCorpus } from './linux';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-linux-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// A miniature kernel tree: sources to keep, files to leave out (other extensions, Latin-1, NUL bytes).
const FILES: Record<string, string | Buffer> = {
  'linux/kernel/fork.c': '/* fork */\nint fork(void) { return 0; }\n',
  'linux/include/linux/list.h': '#define LIST_HEAD(x) { &(x), &(x) }\n'.repeat(20),
  'linux/drivers/old.c': Buffer.from('/* caf\xe9 */\n', 'latin1'),
  'linux/drivers/blob.h': Buffer.from([0x61, 0x00, 0x62]),
  'linux/Makefile': 'obj-y += fork.o\n',
  'linux/Documentation/readme.txt': 'docs\n',
  'linux/lib/string.c': 'char *strcpy(char *d, const char *s) { /* … */ return d; }\n',
};
const KEPT = ['linux/kernel/fork.c', 'linux/include/linux/list.h', 'linux/lib/string.c'];

function tarball(): string {
  const src = path.join(tmp, 'src');
  for (const [f, content] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(src, f)), { recursive: true });
    fs.writeFileSync(path.join(src, f), content);
  }
  const file = path.join(tmp, 'linux.tar.xz');
  execFileSync('tar', ['-C', src, '-cJf', file, 'linux']);
  return file;
}

test('the corpus is the .c and .h text files concatenated in archive order; a cap keeps whole files only', async () => {
  const tar = tarball();
  const order = execFileSync('tar', ['-tJf', tar], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => KEPT.includes(f));
  const expected = order.map((f) => FILES[f]).join('');
  const out = path.join(tmp, 'full', 'input.txt');
  assert.equal(await buildLinuxCorpus({ out, tarball: tar }), out);
  assert.equal(fs.readFileSync(out, 'utf8'), expected);
  const build = JSON.parse(fs.readFileSync(path.join(tmp, 'full', 'BUILD.json'), 'utf8'));
  assert.deepEqual(
    [build.files, build.skipped, build.bytes, build.maxBytes],
    [3, 2, Buffer.byteLength(expected), null],
  );
  const corpus = await loadCorpus(out, { cacheDir: false });
  assert.equal(corpus.sha256, build.sha256);

  const firstTwo = Buffer.byteLength(String(FILES[order[0]]) + String(FILES[order[1]]));
  const capped = path.join(tmp, 'capped', 'input.txt');
  await buildLinuxCorpus({ out: capped, tarball: tar, maxBytes: firstTwo + 5 });
  assert.equal(fs.readFileSync(capped, 'utf8'), String(FILES[order[0]]) + String(FILES[order[1]]));
});

test('a second build with the same tarball and cap reuses the corpus; a different cap rebuilds it', async () => {
  const tar = tarball();
  const out = path.join(tmp, 'again', 'input.txt');
  await buildLinuxCorpus({ out, tarball: tar, maxBytes: 100 });
  const first = fs.statSync(out);
  await buildLinuxCorpus({ out, tarball: tar, maxBytes: 100 });
  assert.equal(fs.statSync(out).ino, first.ino);
  await buildLinuxCorpus({ out, tarball: tar, maxBytes: 10_000 });
  assert.notEqual(fs.statSync(out).ino, first.ino);
});

test('missing or unreadable tarballs and bad caps are CharRNNErrors', async () => {
  const out = path.join(tmp, 'bad', 'input.txt');
  const notXz = path.join(tmp, 'plain.txt');
  fs.writeFileSync(notXz, 'hello');
  await assert.rejects(
    buildLinuxCorpus({ out, tarball: path.join(tmp, 'none.tar.xz') }),
    (e: Error) => e instanceof CharRNNError && /no such file/.test(e.message),
  );
  await assert.rejects(
    buildLinuxCorpus({ out, tarball: notXz }),
    (e: Error) => e instanceof CharRNNError && /xz could not read/.test(e.message),
  );
  await assert.rejects(buildLinuxCorpus({ out, tarball: tarball(), maxBytes: 0 }), /--max-bytes/);
  await assert.rejects(buildLinuxCorpus({ out, tarball: tarball(), maxBytes: 3 }), /no \.c or \.h text files/);
  assert.equal(fs.existsSync(out), false);
});
