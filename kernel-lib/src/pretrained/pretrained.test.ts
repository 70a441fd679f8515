import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { defaultDataDir, defaultMirror } from '../data/datasets';
import { standInCorpus } from '../data/standin';
import { rounded } from '../display/rounded';
import { forward } from '../engine/tfjs/forward';
import { disposeState } from '../model/charrnn';
import { loadCorpus, sha256File, splitCorpus } from '../text/corpus';
import { loadCheckpoint, readCheckpointMeta, saveCheckpoint } from '../train/checkpoint';
import { evaluate } from '../train/evaluate';
import { trainOptions } from '../train/options';
import { toFloat16 } from '../train/float16';
import { manifestEntry, pack, rescore, writeManifestEntry, type PackOptions } from './pack';
import {
  PRETRAINED_BUDGET_BYTES,
  STORED_TOLERANCE,
  cardLines,
  fileSha256,
  pretrained,
  readCard,
  readManifest,
  resolveCheckpoint,
} from './pretrained';

// A tiny model trained here by the CLI (as the maintainer trains a real one), packed into a temporary models folder.
const KERNEL_LIB = path.resolve(__dirname, '..', '..');
const MAIN = path.join(__dirname, '..', 'cli', 'main.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-pretrained-'));
const input = path.join(work, 'input.txt');
fs.writeFileSync(input, standInCorpus({ style: 'prose', chars: 6000 }));
const env = { ...process.env, CHARRNN_CACHE_DIR: path.join(work, 'cache') };

function run(main: string, args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: work, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const trained = run(MAIN, [
  'train',
  '--input',
  input,
  '--checkpoint-dir',
  'run',
  '--rnn-size',
  '16',
  '--num-layers',
  '2',
  '--batch-size',
  '4',
  '--seq-length',
  '10',
  '--max-iters',
  '30',
  '--eval-val-every',
  '10',
  '--log-json',
  path.join(work, 'log.jsonl'),
]);
const root = path.join(work, 'models');
const packed = (async () => {
  assert.equal(trained.code, 0, trained.err);
  await initBackend('cpu');
  return pack({
    name: 'tiny',
    checkpoint: path.join(work, 'run', 'best'),
    corpus: input,
    log: path.join(work, 'log.jsonl'),
    root,
  });
})();

// The packing starts at load: even when a name pattern skips every test, it must end before its folder goes.
test.after(async () => {
  await packed.catch(() => undefined);
  fs.rmSync(work, { recursive: true, force: true });
});

test('pack stores float16 weights, a card with losses of both forms, samples and the curve, and the manifest', async () => {
  const card = await packed;
  const dir = path.join(root, 'tiny');
  assert.deepEqual(fs.readdirSync(dir).sort(), [
    'README.md',
    'card.json',
    'checkpoint.json',
    'model.json',
    'weights.bin',
  ]);
  assert.equal(card.storage.dtype, 'float16');
  assert.equal(card.storage.bytes, card.architecture.parameters * 2);
  assert.equal(fs.statSync(path.join(dir, 'weights.bin')).size, card.storage.bytes);
  assert.equal(card.corpus.sha256, await sha256File(input));
  assert.deepEqual([card.split.train, card.split.val, card.split.test], [0.9, 0.05, 0.05]);
  for (const s of ['val', 'test'] as const) {
    assert.ok(Math.abs(card.loss[s] - card.loss.fullPrecision[s]) <= STORED_TOLERANCE * card.loss.fullPrecision[s], s);
  }
  // The full-precision figures are those of the checkpoint it came from, on the same split.
  const src = loadCheckpoint(path.join(work, 'run', 'best'));
  const o = trainOptions(src.meta.training as object);
  const splits = splitCorpus((await loadCorpus(input, { vocab: src.vocab })).data, o.trainFrac, o.valFrac);
  assert.equal(
    card.loss.fullPrecision.val,
    evaluate(src.model, splits.val, { batchSize: o.batchSize, seqLength: o.seqLength }).loss,
  );
  assert.equal(card.iterations, src.meta.state!.iter);
  src.model.dispose();
  assert.deepEqual(
    card.samples.map((s) => s.temperature),
    [0.5, 0.8, 1],
  );
  assert.ok(card.samples.every((s) => [...s.text].length === 500));
  assert.equal(card.run.iterations, 30);
  assert.deepEqual(
    card.curve.val.map(([iter]) => iter),
    [10, 20, 30],
  );
  assert.ok(card.curve.train.length === 30 && card.run.wallTimeS >= 0);
  const manifest = readManifest(root);
  assert.deepEqual(Object.keys(manifest.models.tiny.files).sort(), [
    'README.md',
    'card.json',
    'checkpoint.json',
    'model.json',
    'weights.bin',
  ]);
  assert.match(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), /^# pretrained:tiny\n[\s\S]*Temperature 0\.5/);
});

test('pack --rescore adds the one-stream losses an older card lacks; the weights stay; another text is refused', async () => {
  const card = await packed;
  const dir = path.join(root, 'tiny');
  // pack measures them: each split read as one stream, the state carried through.
  const src = loadCheckpoint(dir);
  const splits = splitCorpus((await loadCorpus(input, { vocab: src.vocab })).data, 0.9, 0.05);
  const one = (data: typeof splits.val) => evaluate(src.model, data, { reading: 'continuous', seqLength: 10 }).loss;
  assert.deepEqual(card.loss.continuous, { val: one(splits.val), test: one(splits.test) });
  src.model.dispose();
  const weights = fs.readFileSync(path.join(dir, 'weights.bin'));
  const { continuous, ...older } = card.loss;
  fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify({ ...card, loss: older }));
  await writeManifestEntry(root, 'tiny', manifestEntry(root, 'tiny', dir)); // as the pack of that time recorded it
  const next = await rescore({ name: 'tiny', corpus: input, root });
  assert.deepEqual(next.loss.continuous, continuous);
  assert.deepEqual(readCard(dir), next);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'weights.bin')), weights);
  assert.equal(readManifest(root).models.tiny.files['card.json'], fileSha256(path.join(dir, 'card.json')));
  assert.match(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), /\none stream   val \d\.\d{3}, test \d\.\d{3}/);
  const other = path.join(work, 'reversed.txt');
  fs.writeFileSync(other, [...fs.readFileSync(input, 'utf8')].reverse().join(''));
  await assert.rejects(rescore({ name: 'tiny', corpus: other, root }), {
    name: 'CharRNNError',
    message: /reversed\.txt is not the text tiny was trained on/,
  });
});

test("pretrained(name) loads the stored model: its weights are the checkpoint's rounded to float16, its logits the same to that precision", async () => {
  await packed;
  const { model, vocab, card } = pretrained('tiny', root);
  const src = loadCheckpoint(path.join(work, 'run', 'best'));
  assert.deepEqual(vocab.toJSON(), src.vocab.toJSON());
  assert.equal(card.name, 'tiny');
  for (const [name, p] of Object.entries(src.model.params)) {
    const expected = tf.io.decodeWeights(toFloat16(p.dataSync() as Float32Array).buffer, [
      { name, shape: p.shape, dtype: 'float32', quantization: { dtype: 'float16' } },
    ]);
    assert.deepEqual(model.params[name].dataSync(), expected[name].dataSync(), name);
  }
  const x = Int32Array.from(vocab.encode('The song crosses the river'));
  const T = x.length;
  const a = forward(src.model, x, T, 1, src.model.zeroState(1));
  const b = forward(model, x, T, 1, model.zeroState(1));
  const la = a.logits.dataSync();
  const lb = b.logits.dataSync();
  const scale = Math.max(...la.map(Math.abs));
  const worst = Math.max(...la.map((v, i) => Math.abs(v - lb[i])));
  assert.ok(worst > 0 && worst < 2e-3 * scale, `logits differ by up to ${worst} (scale ${scale})`);
  [a, b].forEach((r) => (r.logits.dispose(), disposeState(r.state)));
  src.model.dispose();
  model.dispose();
  assert.deepEqual(
    pretrained.list(root).map(({ name, corpus, architecture }) => ({ name, corpus, architecture })),
    [{ name: 'tiny', corpus: 'tiny', architecture: '2x16 lstm' }],
  );
  // figures for a table: console.table(pretrained.list()) prints 4 significant digits, not 16
  const [line] = pretrained.list(root);
  assert.deepEqual([line.valLoss, line.testLoss], [rounded(card.loss.val), rounded(card.loss.test)]);
  assert.ok(
    [line.valLoss, line.testLoss, line.megabytes].every((x) => String(x).replace(/^0\.0*|\./g, '').length <= 4),
    JSON.stringify(line),
  );
});

test('a damaged or missing file of a pretrained model is one clear error; so is an unknown name, listing the models there are', async () => {
  await packed;
  const copy = path.join(work, 'damaged');
  fs.cpSync(root, copy, { recursive: true });
  const weights = path.join(copy, 'tiny', 'weights.bin');
  const bytes = fs.readFileSync(weights);
  bytes[7] ^= 0x40;
  fs.writeFileSync(weights, bytes);
  assert.throws(
    () => pretrained('tiny', copy),
    (e: Error) =>
      e instanceof CharRNNError &&
      e.message.includes(`pretrained model 'tiny' is damaged: ${weights} does not match its sha256`),
  );
  fs.rmSync(path.join(copy, 'tiny', 'card.json'));
  assert.throws(
    () => resolveCheckpoint('pretrained:tiny', copy),
    /pretrained model 'tiny' is incomplete: .*card\.json is missing/,
  );
  assert.throws(
    () => pretrained('nope', root),
    (e: Error) => e instanceof CharRNNError && e.message === "no pretrained model 'nope' (available: tiny)",
  );
  assert.throws(
    () => pretrained('tiny', path.join(work, 'empty')),
    /no pretrained model 'tiny' \(none are installed yet\)/,
  );
});

test('pack refuses a model whose float16 form moves the loss by more than 0.5%, and leaves the models as they were', async () => {
  await packed;
  // Output biases of 4000 + log(the char's frequency): the log-frequencies help in float32, but float16 numbers near
  // 4000 are 4 apart, which rounds most of them away.
  const src = loadCheckpoint(path.join(work, 'run', 'best'));
  const ids = src.vocab.encode(fs.readFileSync(input, 'utf8'));
  const counts = new Float32Array(src.vocab.size).fill(1);
  ids.forEach((id) => counts[id]++);
  src.model.params['output/bias'].assign(tf.tensor1d(Array.from(counts, (n) => 4000 + Math.log(n / ids.length))));
  const shifted = path.join(work, 'shifted');
  await saveCheckpoint(shifted, {
    model: src.model,
    vocab: src.vocab,
    training: src.meta.training,
    history: src.meta.history,
    state: src.meta.state,
  });
  src.model.dispose();
  const before = fs.readFileSync(path.join(root, 'manifest.json'), 'utf8');
  await assert.rejects(
    pack({ name: 'shifted', checkpoint: shifted, corpus: input, log: path.join(work, 'log.jsonl'), root }),
    (e: Error) =>
      e instanceof CharRNNError &&
      /the float16 model's loss moved by [\d.]+% .*more than 0\.5%: not stored/.test(e.message),
  );
  assert.equal(fs.readFileSync(path.join(root, 'manifest.json'), 'utf8'), before);
  assert.deepEqual(fs.readdirSync(root).sort(), ['manifest.json', 'tiny']);
});

test("pack refuses a log that is not the checkpoint's run", async () => {
  await packed;
  const other = path.join(work, 'other-log.jsonl');
  fs.writeFileSync(other, JSON.stringify({ iter: 1, epoch: 0.1, train_loss: 3, elapsed_s: 1 }) + '\n');
  await assert.rejects(
    pack({ name: 'tiny', checkpoint: path.join(work, 'run', 'best'), corpus: input, log: other, root }),
    /other-log\.jsonl has no record of iteration 30 of .*: is it this run's --log-json log\?/,
  );
});

test('the npm package carries the pretrained models folder', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: KERNEL_LIB, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
  assert.ok(files.includes('pretrained/manifest.json'), files.join(' '));
});

// The models committed in kernel-lib/pretrained: intact, within the size budget, and (where the corpus is here to
// score them on) their stored val loss within 0.5% of the full-precision one recorded when they were packed.
const committed = Object.keys(readManifest().models);
// Scoring costs about parameters x characters: a 2x512 LSTM (3.4M parameters) on War and Peace's 163,000 validation
// characters, 5.5e11, takes about 20 s on one thread here. Models above this budget are left to pack's own check.
const MAX_CHECK_COST = 6e11;

test('the committed pretrained models fit the budget', () => {
  const total = Object.values(readManifest().models).reduce((n, m) => n + m.bytes, 0);
  assert.ok(total <= PRETRAINED_BUDGET_BYTES, `${total} bytes`);
});

for (const name of committed.length ? committed : ['(none)']) {
  test(`committed pretrained model ${name}: stored val loss within 0.5% of full precision`, async (t) => {
    if (!committed.length) return t.skip('no pretrained models are committed yet');
    const { model, vocab, card } = pretrained(name);
    try {
      assert.ok(
        Math.abs(card.loss.val - card.loss.fullPrecision.val) <= STORED_TOLERANCE * card.loss.fullPrecision.val,
      );
      const cost = card.architecture.parameters * card.split.chars.val;
      if (cost > MAX_CHECK_COST)
        return t.skip(
          `its val split (${card.split.chars.val} chars for ${card.architecture.parameters} parameters) is too long to score in npm test; pack checked it`,
        );
      const candidates = [defaultDataDir(), defaultMirror()]
        .filter((d): d is string => !!d)
        .map((d) => path.join(d, card.corpus.name, 'input.txt'));
      let corpusFile: string | undefined;
      for (const c of candidates) if (fs.existsSync(c) && (await sha256File(c)) === card.corpus.sha256) corpusFile = c;
      if (!corpusFile)
        return t.skip(
          `corpus ${card.corpus.name} (sha256 ${card.corpus.sha256.slice(0, 12)}) is not here: looked in ${candidates.join(', ') || 'no data folder or mirror'}`,
        );
      await initBackend();
      const o = trainOptions(card.training as object);
      const corpus = await loadCorpus(corpusFile, { vocab });
      const val = splitCorpus(corpus.data, o.trainFrac, o.valFrac).val;
      const loss = evaluate(model, val, { batchSize: o.batchSize, seqLength: o.seqLength }).loss;
      assert.ok(
        Math.abs(loss - card.loss.fullPrecision.val) <= STORED_TOLERANCE * card.loss.fullPrecision.val,
        `${loss} vs ${card.loss.fullPrecision.val}`,
      );
    } finally {
      model.dispose();
    }
  });
}

// The CLI on a pretrained model, run from a copy of the package whose pretrained/ folder is the one packed here
// (charrnn finds its models beside its dist/, as an installed package does).
const pkg = path.join(work, 'pkg');
const pkgMain = path.join(pkg, 'dist', 'cli', 'main.js');
const installed = packed.then(() => {
  fs.cpSync(path.join(KERNEL_LIB, 'dist'), path.join(pkg, 'dist'), { recursive: true });
  fs.cpSync(root, path.join(pkg, 'pretrained'), { recursive: true });
  fs.symlinkSync(path.resolve(KERNEL_LIB, '..', 'node_modules'), path.join(pkg, 'node_modules'));
  fs.symlinkSync(path.join(KERNEL_LIB, 'native'), path.join(pkg, 'native'));
});
const charrnn = (...args: string[]) => run(pkgMain, args);

function assertUserError(r: ReturnType<typeof charrnn>, pattern: RegExp): void {
  assert.equal(r.code, 1, r.err);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, /^charrnn: /);
  assert.match(r.err, pattern);
}

test('charrnn sample / eval / info take pretrained:NAME', async () => {
  await installed;
  const card = await packed;
  const s = charrnn('sample', 'pretrained:tiny', '--length', '40', '--seed', '2', '--primetext', 'The ');
  assert.equal(s.code, 0, s.err);
  assert.equal(
    s.out,
    charrnn('sample', path.join(pkg, 'pretrained', 'tiny'), '--length', '40', '--seed', '2', '--primetext', 'The ').out,
  );
  assert.ok(s.out.startsWith('The ') && [...s.out].length === 45, s.out);
  const e = charrnn('eval', 'pretrained:tiny', '--input', input, '--split', 'test');
  assert.equal(e.code, 0, e.err);
  assert.ok(Math.abs(JSON.parse(e.out).loss - card.loss.test) < 1e-4, e.out);
  const i = charrnn('info', 'pretrained:tiny');
  assert.equal(i.code, 0, i.err);
  assert.match(i.out, /model +2x16 lstm/);
  assert.match(i.out, /corpus +tiny/);
  // The card's engine line says how it was trained; no second line from the checkpoint.
  assert.match(i.out, new RegExp(`\\nengine +${card.engine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} on `));
  assert.doesNotMatch(i.out, /trained on/);
  assert.match(i.out, new RegExp(`loss +val ${card.loss.val.toFixed(3)}, test ${card.loss.test.toFixed(3)} nats/char`));
  const info = JSON.parse(charrnn('info', 'pretrained:tiny', '--json').out);
  assert.equal(info.card.loss.test, card.loss.test);
  assert.match(
    info.engine,
    /^(native engine \(|TF\.js engine on )/,
    'the packed checkpoint keeps the engine that trained it',
  );
  assertUserError(charrnn('info', 'pretrained:nope'), /no pretrained model 'nope' \(available: tiny\)/);
  assertUserError(charrnn('sample', 'pretrained:nope'), /available: tiny/);
});

test('charrnn train --init-from pretrained:NAME fine-tunes as a new run at a tenth of the default learning rate; text with characters the model lacks is refused, naming them', async () => {
  await installed;
  const small = ['--max-iters', '4', '--batch-size', '4', '--seq-length', '10'];
  const lrs = (log: string) =>
    fs
      .readFileSync(path.join(work, log), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).lr);
  const t = charrnn(
    'train',
    '--init-from',
    'pretrained:tiny',
    '--input',
    input,
    '--checkpoint-dir',
    'tuned',
    ...small,
    '--log-json',
    'tuned.jsonl',
  );
  assert.equal(t.code, 0, t.err);
  assert.match(t.err, /fine-tuning pretrained:tiny at learning rate 0\.0002 \(a tenth of the default/);
  assert.deepEqual(lrs('tuned.jsonl'), [2e-4, 2e-4, 2e-4, 2e-4]);
  assert.match(charrnn('info', 'tuned').out, /2x16 lstm[\s\S]*iteration 4,/);
  const given = charrnn(
    'train',
    '--init-from',
    'pretrained:tiny',
    '--input',
    input,
    '--checkpoint-dir',
    'tuned-lr',
    ...small,
    '--learning-rate',
    '1e-3',
    '--log-json',
    'tuned-lr.jsonl',
  );
  assert.equal(given.code, 0, given.err);
  assert.doesNotMatch(given.err, /fine-tuning/);
  assert.deepEqual(lrs('tuned-lr.jsonl'), [1e-3, 1e-3, 1e-3, 1e-3]);
  assert.deepEqual(fs.readdirSync(path.join(pkg, 'pretrained', 'tiny')).sort(), [
    'README.md',
    'card.json',
    'checkpoint.json',
    'model.json',
    'weights.bin',
  ]);
  const other = path.join(work, 'other.txt');
  fs.writeFileSync(other, 'Zebra quartz, jinx 42!\n'.repeat(30));
  assertUserError(
    charrnn('train', '--init-from', 'pretrained:tiny', '--input', other, '--checkpoint-dir', 'tuned2'),
    /other\.txt has characters not in the model's vocabulary: .*'Z'/,
  );
  assert.equal(fs.existsSync(path.join(work, 'tuned2', 'latest')), false);
});

test('pack --continues NAME stores a fine-tune of a shipped model with both runs on its card', async () => {
  await installed;
  const first = readCard(path.join(root, 'tiny'))!;
  const more = charrnn(
    'train',
    '--init-from',
    'pretrained:tiny',
    '--input',
    input,
    '--checkpoint-dir',
    'more',
    '--batch-size',
    '4',
    '--seq-length',
    '10',
    '--max-iters',
    '20',
    '--eval-val-every',
    '10',
    '--learning-rate',
    '2e-3',
    '--log-json',
    'more.jsonl',
  );
  assert.equal(more.code, 0, more.err);
  const second = readCheckpointMeta(path.join(work, 'more', 'best')).meta.state!.iter as number;
  const card = await pack({
    name: 'tiny-more',
    continues: 'tiny',
    checkpoint: path.join(work, 'more', 'best'),
    corpus: input,
    log: path.join(work, 'more.jsonl'),
    root,
  });
  assert.ok(
    card.loss.fullPrecision.val < first.loss.fullPrecision.val,
    `${card.loss.fullPrecision.val} vs ${first.loss.fullPrecision.val}`,
  );
  assert.equal(card.iterations, first.iterations + second);
  assert.equal(card.run.iterations, first.run.iterations + 20);
  assert.ok(card.run.wallTimeS >= first.run.wallTimeS && card.epochs > first.epochs);
  assert.deepEqual(card.continues, {
    iterations: first.iterations,
    epochs: first.epochs,
    run: first.run,
    training: first.training,
    engine: first.engine,
    hardware: first.hardware,
    loss: first.loss,
  });
  assert.equal(card.training.learningRate, 2e-3);
  // The curve: the first run's up to its best, then the second's from there.
  const iters = card.curve.val.map(([i]) => i);
  assert.deepEqual(iters, [
    ...first.curve.val.map(([i]) => i).filter((i) => i <= first.iterations),
    first.iterations + 10,
    first.iterations + 20,
  ]);
  assert.match(
    cardLines(card).join('\n'),
    /\nfirst run    \d+ iterations \([\d.]+ epochs\) to val [\d.]+, learning rate 0\.002; the rest fine-tuned its best weights with a fresh optimizer at 0\.002$/,
  );
});

test('pack --continues refuses a fine-tune that is no better, of a fine-tune, of another text or model, or of no shipped model', async () => {
  await installed;
  /** pack() of the fine-tune in more/ (unless `opts` says otherwise) as a continuation. */
  const packMore = (opts: Partial<PackOptions> & { name: string; continues: string }) =>
    pack({
      checkpoint: path.join(work, 'more', 'best'),
      corpus: input,
      log: path.join(work, 'more.jsonl'),
      root,
      ...opts,
    });
  // The first run's own best, offered as its continuation, is no better than itself.
  await assert.rejects(
    packMore({
      name: 'tiny-same',
      continues: 'tiny',
      checkpoint: path.join(work, 'run', 'best'),
      log: path.join(work, 'log.jsonl'),
    }),
    /the fine-tune's validation loss [\d.]+ is no better than pretrained:tiny's [\d.]+: not stored/,
  );
  await assert.rejects(
    packMore({ name: 'tiny-3', continues: 'tiny-more' }),
    /pretrained:tiny-more already continues an earlier run/,
  );
  // Another text (the same characters, one more line) is not the one the first run was trained on.
  const longer = path.join(work, 'longer.txt');
  fs.writeFileSync(longer, fs.readFileSync(input, 'utf8') + fs.readFileSync(input, 'utf8').split('\n')[0] + '\n');
  await assert.rejects(
    packMore({ name: 'tiny-y', continues: 'tiny', corpus: longer }),
    /is not a fine-tune of pretrained:tiny on its text: the model or the corpus differs/,
  );
  // Another model (one layer of 8) trained on the same text is not its fine-tune either.
  const narrow = run(MAIN, [
    'train',
    '--input',
    input,
    '--checkpoint-dir',
    'narrow',
    '--rnn-size',
    '8',
    '--num-layers',
    '1',
    '--batch-size',
    '4',
    '--seq-length',
    '10',
    '--max-iters',
    '10',
    '--eval-val-every',
    '10',
    '--log-json',
    path.join(work, 'narrow.jsonl'),
  ]);
  assert.equal(narrow.code, 0, narrow.err);
  await assert.rejects(
    packMore({
      name: 'tiny-z',
      continues: 'tiny',
      checkpoint: path.join(work, 'narrow', 'best'),
      log: path.join(work, 'narrow.jsonl'),
    }),
    /is not a fine-tune of pretrained:tiny on its text: the model or the corpus differs/,
  );
  await assert.rejects(packMore({ name: 'tiny-x', continues: 'nope' }), /no pretrained model 'nope'/);
  assert.deepEqual(fs.readdirSync(root).sort(), ['manifest.json', 'tiny', 'tiny-more']);
});
