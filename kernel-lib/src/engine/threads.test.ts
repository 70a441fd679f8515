import test from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { defaultThreads } from './threads';

function withThreads(value: string | undefined, run: () => void) {
  const before = process.env.CHARRNN_THREADS;
  if (value === undefined) delete process.env.CHARRNN_THREADS;
  else process.env.CHARRNN_THREADS = value;
  try {
    run();
  } finally {
    if (before === undefined) delete process.env.CHARRNN_THREADS;
    else process.env.CHARRNN_THREADS = before;
  }
}

test('defaultThreads: one per core, CHARRNN_THREADS when set, a bad value one clear error', () => {
  withThreads(undefined, () => assert.equal(defaultThreads(), os.availableParallelism()));
  withThreads('3', () => assert.equal(defaultThreads(), 3));
  for (const bad of ['0', '1.5', 'two'])
    withThreads(bad, () =>
      assert.throws(defaultThreads, { name: 'CharRNNError', message: new RegExp(`CHARRNN_THREADS .* got '${bad}'`) }),
    );
});
