import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng';
import { sampleNovelty } from './novelty';

test('novel lines are the generated lines that are not lines of the training text', () => {
  const n = sampleNovelty('anna\nbobby\n\nxyz\nanna\n', 'anna\nbob\ncarl\n', { k: [] });
  assert.deepEqual([n.lines.total, n.lines.novel], [4, 2]);
  assert.equal(n.lines.fraction, 0.5);
  assert.deepEqual(n.examples, ['bobby', 'xyz']);
});

test('novel k-substrings match a brute-force search, counting code points', () => {
  const rng = new Rng(9);
  const alphabet = ['a', 'b', 'c', '😀', '\n'];
  const text = (n: number) =>
    Array.from({ length: n }, () => alphabet[Math.floor(rng.next() * alphabet.length)]).join('');
  const training = text(3000);
  const sample = text(400);
  const n = sampleNovelty(sample, training, { k: [2, 6, 9] });
  const chars = Array.from(sample);
  for (const s of n.substrings) {
    let novel = 0;
    for (let i = 0; i + s.k <= chars.length; i++) if (!training.includes(chars.slice(i, i + s.k).join(''))) novel++;
    assert.deepEqual([s.total, s.novel], [chars.length - s.k + 1, novel], `k=${s.k}`);
  }
  assert.ok(n.substrings[0].novel === 0 && n.substrings[2].novel > 0);
  assert.match(String(n.toMimeBundle().data['text/plain']), /9-char substrings/);
});
