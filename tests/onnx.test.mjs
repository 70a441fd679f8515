// `charrnn export --format onnx` run by ONNX Runtime (onnxruntime-node, which tests/setup.js test installs into
// .cache/onnxruntime): for every cell type, 1 and 2 layers, and every committed pretrained model, the sequence model's
// logits over 200 characters and the one-step model's, fed them one at a time with its states carried, equal ours.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const cr = require(path.join(root, 'kernel-lib/dist/index.js'));
const cli = path.join(root, 'kernel-lib/dist/cli/main.js');
const ortDir = path.join(root, '.cache/onnxruntime/node_modules/onnxruntime-node');
const skip =
  !fs.existsSync(ortDir) && 'onnxruntime-node is not in .cache/onnxruntime (node tests/setup.js test installs it)';
const ort = skip ? undefined : require(ortDir);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-onnx-'));
const STEPS = 200;

before(async () => {
  await cr.initBackend('cpu');
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The model's own text, STEPS characters: every one in its vocabulary. */
function textOf(model, vocab) {
  return cr.sample(model, vocab, { length: STEPS, seed: 4, engine: 'tfjs', prime: vocab.chars[0] }).slice(1);
}

/** Ours: logits [T, V] over `ids` from a zero state, and the last states. */
function ours(model, ids) {
  const r = cr.forward(model, Int32Array.from(ids), ids.length, 1, model.zeroState(1));
  const logits = r.logits.dataSync().slice();
  r.logits.dispose();
  cr.disposeState(r.state);
  return logits;
}

/** Largest difference, relative where a logit exceeds 1 in size (float32's own resolution there). */
function maxDiff(a, b) {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}

function zeros(config) {
  const shape = [config.numLayers, 1, config.hiddenSize];
  const z = () => new ort.Tensor('float32', new Float32Array(config.numLayers * config.hiddenSize), shape);
  return config.cell === 'lstm' ? { h0: z(), c0: z() } : { h0: z() };
}

/** What `charrnn export --format onnx --steps STEPS` writes for the checkpoint at `dir`. */
function exported(dir, steps) {
  const file = path.join(tmp, `${path.basename(dir)}-${steps}.onnx`);
  execFileSync(process.execPath, [cli, 'export', dir, '--format', 'onnx', '--steps', steps, '--out', file]);
  return fs.readFileSync(file);
}

/** The sequence model's logits over `ids`, and the one-step model's, fed one id at a time (ONNX files' bytes). */
async function theirs(sequenceBytes, oneBytes, config, ids) {
  const [sequence, one] = await Promise.all([sequenceBytes, oneBytes].map((b) => ort.InferenceSession.create(b)));
  const all = BigInt64Array.from(ids.map(BigInt));
  const seq = await sequence.run({ ids: new ort.Tensor('int64', all, [ids.length, 1]), ...zeros(config) });
  let state = zeros(config);
  const stepped = [];
  for (const id of all) {
    const r = await one.run({ id: new ort.Tensor('int64', BigInt64Array.of(id), [1]), ...state });
    stepped.push(...r.logits.data);
    state = config.cell === 'lstm' ? { h0: r.h, c0: r.c } : { h0: r.h };
  }
  return { sequence: seq.logits.data, stepped: Float32Array.from(stepped) };
}

for (const cell of ['lstm', 'gru', 'rnn'])
  for (const numLayers of [1, 2])
    test(
      `${cell} x ${numLayers}: ONNX Runtime gives our logits over ${STEPS} steps, as a sequence and one step at a time`,
      { skip },
      async () => {
        const vocab = cr.Vocab.fromText('abcdefghijklmnopqrstuvwxyz .,\n');
        const config = { cell, vocabSize: vocab.size, hiddenSize: 32, numLayers, dropout: 0 };
        const model = cr.CharRNN.create(config, { seed: 9 });
        const dir = path.join(tmp, `${cell}-${numLayers}`);
        await cr.saveCheckpoint(dir, { model, vocab });
        const ids = Array.from(vocab.encode(textOf(model, vocab)));
        const want = ours(model, ids);
        const got = await theirs(exported(dir, 'sequence'), exported(dir, 'one'), config, ids);
        assert.ok(maxDiff(got.sequence, want) <= 1e-5, `sequence: ${maxDiff(got.sequence, want)}`);
        assert.ok(maxDiff(got.stepped, want) <= 1e-5, `one step at a time: ${maxDiff(got.stepped, want)}`);
        model.dispose();
      },
    );

// Trained models carry float32's rounding through 200 steps of their recurrence (a 2 x 256 GRU's logits drift apart by
// 2e-5 between ONNX Runtime's sums and TF.js's), so these are held to 1e-4, the worst of each printed.
test(
  'every committed pretrained model exports to ONNX and runs there as here, to 1e-4',
  { skip, timeout: 600_000 },
  async () => {
    const worst = [];
    for (const { name } of cr.pretrained.list()) {
      const pre = cr.pretrained(name);
      const ids = Array.from(pre.vocab.encode(textOf(pre.model, pre.vocab)));
      const want = ours(pre.model, ids);
      // Through the library (what the command calls), to spare 28 processes; the command is checked above.
      const [sequence, one] = ['sequence', 'one'].map((steps) => cr.modelToOnnx(pre.model, pre.vocab, steps));
      const got = await theirs(sequence, one, pre.model.config, ids);
      pre.model.dispose();
      const diff = Math.max(maxDiff(got.sequence, want), maxDiff(got.stepped, want));
      worst.push(`${name} ${diff.toExponential(1)}`);
      assert.ok(diff <= 1e-4, `${name}: ${diff}`);
    }
    console.log(`ONNX Runtime vs charrnn over ${STEPS} steps, largest logit difference: ${worst.join(', ')}`);
  },
);

test(
  "README's ONNX commands run as shown and give graphs ONNX Runtime loads, with the vocabulary",
  { skip },
  async () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Use your model elsewhere: ONNX'), readme.indexOf('## Library'));
    const commands = [...section.matchAll(/^ {4}npx (charrnn .*)$/gm)].map((m) => m[1].split(/\s+/));
    assert.equal(commands.length, 2);
    const cwd = path.join(tmp, 'readme');
    fs.mkdirSync(cwd);
    for (const [, ...argv] of commands) execFileSync(process.execPath, [cli, ...argv], { cwd });
    const pre = cr.pretrained('tinyshakespeare');
    pre.model.dispose();
    for (const [file, input] of [
      ['model.onnx', 'ids'],
      ['step.onnx', 'id'],
    ]) {
      const session = await ort.InferenceSession.create(path.join(cwd, file));
      assert.deepEqual(session.inputNames, [input, 'h0', 'c0']);
      assert.deepEqual(session.outputNames, ['logits', 'h', 'c']);
    }
    const bytes = fs.readFileSync(path.join(cwd, 'model.onnx'));
    assert.ok(bytes.includes(Buffer.from(JSON.stringify(pre.vocab.chars))), 'the vocabulary is in the metadata');
  },
);
