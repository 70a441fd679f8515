import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from './args';
import { nativeStatus } from '../engine/native/addon';

const MAIN = path.join(__dirname, 'main.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-cli-'));
const input = path.join(work, 'input.txt');
fs.writeFileSync(input, 'To be, or not to be: that is the question.\n'.repeat(60));
const SMALL = ['--rnn-size', '16', '--num-layers', '1', '--batch-size', '4', '--seq-length', '10'];

/** Runs the CLI with these environment variables on top of ours. */
function charrnnWith(vars: Record<string, string>, ...args: string[]) {
  const env = { ...process.env, CHARRNN_CACHE_DIR: path.join(work, 'cache'), ...vars };
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: work, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function charrnn(...args: string[]) {
  return charrnnWith({}, ...args);
}

/** A run folder holding a small trained checkpoint (trained on first use), for the tests that only read one. */
function trained(dir: string): string {
  if (!fs.existsSync(path.join(work, dir, 'latest'))) {
    const t = charrnn('train', '--input', input, '--checkpoint-dir', dir, ...SMALL, '--max-iters', '2');
    assert.equal(t.code, 0, t.err);
  }
  return dir;
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
  const t = charrnn(
    'train',
    '--input',
    input,
    '--checkpoint-dir',
    'cv',
    ...SMALL,
    '--max-iters',
    '6',
    '--eval-val-every',
    '3',
    '--log-json',
    log,
  );
  assert.equal(t.code, 0, t.err);
  assert.ok(fs.existsSync(path.join(work, 'cv', 'latest', 'checkpoint.json')));
  assert.ok(fs.existsSync(path.join(work, 'cv', 'best', 'checkpoint.json')));
  const records = fs
    .readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(records.length, 6);
  for (const key of ['iter', 'epoch', 'train_loss', 'lr', 'chars_per_sec', 'elapsed_s'])
    assert.ok(key in records[0], key);
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
  // The same split as one stream: every char after the first is scored, the state carried through.
  const c = charrnn('eval', 'cv', '--input', input, '--split', 'val', '--reading', 'continuous');
  assert.equal(c.code, 0, c.err);
  const cv = JSON.parse(c.out);
  assert.equal(cv.reading, 'continuous');
  assert.ok(cv.chars > ev.chars && cv.loss > 0, c.out);
  assertUserError(
    charrnn('eval', 'cv', '--input', input, '--reading', 'stream'),
    /--reading must be one of batched, continuous/,
  );

  const i = charrnn('info', 'cv');
  assert.equal(i.code, 0, i.err);
  assert.match(i.out, /1x16 lstm/);
  assert.match(i.out, /iteration 6/);
  // The engine that trained it, in its own words (its backend or GPU, its threads).
  assert.match(i.out, /\ntrained on   (native engine \(|TF\.js engine on )[^\n]*\n/);
  assert.doesNotMatch(i.out, /TF\.js backend/);

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
  assertUserError(
    charrnn('train', '--input', input, '--model', 'transformer'),
    /--model must be one of lstm, gru, rnn/,
  );
  assertUserError(charrnn('train', '--input', input, '--dropout', '1.5'), /--dropout must be < 1/);
  assertUserError(charrnn('train', '--input', input, '--learning-rate=-1'), /--learning-rate must be > 0, got -1/);
  assertUserError(charrnn('train', '--input', input, '--bogus'), /bogus/);
  assertUserError(charrnn('sample'), /missing checkpoint directory/);
  assertUserError(charrnn('sample', 'no-such-dir'), /no checkpoint found/);
  assertUserError(charrnn('eval', 'no-such-dir', '--input', input), /no checkpoint found/);
  assertUserError(charrnn('frobnicate'), /unknown command 'frobnicate'/);
  assertUserError(
    charrnn('train', '--input', input, '--checkpoint-dir', 'e5', '--log-json', 'no/such/folder/log.jsonl'),
    /--log-json .*the folder .* does not exist/,
  );
  assertUserError(
    charrnn('train', '--input', input, '--checkpoint-dir', 'e6', '--log-json', '.'),
    /--log-json \. is a folder/,
  );
});

test('an existing checkpoint is never overwritten by a new run, and a bad prime leaves it alone', () => {
  const t = charrnn('train', '--input', input, '--checkpoint-dir', 'keep', ...SMALL, '--max-iters', '2');
  assert.equal(t.code, 0, t.err);
  const before = fs.readFileSync(path.join(work, 'keep', 'latest', 'weights.bin'));
  assertUserError(
    charrnn('train', '--input', input, '--checkpoint-dir', 'keep', ...SMALL, '--max-iters', '2'),
    /already holds a checkpoint/,
  );
  assertUserError(charrnn('sample', 'keep', '--primetext', 'Zebra'), /not in the model's vocabulary: 'Z'/);
  assert.ok(before.equals(fs.readFileSync(path.join(work, 'keep', 'latest', 'weights.bin'))));
  const dropped = charrnn('sample', 'keep', '--primetext', 'Zebra', '--drop-unknown', '--length', '5');
  assert.equal(dropped.code, 0, dropped.err);
  assert.ok(dropped.out.startsWith('ebra'));
});

test('negative option values parse and get the range error, with or without =', () => {
  assertUserError(
    charrnn('train', '--input', input, '--learning-rate', '-1'),
    /^charrnn: --learning-rate must be > 0, got -1$/,
  );
  assertUserError(charrnn('train', '--input', input, '--seed', '-1'), /^charrnn: --seed must be >= 0, got -1$/);
  assertUserError(
    charrnn('train', '--input', input, '--dropout', '-0.5'),
    /^charrnn: --dropout must be >= 0, got -0.5$/,
  );
  assertUserError(charrnn('sample', 'keep', '--length', '-5'), /^charrnn: --length must be >= 0, got -5$/);
  assertUserError(charrnn('sample', 'keep', '--temperature', '-1'), /^charrnn: --temperature must be > 0, got -1$/);
  assertUserError(charrnn('sample', 'keep', '--temperature=-1'), /^charrnn: --temperature must be > 0, got -1$/);
  assertUserError(charrnn('sample', 'keep', '--temperature', '0'), /^charrnn: --temperature must be > 0, got 0$/);
  assertUserError(charrnn('ngram', '--input', input, '--order', '99'), /^charrnn: --order must be <= \d+, got 99$/);
  // A negative number is a value only after a flag that takes one.
  assertUserError(charrnn('info', 'keep', '-1'), /unexpected arguments: -1|Unknown option '-1'/);
});

test('--beam K prints the K most likely continuations, best first, the same for any seed', () => {
  const greedy = charrnn('sample', 'keep', '--argmax', '--length', '30', '--primetext', 'To');
  const one = charrnn('sample', 'keep', '--beam', '1', '--length', '30', '--primetext', 'To');
  assert.equal(one.code, 0, one.err);
  assert.equal(one.out, greedy.out, 'beam 1 is argmax');
  const three = charrnn('sample', 'keep', '--beam', '3', '--length', '30', '--primetext', 'To', '--seed', '5');
  assert.equal(three.code, 0, three.err);
  const texts = three.out.replace(/\n$/, '').split('\n\n');
  assert.equal(texts.length, 3, three.out);
  assert.equal(new Set(texts).size, 3);
  for (const t of texts) assert.ok(t.startsWith('To') && [...t].length === 32, t);
  assert.equal(
    charrnn('sample', 'keep', '--beam', '3', '--length', '30', '--primetext', 'To', '--seed', '6').out,
    three.out,
  );
  assertUserError(
    charrnn('sample', 'keep', '--beam', '3', '--count', '2'),
    /^charrnn: --beam K prints the K most likely texts: leave out --count$/,
  );
  assertUserError(
    charrnn('sample', 'keep', '--beam', '2', '--argmax'),
    /beam search ranks texts by log-probability at a temperature above 0, got argmax/,
  );
  assertUserError(charrnn('sample', 'keep', '--beam', '-1'), /^charrnn: --beam must be >= 0, got -1$/);
});

test("every command's --help lists each flag of the table that parses it, with its default", async () => {
  const commands: Record<string, { command: Command }> = {
    train: await import('./train'),
    sample: await import('./sample'),
    eval: await import('./eval'),
    info: await import('./info'),
    ngram: await import('./ngram'),
    inspect: await import('./inspect'),
  };
  const all = charrnn('--help');
  assert.equal(all.code, 0, all.err);
  for (const [name, { command }] of Object.entries(commands)) {
    const h = charrnn(name, '--help');
    assert.equal(h.code, 0, h.err);
    assert.equal(h.err, '');
    assert.ok(all.out.includes(h.out), `charrnn --help holds charrnn ${name} --help`);
    const listed = [...h.out.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]);
    assert.deepEqual(listed, Object.keys(command.flags), name);
    for (const [flag, f] of Object.entries(command.flags)) {
      const line = h.out.split('\n').find((l) => l.startsWith(`  --${flag} `) || l === `  --${flag}`)!;
      assert.ok(line.includes(f.help), `${name} --${flag}: ${line}`);
      const dflt = f.type === 'boolean' ? undefined : f.default;
      if (dflt !== undefined && dflt !== '') assert.ok(line.includes(`${dflt})`), `${name} --${flag} default: ${line}`);
    }
  }
  // The flags the old hand-written usage lacked.
  assert.match(charrnn('train', '--help').out, /--engine auto\|native\|tfjs\|webgpu .*CHARRNN_ENGINE/);
  assert.match(charrnn('train', '--help').out, /--sample-every N/);
});

test('--init-from takes the original command line again; only model flags that conflict are refused, naming both values', () => {
  const first = [
    'train',
    '--input',
    input,
    '--checkpoint-dir',
    'again',
    ...SMALL,
    '--model',
    'gru',
    '--dropout',
    '0.1',
  ];
  const t = charrnn(...first, '--max-iters', '2');
  assert.equal(t.code, 0, t.err);
  const resumed = charrnn(...first, '--max-iters', '4', '--init-from', 'again');
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(charrnn('info', 'again').out, /iteration 4/);
  assertUserError(
    charrnn(
      'train',
      '--input',
      input,
      '--init-from',
      'again',
      '--rnn-size',
      '32',
      '--model',
      'gru',
      '--num-layers',
      '1',
    ),
    /--rnn-size 32 \(the checkpoint has 16\)$/,
  );
  assertUserError(
    charrnn('train', '--input', input, '--init-from', 'again', '--model', 'lstm'),
    /--model lstm \(the checkpoint has gru\)$/,
  );
});

test('a reader that goes away (sample | head -c 10) ends sampling quietly with exit 0', async () => {
  const child = spawn(process.execPath, [MAIN, 'sample', trained('small'), '--length', '100000000'], { cwd: work });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  let got = 0;
  child.stdout.on('data', (d: Buffer) => {
    got += d.length;
    if (got >= 10) child.stdout.destroy(); // what head -c 10 does once it has its 10 bytes
  });
  // 10^8 chars take hours: it must stop drawing when the reader goes.
  const timer = setTimeout(() => child.kill(), 60_000);
  const [code] = await once(child, 'close');
  clearTimeout(timer);
  assert.equal(err, '');
  assert.equal(code, 0);
});

test('--sample-every N prints samples on stderr and puts them in --log-json', () => {
  const log = path.join(work, 'sampled.jsonl');
  const t = charrnn(
    'train',
    '--input',
    input,
    '--checkpoint-dir',
    'sampled',
    ...SMALL,
    '--max-iters',
    '4',
    '--sample-every',
    '2',
    '--log-json',
    log,
  );
  assert.equal(t.code, 0, t.err);
  const shown = [...t.err.matchAll(/--- sample at iteration (\d+) \(temperature 1\) ---\n([^]*?)\n---\n/g)];
  assert.deepEqual(
    shown.map((m) => Number(m[1])),
    [2, 4],
  );
  const records = fs
    .readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    records.map((r) => r.iter),
    [1, 2, 3, 4],
  );
  assert.deepEqual(
    records.filter((r) => 'sample' in r).map((r) => r.iter),
    [2, 4],
  );
  assert.equal(records[1].sample, shown[0][2]);
  assert.equal([...records[1].sample].length, 200);
});

for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  test(`${signal} during training saves latest at the iteration it stopped at, exits 128 + signal, and the run resumes`, async () => {
    const dir = `signal-${signal}`;
    const log = path.join(work, `${dir}.jsonl`);
    const child = spawn(
      process.execPath,
      [MAIN, 'train', '--input', input, '--checkpoint-dir', dir, ...SMALL, '--max-iters', '100000', '--log-json', log],
      { cwd: work },
    );
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    while (!(fs.existsSync(log) && fs.readFileSync(log, 'utf8').split('\n').length > 5))
      await new Promise((r) => setTimeout(r, 100));
    child.kill(signal);
    const [code] = await once(child, 'close');
    assert.equal(code, 128 + os.constants.signals[signal], err);
    const stopped = Number(/training interrupted at iteration (\d+)/.exec(err)?.[1]);
    assert.ok(stopped >= 5, err);
    assert.match(charrnn('info', dir).out, new RegExp(`iteration ${stopped},`));
    const resumed = charrnn('train', '--input', input, '--init-from', dir, '--max-iters', String(stopped + 2));
    assert.equal(resumed.code, 0, resumed.err);
    assert.match(charrnn('info', dir).out, new RegExp(`iteration ${stopped + 2},`));
  });
}

test('CHARRNN_BACKEND and CHARRNN_ENGINE choose where no flag does, in every command: flag > variable > auto', () => {
  const ckpt = trained('small');
  fs.writeFileSync(path.join(work, 'probe.txt'), 'To be');
  const bogus = { CHARRNN_BACKEND: 'bogus' };
  const wrong = /^charrnn: CHARRNN_BACKEND must be one of auto, wasm, cpu, tensorflow, got 'bogus'$/;
  assertUserError(charrnnWith(bogus, 'sample', ckpt, '--length', '5'), wrong);
  assertUserError(charrnnWith(bogus, 'eval', ckpt, '--input', input), wrong);
  assertUserError(charrnnWith(bogus, 'inspect', ckpt, '--text-file', 'probe.txt'), wrong);
  assertUserError(charrnnWith(bogus, 'train', '--input', input, '--checkpoint-dir', 'env0'), wrong);
  assert.equal(charrnnWith(bogus, 'sample', ckpt, '--length', '5', '--backend', 'cpu').code, 0);

  const train = (vars: Record<string, string>, dir: string, ...flags: string[]) => {
    const t = charrnnWith(
      vars,
      'train',
      '--input',
      input,
      '--checkpoint-dir',
      dir,
      ...SMALL,
      '--max-iters',
      '1',
      ...flags,
    );
    assert.equal(t.code, 0, t.err);
    return t.err.split('\n').find((l) => l.startsWith('charrnn: '))!; // after TF.js's banner on cpu
  };
  assert.match(train({ CHARRNN_BACKEND: 'cpu' }, 'env1', '--engine', 'tfjs'), /TF\.js engine on cpu/);
  assert.match(
    train({ CHARRNN_BACKEND: 'cpu' }, 'env2', '--engine', 'tfjs', '--backend', 'wasm'),
    /TF\.js engine on wasm/,
  );
  assert.match(train({ CHARRNN_ENGINE: 'tfjs' }, 'env3'), /TF\.js engine/);
  if (nativeStatus().available)
    assert.match(train({ CHARRNN_ENGINE: 'tfjs' }, 'env4', '--engine', 'native'), /native engine/);
  else
    assertUserError(
      charrnnWith({ CHARRNN_ENGINE: 'native' }, 'train', '--input', input, '--checkpoint-dir', 'env4'),
      new RegExp(nativeStatus().detail.slice(0, 20)),
    );
  assertUserError(
    charrnnWith({ CHARRNN_ENGINE: 'gpu' }, 'train', '--input', input, '--checkpoint-dir', 'env5'),
    /CHARRNN_ENGINE must be one of auto, native, tfjs/,
  );
});

test('damaged checkpoints and unusable folders get one plain line; a crash mid-save is recovered, saying so', () => {
  const from = path.join(work, trained('intact'), 'latest');
  /** A copy of the intact checkpoint with `damage` done to it. */
  const copy = (name: string, damage: (dir: string) => void) => {
    fs.cpSync(from, path.join(work, name), { recursive: true });
    damage(path.join(work, name));
    return name;
  };
  const edit = (file: string, change: (text: string) => string) =>
    fs.writeFileSync(file, change(fs.readFileSync(file, 'utf8')));
  assertUserError(
    charrnn(
      'sample',
      copy('no-weights', (d) => fs.rmSync(path.join(d, 'weights.bin'))),
    ),
    /no-weights\/weights\.bin is missing$/,
  );
  const noTrainState = copy('no-train-state', (d) => fs.rmSync(path.join(d, 'train-state.bin')));
  assertUserError(
    charrnn('train', '--input', input, ...SMALL, '--init-from', noTrainState),
    /no-train-state\/train-state\.bin is missing$/,
  );
  const noState = copy('no-state', (d) =>
    edit(path.join(d, 'checkpoint.json'), (t) => JSON.stringify({ ...JSON.parse(t), state: undefined })),
  );
  assertUserError(
    charrnn('train', '--input', input, ...SMALL, '--init-from', noState),
    /no-state holds no training state, so it cannot be resumed/,
  );
  assertUserError(
    charrnn(
      'info',
      copy('null', (d) => fs.writeFileSync(path.join(d, 'checkpoint.json'), 'null')),
    ),
    /not a charrnn checkpoint/,
  );
  assertUserError(
    charrnn('sample', 'input.txt'),
    /input\.txt is a file; a checkpoint is a folder holding checkpoint\.json$/,
  );
  const int32 = copy('int32', (d) => edit(path.join(d, 'model.json'), (t) => t.replaceAll('"float32"', '"int32"')));
  assertUserError(charrnn('sample', int32), /weight .* is stored as int32; charrnn checkpoints hold float32/);
  assertUserError(
    charrnn('train', '--input', input, ...SMALL, '--checkpoint-dir', 'input.txt'),
    /the checkpoint folder input\.txt is a file/,
  );
  assertUserError(
    charrnn('train', '--input', input, ...SMALL, '--checkpoint-dir', 'input.txt/cv'),
    /cannot write checkpoints in input\.txt\/cv: not a directory/,
  );

  // A crash between the two renames of a save: latest/ is gone, a complete copy lies beside it.
  fs.renameSync(path.join(work, trained('crashed'), 'latest'), path.join(work, 'crashed', 'latest.old-4242'));
  const s = charrnn('sample', 'crashed', '--length', '5');
  assert.equal(s.code, 0, s.err);
  assert.equal(
    s.err,
    `charrnn: ${path.join('crashed', 'latest')} was left half-saved by a crash; using ${path.join('crashed', 'latest.old-4242')}, the newest complete copy (iteration 2)\n`,
  );
});

test('a run that cannot fit is refused before allocating, with its estimate and the option to change', () => {
  // 100,000 distinct code points with the default options: the wasm backend's 4 GB heap cannot hold it.
  const wide = Array.from({ length: 100_000 }, (_, i) => String.fromCodePoint(0x20000 + i)).join('');
  fs.writeFileSync(path.join(work, 'wide.txt'), wide + wide);
  assertUserError(
    charrnn('train', '--input', 'wide.txt', '--checkpoint-dir', 'wide', '--backend', 'wasm'),
    /needs about \d+\.\d GB per thread on the wasm backend, whose memory stops at 4\.0 GB \(the output layer, 2,500 chars per batch x 100,000 in the vocabulary: \d+\.\d GB\): lower --batch-size or --seq-length/,
  );
  // Where memory is not capped by the backend, by what the machine (here: CHARRNN_MAX_MEMORY) has.
  assertUserError(
    charrnnWith(
      { CHARRNN_MAX_MEMORY: '2G' },
      'train',
      '--input',
      'wide.txt',
      '--checkpoint-dir',
      'wide',
      '--backend',
      'cpu',
    ),
    /needs about \d+\.\d GB of memory \(the output layer, .*\), more than CHARRNN_MAX_MEMORY \(2\.0 GB\): lower --batch-size or --seq-length$/,
  );
  assertUserError(
    charrnn('train', '--input', input, '--checkpoint-dir', 't1000', '--engine', 'tfjs', '--threads', '1000'),
    /threads must be at most batchSize .*got threads 1000 with batchSize 50/,
  );
  assertUserError(
    charrnnWith(
      { CHARRNN_MAX_MEMORY: '16G' },
      'train',
      '--input',
      input,
      '--checkpoint-dir',
      't1000',
      '--engine',
      'tfjs',
      '--threads',
      '1000',
      '--batch-size',
      '1000',
      '--seq-length',
      '2',
    ),
    /needs about \d+\.\d GB of memory \(999 worker threads: .*\), more than CHARRNN_MAX_MEMORY \(16\.0 GB\): lower --threads$/,
  );
  assert.ok(!fs.existsSync(path.join(work, 'wide', 'latest')) && !fs.existsSync(path.join(work, 't1000', 'latest')));
});

test('eval takes --engine like train and sample: auto and tfjs score alike; an unknown engine is one clear line', () => {
  const dir = trained('cv-eval-engine');
  const loss = (engine: string) => {
    const r = charrnn('eval', dir, '--input', input, '--split', 'val', '--engine', engine);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out).loss as number;
  };
  assert.ok(Math.abs(loss('auto') - loss('tfjs')) < 1e-4);
  assertUserError(charrnn('eval', dir, '--input', input, '--engine', 'fast'), /engine/);
});

test('export and import through safetensors: a round trip, and bad files or flags as one line each', () => {
  const run = trained('run-interop');
  const file = path.join(work, 'model.safetensors');
  const ex = charrnn('export', run, '--out', file);
  assert.equal(ex.code, 0, ex.err);
  assert.match(ex.out, /model\.safetensors: 1-layer lstm \(hidden 16, \d+ characters\) as float32, [\d.]+ MB/);
  const im = charrnn('import', file, '--out', path.join(work, 'imported'));
  assert.equal(im.code, 0, im.err);
  const sampled = (dir: string) => charrnn('sample', dir, '--length', '40', '--seed', '3').out;
  assert.equal(sampled(path.join(work, 'imported')), sampled(run));

  const bytes = fs.readFileSync(file);
  const bad = (name: string, data: Uint8Array) => (fs.writeFileSync(path.join(work, name), data), name);
  assertUserError(
    charrnn('import', bad('cut.safetensors', bytes.subarray(0, bytes.length - 3)), '--out', 'x1'),
    /cut\.safetensors is not a usable safetensors file: .*but the data holds/,
  );
  assertUserError(charrnn('import', 'missing.safetensors', '--out', 'x2'), /cannot read missing\.safetensors/);
  fs.writeFileSync(path.join(work, 'vocab.json'), JSON.stringify(['a', 'b']));
  assertUserError(
    charrnn('import', file, '--out', 'x3', '--vocab', 'vocab.json'),
    /the vocabulary has 2 characters, but decoder\.weight has \d+ rows/,
  );
  assertUserError(charrnn('import', file, '--out', run), /already exists and is not an empty folder/);
  assertUserError(
    charrnn('import', file, '--out', 'x4', '--cell', 'gru'),
    /rnn\.weight_ih_l0 is \[64,\d+\], expected \[48,\d+\]/,
  );
  assertUserError(charrnn('export', run), /export needs --out FILE/);
  assert.ok(!fs.existsSync(path.join(work, 'x1')) && !fs.existsSync(path.join(work, 'x3')), 'nothing written');
});
