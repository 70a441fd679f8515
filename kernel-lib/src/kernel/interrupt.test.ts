import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  interruptRequested,
  requestInterrupt,
  clearInterrupt,
  interruptChecks,
  abandonCell,
  claimInterrupt,
  PAIR_MS,
} from './interrupt';

test('the interrupt flag is raised and lowered', () => {
  clearInterrupt();
  assert.equal(interruptRequested(), false);
  requestInterrupt();
  assert.equal(interruptRequested(), true);
  clearInterrupt();
  assert.equal(interruptRequested(), false);
});

test("a cell's checks: loops stop on interrupt, awaits too unless a library loop is stopping cleanly; an abandoned cell stops for good", () => {
  clearInterrupt();
  const { loop, resumed } = interruptChecks;
  loop(1);
  assert.equal(resumed(1, 'value'), 'value');
  requestInterrupt();
  assert.throws(() => loop(1), { name: 'KeyboardInterrupt', message: 'interrupted' });
  assert.throws(() => resumed(1, 'value'), { name: 'KeyboardInterrupt' });
  assert.equal(interruptRequested(), true); // a library loop saw it: it saves and returns its result
  assert.equal(resumed(1, 'result'), 'result');
  assert.throws(() => loop(1), { name: 'KeyboardInterrupt' });
  clearInterrupt();
  abandonCell(2);
  assert.throws(() => resumed(2, 'late'), { name: 'KeyboardInterrupt' });
  assert.throws(() => loop(2), { name: 'KeyboardInterrupt' });
  loop(3);
});

test("one interrupt's two deliveries count once, in either order, even when the twin comes late; new ones always count", () => {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const t = 1_700_000_000_000;
  // The listener, then the watcher's twin late, after the next cell started (the CI failure of 2026-12-03).
  assert.equal(claimInterrupt(shared, 'listener', t), true);
  assert.equal(claimInterrupt(shared, 'watcher', t + 900), false);
  // A new interrupt soon after: it counts, and so does its twin pairing with it, in the other order.
  assert.equal(claimInterrupt(shared, 'watcher', t + 1000), true);
  assert.equal(claimInterrupt(shared, 'listener', t + 1010), false);
  // Interrupts to the process alone (no watcher) count every time, however close.
  assert.equal(claimInterrupt(shared, 'listener', t + 1100), true);
  assert.equal(claimInterrupt(shared, 'listener', t + 1200), true);
  // A delivery from the other source long after is a new interrupt, not a twin; across the stamp's wrap too.
  assert.equal(claimInterrupt(shared, 'watcher', t + 1200 + PAIR_MS), true);
  const wrap = 2 ** 29 * Math.ceil(t / 2 ** 29);
  assert.equal(claimInterrupt(shared, 'listener', wrap - 10), true);
  assert.equal(claimInterrupt(shared, 'watcher', wrap + 10), false);
});
