import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, makeMessage } from './wire';

test('signed messages round-trip; a wrong, short or missing signature is rejected in one line', () => {
  const key = 'secret';
  const frames = encode(makeMessage('kernel_info_request', { a: 1 }), key);
  assert.deepEqual(decode(frames, key).content, { a: 1 });
  const at = frames.findIndex((f) => f.toString() === '<IDS|MSG>') + 1;
  const forged = (signature: string) => frames.map((f, i) => (i === at ? Buffer.from(signature) : f));
  const good = frames[at].toString();
  for (const signature of [good.slice(0, -1) + (good.endsWith('0') ? '1' : '0'), good.slice(1), good + '0', '']) {
    assert.throws(() => decode(forged(signature), key), /^Error: message with a bad signature$/);
  }
  assert.throws(() => decode(frames, 'other key'), /bad signature/);
  // Without a key (Jupyter's "no authentication"), signatures are not checked.
  assert.deepEqual(decode(encode(makeMessage('x', {}), ''), '').content, {});
});
