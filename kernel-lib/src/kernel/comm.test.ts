import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCommTarget, openComm, deliverCommMsg, closeComm, openComms } from './comm';
import type { Comm } from './comm';
import { kernelState } from './link';

test('a comm opened by the front end reaches its target, talks both ways and closes', () => {
  const sent: [string, any][] = [];
  kernelState.link = { publish: (type, content) => void sent.push([type, content]) };
  try {
    const got: unknown[] = [];
    let closed = 0;
    let opened: Comm | undefined;
    registerCommTarget('test.echo', (comm, data) => {
      opened = comm;
      got.push(data);
      comm.onMsg((msg) => comm.send({ echo: msg }));
      comm.onClose(() => closed++);
    });
    assert.equal(openComm('c1', 'nope', {}), false);
    assert.equal(openComm('c1', 'test.echo', { hello: 1 }), true);
    assert.deepEqual(got, [{ hello: 1 }]);
    assert.equal(opened?.id, 'c1');
    assert.deepEqual(openComms(), { c1: { target_name: 'test.echo' } });
    assert.deepEqual(openComms('other'), {});

    assert.equal(deliverCommMsg('c1', { action: 'stop' }), true);
    assert.deepEqual(sent, [['comm_msg', { comm_id: 'c1', data: { echo: { action: 'stop' } } }]]);
    assert.equal(deliverCommMsg('missing', {}), false);

    assert.equal(closeComm('c1'), true);
    assert.equal(closed, 1);
    assert.equal(closeComm('c1'), false);
    assert.deepEqual(openComms(), {});

    openComm('c2', 'test.echo', {});
    opened?.close();
    assert.equal(closed, 2);
    assert.deepEqual(sent.at(-1), ['comm_close', { comm_id: 'c2', data: {} }]);
  } finally {
    kernelState.link = null;
    kernelState.targets.delete('test.echo');
  }
});
