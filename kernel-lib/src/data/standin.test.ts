import test from 'node:test';
import assert from 'node:assert/strict';
import { Batches } from '../text/batches';
import { corpusFromText } from '../text/corpus';
import { standInCorpus } from './standin';

test('the stand-in corpus is deterministic for a seed and about the requested size', () => {
  const a = standInCorpus();
  assert.equal(a, standInCorpus());
  assert.notEqual(a, standInCorpus({ seed: 7 }));
  assert.ok(a.length >= 300_000 && a.length < 301_000);
  assert.ok(standInCorpus({ chars: 5000 }).length < 6000);
});

test('each style has the structure a char-rnn can learn', () => {
  const prose = standInCorpus({ chars: 20_000 });
  const turns = prose.trim().split('\n\n');
  for (const turn of turns) {
    const [speaker, ...lines] = turn.split('\n');
    assert.match(speaker, /^[A-Z]+:$/);
    for (const line of lines) assert.match(line, /^[A-Z][a-z ]+[.!?;]$/);
  }
  const names = standInCorpus({ style: 'names', chars: 20_000 }).trimEnd().split('\n');
  for (const n of names) assert.match(n, /^[A-Z][a-z]{2,}$/);
  assert.ok(new Set(names).size > names.length / 3, 'names vary');
  const code = standInCorpus({ style: 'code', chars: 20_000 });
  let depth = 0;
  for (const ch of code) {
    depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
    assert.ok(depth >= 0);
  }
  assert.equal(depth, 0);
  assert.equal(code.split('/*').length, code.split('*/').length);
});

test('the stand-in corpus encodes and batches like a real one', () => {
  const c = corpusFromText(standInCorpus({ chars: 50_000 }));
  assert.ok(c.vocab.size > 30 && c.vocab.size < 80);
  const b = new Batches(c.data, 10, 50);
  assert.equal(b.numBatches, Math.floor((c.data.length - 1) / 500));
});
