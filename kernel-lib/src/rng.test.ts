import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng';

test('same seed gives the same stream; saved state resumes it exactly', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const first = [a.next(), a.next(), a.next()];
  assert.deepEqual(first, [b.next(), b.next(), b.next()]);
  const saved = a.state;
  const next = [a.next(), a.next()];
  const resumed = new Rng(0);
  resumed.state = saved;
  assert.deepEqual([resumed.next(), resumed.next()], next);
});

test('uniform draws stay in range and spread over it', () => {
  const r = new Rng(1);
  let lo = 1,
    hi = -1,
    sum = 0;
  for (let i = 0; i < 10000; i++) {
    const v = r.uniform(-0.08, 0.08);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    sum += v;
  }
  assert.ok(lo >= -0.08 && hi < 0.08);
  assert.ok(lo < -0.079 && hi > 0.079);
  assert.ok(Math.abs(sum / 10000) < 0.003);
});
