// README's command line section, as a user on a fresh clone runs it: `npx charrnn ...` from the repo root.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const kernelPackage = JSON.parse(fs.readFileSync(path.join(root, 'kernel-lib', 'package.json'), 'utf8'));

test('the charrnn bin is a file in git, so npm ci links it into node_modules/.bin before anything is built', (t) => {
  const git = spawnSync('git', ['ls-files', '-s', '--', `kernel-lib/${kernelPackage.bin.charrnn}`], {
    cwd: root,
    encoding: 'utf8',
  });
  if (git.status !== 0) return t.skip('not a git checkout');
  assert.match(git.stdout, /^100755 /, `kernel-lib/${kernelPackage.bin.charrnn} must be tracked (and executable)`);
});

test('npx charrnn --help works from the repo root', () => {
  // --no: never fetch a package of that name from the registry; the workspace's own bin must answer.
  const r = spawnSync('npx', ['--no', '--', 'charrnn', '--help'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^usage: charrnn <command>/);
  assert.match(r.stdout, /usage: charrnn train --input FILE/);
});

/** Splits a shell command line into words (double and single quotes, no expansions: README's lines need none). */
function words(line) {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

test('every `npx charrnn` line of README parses: a known command, its flags and values, the positionals it takes', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const lines = [...readme.matchAll(/^ {4}npx charrnn (.*?)(?:\s+#.*)?$/gm)].map((m) => m[1]);
  assert.ok(lines.length >= 4, 'README shows the command line');
  const { parseFlags } = require(path.join(root, 'kernel-lib/dist/cli/args.js'));
  for (const line of lines) {
    const [name, ...args] = words(line);
    if ([name, ...args].includes('--help')) continue; // answered by main before any parsing (the test above)
    const file = path.join(root, 'kernel-lib/dist/cli', `${name}.js`);
    assert.ok(fs.existsSync(file), `${line}: no command '${name}'`);
    const { command } = require(file);
    const parsed = parseFlags(args, command); // throws CharRNNError on an unknown flag or a bad value
    const takesOne = /^[A-Z]/.test(command.usage); // a positional first: CKPT_DIR, FILE.safetensors
    assert.equal(parsed.positionals.length, takesOne ? 1 : 0, line);
    for (const [flag, f] of Object.entries(command.flags)) {
      if (f.help.includes('(required)')) assert.ok(parsed.given.has(flag), `${line}: --${flag} is required`);
    }
  }
});

test('every pretrained model README names is in the manifest, so its lines run as shown', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'kernel-lib', 'pretrained', 'manifest.json'), 'utf8'));
  const named = [...readme.matchAll(/pretrained:([a-z0-9][a-z0-9.-]*)|pretrained\('([a-z0-9][a-z0-9.-]*)'\)/g)].map(
    (m) => m[1] ?? m[2],
  );
  assert.ok(named.length >= 4, 'README names pretrained models');
  for (const name of named) assert.ok(name in manifest.models, `README names pretrained:${name}, which is not shipped`);
});

test("README's train table names every flag charrnn train takes", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const { command } = require(path.join(root, 'kernel-lib/dist/cli/train.js'));
  for (const flag of Object.keys(command.flags))
    assert.match(readme, new RegExp(`\\| [^\\n]*\`--${flag}[ \`]`), `--${flag}`);
});

test("README's train lines are short runs that say what they cost: --max-iters and a time", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const lines = [...readme.matchAll(/^ {4}npx charrnn train .*$/gm)].map((m) => m[0]);
  assert.ok(lines.length >= 2, 'README trains and fine-tunes');
  for (const line of lines) assert.match(line, /--max-iters \d+ .*# .*\b\d+ (s|min)\b/, line);
});
