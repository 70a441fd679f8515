import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addInterruptChecks, CHECKS, type InterruptChecks } from './interruptible';

/** Runs compiled code with `checks` as the global the inserted calls reach. */
async function run(js: string, checks: InterruptChecks): Promise<unknown> {
  const fn = new Function(CHECKS, `return (async () => { ${js} })()`);
  return fn(checks);
}

const counting = () => {
  const calls = { loop: 0, resumed: 0, cells: new Set<number>() };
  const checks: InterruptChecks = {
    loop: (cell) => void (calls.loop++, calls.cells.add(cell)),
    resumed: (cell, value) => (calls.resumed++, calls.cells.add(cell), value),
  };
  return { calls, checks };
};

test('a check at the top of every loop body and around every await; the code computes the same, on the same lines', async () => {
  const js = [
    'let n = 0;',
    'for (let i = 0; i < 3; i++) n += await Promise.resolve(i);',
    'while (n < 10) { n++; }',
    'do n++; while (n < 12);',
    'for (const c of "ab") for (const k in { x: 1 }) n += (await Promise.resolve(c + k)).length;',
    'const f = async () => { let s = 0; for (;;) { if (++s > 2) break; } return await await Promise.resolve(s); };',
    'return [n, await f()];',
  ].join('\n');
  const out = addInterruptChecks(js, 7);
  assert.equal(out.split('\n').length, js.split('\n').length);
  const { calls, checks } = counting();
  assert.deepEqual(await run(out, checks), [16, 3]);
  assert.deepEqual(await run(js, checks), [16, 3]);
  // Loops: 3 + 7 + 2 + (2 outer + 2 inner) + 3; awaits: 3 + 2 + 2 (f's two) + 1.
  assert.deepEqual(calls, { loop: 19, resumed: 8, cells: new Set([7]) });
});

test('a throwing check stops a synchronous and an async endless loop', async () => {
  for (const js of [
    'let i = 0; while (true) { i++; }',
    'for (let i = 0; ; i++) { await new Promise((r) => setImmediate(r)); }',
  ]) {
    let left = 1000;
    const stopping: InterruptChecks = {
      loop: () => {
        if (--left === 0) throw new Error('stopped');
      },
      resumed: (_cell, value) => value,
    };
    await assert.rejects(run(addInterruptChecks(js, 1), stopping), /stopped/);
  }
});
