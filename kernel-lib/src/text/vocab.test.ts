import test from 'node:test';
import assert from 'node:assert/strict';
import { CharRNNError } from '../errors';
import { Vocab } from './vocab';

const TEXT = 'Café naïve — 😀 ok 𝄞\u{E000}!';

test('vocab is the sorted set of code points, emoji and accents included', () => {
  const v = Vocab.fromText(TEXT);
  const cps = v.chars.map((c) => c.codePointAt(0)!);
  assert.deepEqual(
    cps,
    [...cps].sort((a, b) => a - b),
  );
  assert.equal(new Set(v.chars).size, v.size);
  // 😀 and 𝄞 are one char each (two UTF-16 units); U+E000 sorts before them though its UTF-16 unit is larger.
  assert.ok(v.has('😀') && v.has('𝄞') && v.has('é') && v.has('ï'));
  assert.ok(v.chars.indexOf('\u{E000}') < v.chars.indexOf('𝄞'));
  assert.equal(v.size, new Set([...TEXT]).size);
  assert.ok(v.chars.every((c) => [...c].length === 1));
});

test('encode/decode round trip; one id per code point', () => {
  const v = Vocab.fromText(TEXT);
  const ids = v.encode(TEXT);
  assert.ok(ids instanceof Uint16Array);
  assert.equal(ids.length, [...TEXT].length);
  assert.equal(v.decode(ids), TEXT);
  assert.equal(v.decode(Array.from(ids)), TEXT);
  assert.equal(v.chars[ids[TEXT.indexOf('C')]], 'C');
});

test('fromChars round trips toJSON and rejects bad vocabularies', () => {
  const v = Vocab.fromText(TEXT);
  const w = Vocab.fromChars(JSON.parse(JSON.stringify(v)));
  assert.deepEqual(w.chars, v.chars);
  assert.deepEqual(w.encode(TEXT), v.encode(TEXT));
  assert.throws(() => Vocab.fromChars(['b', 'a']), CharRNNError);
  assert.throws(() => Vocab.fromChars(['a', 'a']), CharRNNError);
  assert.throws(() => Vocab.fromChars(['ab']), CharRNNError);
  assert.throws(() => Vocab.fromChars([]), CharRNNError);
});

test('unknown chars are listed, and encode names them in a CharRNNError', () => {
  const v = Vocab.fromText('abc');
  assert.deepEqual(v.unknownChars('abxcé😀x'), ['x', 'é', '😀']);
  assert.throws(
    () => v.encode('abé😀'),
    (e: Error) => e instanceof CharRNNError && /'é'/.test(e.message) && /😀/.test(e.message),
  );
  const many = 'defghijklmnopqrstuvwxyz';
  assert.throws(() => v.encode(many), /and 13 more/);
  assert.throws(() => v.decode([3]), CharRNNError);
});

test('a vocabulary larger than 65536 chars encodes to Uint32Array', () => {
  const cps = Array.from({ length: 70000 }, (_, i) => 0x4e00 + i);
  const v = Vocab.fromCodePoints(cps);
  const text = String.fromCodePoint(0x4e00, 0x4e00 + 69999);
  const ids = v.encode(text);
  assert.ok(ids instanceof Uint32Array);
  assert.deepEqual(Array.from(ids), [0, 69999]);
  assert.equal(v.decode(ids), text);
});
