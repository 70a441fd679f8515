import test from 'node:test';
import assert from 'node:assert/strict';
import { trainOptions } from './options';

/** Runs `f` with CHARRNN_ENGINE set to `value` (or unset), restoring it after. */
function withEngineEnv<T>(value: string | undefined, f: () => T): T {
  const saved = process.env.CHARRNN_ENGINE;
  if (value === undefined) delete process.env.CHARRNN_ENGINE;
  else process.env.CHARRNN_ENGINE = value;
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env.CHARRNN_ENGINE;
    else process.env.CHARRNN_ENGINE = saved;
  }
}

test('the engine: the option, else CHARRNN_ENGINE, else auto', () => {
  assert.equal(
    withEngineEnv(undefined, () => trainOptions().engine),
    'auto',
  );
  assert.equal(
    withEngineEnv('tfjs', () => trainOptions().engine),
    'tfjs',
  );
  assert.equal(
    withEngineEnv('tfjs', () => trainOptions({ engine: undefined }).engine),
    'tfjs',
  );
  assert.equal(
    withEngineEnv('tfjs', () => trainOptions({ engine: 'native' }).engine),
    'native',
  );
  assert.throws(
    () => withEngineEnv('gpu', () => trainOptions()),
    /CHARRNN_ENGINE must be one of auto, native, tfjs, webgpu, got 'gpu'/,
  );
});
