import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const MAIN = path.join(__dirname, 'main.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-cli-'));
const input = path.join(work, 'input.txt');
fs.writeFileSync(input, 'To be, or not to be: that is the question.\n'.repeat(60));
const SMALL = ['--rnn-size', '16', '--num-layers', '1', '--batch-size', '4', '--seq-length', '10'];

function charrnn(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, CHARRNN_CACHE_DIR: path.join(work, 'cache') } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A user error: exit code 1 and exactly one line on stderr, starting with "charrnn:" — no stack trace. */
function assertUserError(r: ReturnType<typeof charrnn>, pattern: RegExp): void {
  assert.equal(r.code, 1, r.err);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, r.err);
  assert.match(lines[0], /^charrnn: /);
  assert.match(lines[0], pattern);
}

test('train, then sample, eval and info on the checkpoint', () => {
  const log = path.join(work, 'log.jsonl');
  const t = charrnn('train', '--input', input, '--checkpoint-dir', 'cv', ...SMALL, '--max-iters', '6', '--eval-val-every', '3', '--log-json', log);
  assert.equal(t.code, 0, t.err);
  assert.ok(fs.existsSync(path.join(work, 'cv', 'latest', 'checkpoint.json')));
  assert.ok(fs.existsSync(path.join(work, 'cv', 'best', 'checkpoint.json')));
  const records = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(records.length, 6);
  for (const key of ['iter', 'epoch', 'train_loss', 'lr', 'chars_per_sec', 'elapsed_s']) assert.ok(key in records[0], key);
  assert.ok('val_loss' in records[2] && records[2].val_loss > 0);

  const s1 = charrnn('sample', 'cv', '--length', '50', '--seed', '3', '--primetext', 'To be');
  const s2 = charrnn('sample', 'cv/latest', '--length', '50', '--seed', '3', '--primetext', 'To be');
  assert.equal(s1.code, 0, s1.err);
  assert.equal(s1.out, s2.out);
  assert.ok(s1.out.startsWith('To be'));
  assert.equal([...s1.out.trimEnd()].length >= 50, true);

  const e = charrnn('eval', 'cv', '--input', input, '--split', 'val');
  assert.equal(e.code, 0, e.err);
  const ev = JSON.parse(e.out);
  assert.ok(ev.loss > 0 && Math.abs(ev.bpc - ev.loss / Math.LN2) < 1e-9 && ev.chars > 0);

  const i = charrnn('info', 'cv');
  assert.equal(i.code, 0, i.err);
  assert.match(i.out, /1x16 lstm/);
  assert.match(i.out, /iteration 6/);

  const resumed = charrnn('train', '--input', input, '--init-from', 'cv', '--max-iters', '9');
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(charrnn('info', 'cv').out, /iteration 9/);
});

test('bad input gets one clear line and a non-zero exit, never a stack trace', () => {
  fs.writeFileSync(path.join(work, 'empty.txt'), '');
  fs.writeFileSync(path.join(work, 'tiny.txt'), 'abc');
  fs.writeFileSync(path.join(work, 'binary.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2, 3]));
  fs.writeFileSync(path.join(work, 'latin1.txt'), Buffer.from('caf\xe9 au lait\n'.repeat(50), 'latin1'));
  assertUserError(charrnn('train'), /missing --input/);
  assertUserError(charrnn('train', '--input', 'nope.txt'), /not found: nope\.txt/);
  assertUserError(charrnn('train', '--input', 'empty.txt', '--checkpoint-dir', 'e1'), /empty/);
  assertUserError(charrnn('train', '--input', 'tiny.txt', '--checkpoint-dir', 'e2'), /too small for one batch/);
  assertUserError(charrnn('train', '--input', 'binary.bin', '--checkpoint-dir', 'e3'), /binary|UTF-8/);
  assertUserError(charrnn('train', '--input', 'latin1.txt', '--checkpoint-dir', 'e4'), /UTF-8/);
  assertUserError(charrnn('train', '--input', input, '--rnn-size', 'big'), /--rnn-size must be a whole number/);
  assertUserError(charrnn('train', '--input', input, '--model', 'transformer'), /--model must be one of lstm, gru, rnn/);
  assertUserError(charrnn('train', '--input', input, '--dropout', '1.5'), /--dropout must be < 1/);
  assertUserError(charrnn('train', '--input', input, '--learning-rate=-1'), /learningRate must be > 0/);
  assertUserError(charrnn('train', '--input', input, '--bogus'), /bogus/);
  assertUserError(charrnn('sample'), /missing checkpoint directory/);
  assertUserError(charrnn('sample', 'no-such-dir'), /no checkpoint found/);
  assertUserError(charrnn('eval', 'no-such-dir', '--input', input), /no checkpoint found/);
  assertUserError(charrnn('frobnicate'), /unknown command 'frobnicate'/);
});

test('an existing checkpoint is never overwritten by a new run, and a bad prime leaves it alone', () => {
  const t = charrnn('train', '--input', input, '--checkpoint-dir', 'keep', ...SMALL, '--max-iters', '2');
  assert.equal(t.code, 0, t.err);
  const before = fs.readFileSync(path.join(work, 'keep', 'latest', 'weights.bin'));
  assertUserError(charrnn('train', '--input', input, '--checkpoint-dir', 'keep', ...SMALL, '--max-iters', '2'), /already holds a checkpoint/);
  assertUserError(charrnn('sample', 'keep', '--primetext', 'Zebra'), /not in the model's vocabulary: 'Z'/);
  assert.ok(before.equals(fs.readFileSync(path.join(work, 'keep', 'latest', 'weights.bin'))));
  const dropped = charrnn('sample', 'keep', '--primetext', 'Zebra', '--drop-unknown', '--length', '5');
  assert.equal(dropped.code, 0, dropped.err);
  assert.ok(dropped.out.startsWith('ebra'));
});
