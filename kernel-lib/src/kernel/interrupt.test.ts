import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interruptRequested, requestInterrupt, clearInterrupt } from './interrupt';

test('the interrupt flag is raised and lowered', () => {
  clearInterrupt();
  assert.equal(interruptRequested(), false);
  requestInterrupt();
  assert.equal(interruptRequested(), true);
  clearInterrupt();
  assert.equal(interruptRequested(), false);
});
