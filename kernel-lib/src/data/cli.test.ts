import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.join(__dirname, 'cli.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-datasets-cli-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

test('list prints one line per corpus and where the data and mirror are', () => {
  const r = run(['list', '--data-dir', tmp, '--mirror', tmp]);
  assert.equal(r.status, 0);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 10);
  assert.match(lines[0], /^tinyshakespeare +1\.12 MB +download +MIT/);
  assert.match(lines[8], /^linux .*apt: linux-source-6\.1/);
  assert.equal(lines[9], `data dir: ${tmp}; mirror: ${tmp}`);
});

test('fetch errors (checksum, unknown name, usage, bad option) are one line on stderr with exit code 1', () => {
  const mirror = path.join(tmp, 'mirror');
  fs.mkdirSync(path.join(mirror, 'names'), { recursive: true });
  fs.writeFileSync(path.join(mirror, 'names', 'input.txt'), 'Not\nthe\nnames\n');
  const cases = [
    [['fetch', 'names', '--mirror', mirror, '--data-dir', tmp], /^error: checksum mismatch for .*names\/input\.txt/],
    [['fetch', 'nope', '--data-dir', tmp], /^error: unknown dataset 'nope'/],
    [['fetch'], /^error: usage: datasets list/],
    [['fetch', 'names', '--bogus'], /^error: Unknown option '--bogus'/],
  ] as const;
  for (const [args, pattern] of cases) {
    const r = run([...args], { CHARRNN_DATASETS_MIRROR: mirror });
    assert.equal(r.status, 1, args.join(' '));
    assert.equal(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:')).length,
      1,
    );
    assert.match(r.stderr.trim().split('\n').pop()!, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});
