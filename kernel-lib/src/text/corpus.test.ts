import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { CharRNNError } from '../errors';
import { corpusFromText, loadCorpus, splitCorpus } from './corpus';
import { Vocab } from './vocab';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-corpus-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

// A few MB of text mixing 1-, 2-, 3- and 4-byte UTF-8 chars.
function mixedText(bytesWanted: number): string {
  const words = ['hello', 'naïve', 'café', '—', '日本語', '😀', '𝄞', 'x\ty', 'end.\n'];
  const parts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < bytesWanted; i++) {
    const w = words[(i * 7 + (i >> 3)) % words.length];
    parts.push(w, ' ');
    bytes += Buffer.byteLength(w) + 1;
  }
  return parts.join('');
}

test('a multi-MB file streamed in small chunks (splitting multi-byte chars) equals encoding the string', async () => {
  const text = mixedText(3 << 20);
  const file = write('big.txt', text);
  const c = await loadCorpus(file, { chunkSize: 4099, cacheDir: false });
  const v = Vocab.fromText(text);
  assert.deepEqual(c.vocab.chars, v.chars);
  assert.equal(c.data.length, [...text].length);
  assert.deepEqual(c.data, v.encode(text));
  assert.equal(c.bytes, Buffer.byteLength(text));
  assert.equal(c.sha256, createHash('sha256').update(text).digest('hex'));
  assert.equal(c.path, file);
  assert.equal(c.vocab.decode(c.data.subarray(0, 40)), [...text].slice(0, 40).join(''));
});

test('chunks of 1 and 3 bytes still decode every char', async () => {
  const text = 'a😀é日\n'.repeat(50);
  const file = write('tiny.txt', text);
  for (const chunkSize of [1, 3]) {
    const c = await loadCorpus(file, { chunkSize, cacheDir: false });
    assert.equal(c.vocab.decode(c.data), text);
  }
});

test('the cache is written under the sha256, and a second load gives equal data', async () => {
  const text = mixedText(200_000);
  const file = write('cached.txt', text);
  const cacheDir = path.join(tmp, 'cache');
  const first = await loadCorpus(file, { cacheDir, cacheMinBytes: 0 });
  assert.deepEqual(fs.readdirSync(cacheDir).sort(), [`${first.sha256}.ids`, `${first.sha256}.json`]);
  const second = await loadCorpus(file, { cacheDir, cacheMinBytes: 0 });
  assert.deepEqual(second.data, first.data);
  assert.deepEqual(second.vocab.chars, first.vocab.chars);
  assert.equal(second.sha256, first.sha256);
  // The second load really reads the cache: a changed (but well-formed) entry is what it returns.
  const ids = path.join(cacheDir, `${first.sha256}.ids`);
  const changed = new Uint16Array(first.data);
  changed[0] = changed[0] === 0 ? 1 : 0;
  fs.writeFileSync(ids, changed);
  assert.equal((await loadCorpus(file, { cacheDir, cacheMinBytes: 0 })).data[0], changed[0]);
  // A truncated entry is ignored and the file is encoded again.
  fs.writeFileSync(ids, changed.subarray(0, 10));
  assert.deepEqual((await loadCorpus(file, { cacheDir, cacheMinBytes: 0 })).data, first.data);
  // Small files are not cached by default.
  const small = write('small.txt', 'abc');
  await loadCorpus(small, { cacheDir });
  assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.json')).length, 1);
});

test('a given vocabulary encodes with its ids and rejects chars outside it', async () => {
  const file = write('v.txt', 'bad cab');
  const vocab = Vocab.fromText('abcdefg ');
  const c = await loadCorpus(file, { vocab, cacheDir: false });
  assert.equal(c.vocab, vocab);
  assert.deepEqual(c.data, vocab.encode('bad cab'));
  await assert.rejects(
    loadCorpus(write('w.txt', 'bad zebra'), { vocab, cacheDir: false }),
    (e: Error) =>
      e instanceof CharRNNError &&
      e.message.includes("'z'") &&
      e.message.includes("'r'") &&
      e.message.includes('w.txt'),
  );
});

test('missing, empty, binary and invalid UTF-8 files are CharRNNErrors naming the file', async () => {
  const cases: [string, string | Uint8Array | null, RegExp][] = [
    ['missing.txt', null, /no such file/],
    ['empty.txt', '', /is empty/],
    ['nul.txt', 'text\0more', /binary/],
    ['latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), /not valid UTF-8/],
    ['cut.txt', Buffer.from([0x61, 0xf0, 0x9f, 0x98]), /not valid UTF-8/],
  ];
  for (const [name, content, pattern] of cases) {
    const file = content === null ? path.join(tmp, name) : write(name, content);
    await assert.rejects(
      loadCorpus(file, { cacheDir: false }),
      (e: Error) => e instanceof CharRNNError && pattern.test(e.message) && e.message.includes(name),
    );
  }
  await assert.rejects(loadCorpus(tmp, { cacheDir: false }), CharRNNError);
});

test('corpusFromText matches loading the same text from a file', async () => {
  const text = 'To be, or not to be: 😀\n';
  const c = corpusFromText(text);
  const f = await loadCorpus(write('same.txt', text), { cacheDir: false });
  assert.deepEqual(c.data, f.data);
  assert.equal(c.sha256, f.sha256);
  assert.equal(c.bytes, f.bytes);
  assert.throws(() => corpusFromText(''), CharRNNError);
});

test('splits are contiguous views in train, val, test order with the requested sizes', () => {
  const data = Uint16Array.from({ length: 1000 }, (_, i) => i % 50);
  const s = splitCorpus(data);
  assert.deepEqual([s.train.length, s.val.length, s.test.length], [900, 50, 50]);
  for (const part of [s.train, s.val, s.test]) assert.equal(part.buffer, data.buffer);
  assert.equal(s.val.byteOffset, s.train.byteOffset + s.train.byteLength);
  assert.equal(s.test.byteOffset, s.val.byteOffset + s.val.byteLength);
  const t = splitCorpus(data, 0.7, 0.3);
  assert.deepEqual([t.train.length, t.val.length, t.test.length], [700, 300, 0]);
  assert.equal(splitCorpus(data, 1, 0).train.length, 1000);
  for (const [tr, va] of [
    [0, 0.1],
    [-0.5, 0.1],
    [0.9, -0.1],
    [0.8, 0.3],
    [NaN, 0],
    [1.5, 0],
  ]) {
    assert.throws(() => splitCorpus(data, tr, va), CharRNNError);
  }
});
