import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const MAIN = path.join(__dirname, 'main.js');

test('charrnn ngram prints val and test losses as JSON; a periodic text costs almost nothing at a high order', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-ngram-'));
  try {
    const file = path.join(tmp, 'periodic.txt');
    fs.writeFileSync(file, 'the cat sat, the rat ran.\n'.repeat(400));
    const run = (order: number) =>
      JSON.parse(
        execFileSync(
          'node',
          [MAIN, 'ngram', '--input', file, '--order', String(order), '--train-frac', '0.8', '--val-frac', '0.1'],
          { encoding: 'utf8' },
        ),
      );
    const high = run(8);
    assert.equal(high.order, 8);
    assert.equal(high.trainChars, 8320);
    assert.deepEqual([high.val.chars, high.test.chars], [1040, 1040]);
    assert.ok(high.test.nats < 0.01 && high.val.nats < 0.01, JSON.stringify(high));
    assert.ok(Math.abs(high.test.bpc - high.test.nats / Math.LN2) < 1e-3);
    const unigram = run(1);
    assert.ok(unigram.test.nats > 2, JSON.stringify(unigram));
    const bad = spawnSync('node', [MAIN, 'ngram', '--input', file, '--order', '0'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^charrnn: --order must be >= 1, got 0\n$/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
