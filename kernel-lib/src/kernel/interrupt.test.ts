import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interruptRequested, requestInterrupt, clearInterrupt, interruptChecks, abandonCell } from './interrupt';

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
