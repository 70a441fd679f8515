import { test } from 'node:test';
import assert from 'node:assert/strict';
import { display } from './display';
import { kernelState } from './link';

const bundle = (n: number) => ({
  data: { 'application/vnd.charrnn.test+json': { n }, 'text/plain': `test ${n}` },
  metadata: { 'application/vnd.charrnn.test+json': { v: 1 } },
});

test('display sends the full bundle with a display id, update reuses it', () => {
  const sent: [string, any][] = [];
  kernelState.link = { publish: (type, content) => void sent.push([type, content]) };
  try {
    const handle = display({ toMimeBundle: () => bundle(1) });
    handle.update(bundle(2));
    const pinned = display(bundle(3), { displayId: 'chart' });
    assert.equal(pinned.id, 'chart');
    assert.deepEqual(
      sent.map(([type]) => type),
      ['display_data', 'update_display_data', 'display_data'],
    );
    assert.deepEqual(sent[0][1].data, bundle(1).data);
    assert.deepEqual(sent[0][1].metadata, bundle(1).metadata);
    assert.equal(sent[0][1].transient.display_id, handle.id);
    assert.equal(sent[1][1].transient.display_id, handle.id);
    assert.deepEqual(sent[1][1].data, bundle(2).data);
    assert.notEqual(handle.id, pinned.id);
  } finally {
    kernelState.link = null;
  }
});

test('outside a kernel display prints text/plain once', (t) => {
  const lines: unknown[] = [];
  t.mock.method(console, 'log', (line: unknown) => void lines.push(line));
  const handle = display(bundle(1));
  handle.update(bundle(2));
  display({ data: { 'application/vnd.charrnn.x+json': {} } });
  assert.deepEqual(lines, ['test 1', '<application/vnd.charrnn.x+json>']);
});
