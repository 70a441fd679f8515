// Models that travel, checked against PyTorch itself (Debian's python3-torch): `charrnn export` of every cell type
// and of every committed pretrained model loads into torch.nn.LSTM/GRU/RNN with load_state_dict(strict=True) and
// gives our logits to 1e-5; a model made and saved in PyTorch imports and samples PyTorch's text for the same draws;
// charrnn -> PyTorch -> charrnn gives the same bytes. The PyTorch side is tests/lib/torch_interop.py.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const cr = require(path.join(root, 'kernel-lib/dist/index.js'));
const cli = path.join(root, 'kernel-lib/dist/cli/main.js');
const haveTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const skip = !haveTorch && "Debian's python3-torch is not installed (node tests/setup.js test installs it)";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-torch-'));
const TEXT = 'the quick brown fox jumps over the lazy dog; PACK MY BOX WITH FIVE DOZEN LIQUOR JUGS!\n';
const vocab = cr.Vocab.fromText(TEXT);

before(async () => {
  await cr.initBackend('cpu');
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The PyTorch side: each job's result (tests/lib/torch_interop.py). */
function torch(jobs) {
  const out = execFileSync('/usr/bin/python3', [path.join(root, 'tests/lib/torch_interop.py')], {
    input: JSON.stringify(jobs),
    env: { ...process.env, PYTHONPATH: path.join(root, 'tests/lib') },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  return JSON.parse(out);
}

const charrnn = (...argv) => execFileSync(process.execPath, [cli, ...argv], { encoding: 'utf8' });

/** Our logits [T, V] for `ids` read as one stream from a zero state. */
function ourLogits(model, ids) {
  const r = cr.forward(model, Int32Array.from(ids), ids.length, 1, model.zeroState(1));
  const rows = r.logits.arraySync();
  r.logits.dispose();
  cr.disposeState(r.state);
  return rows;
}

/** The largest difference between two [T, V] logit tables, relative to the logit where it exceeds 1 in size (a
 * float32 logit of 200 has steps of 1.5e-5, so no closer agreement exists there). */
function maxDiff(a, b) {
  assert.equal(a.length, b.length);
  return Math.max(
    ...a.map((row, t) => Math.max(...row.map((x, i) => Math.abs(x - b[t][i]) / Math.max(1, Math.abs(x))))),
  );
}

const CELLS = ['lstm', 'gru', 'rnn'].flatMap((cell) => [1, 2].map((numLayers) => ({ cell, numLayers })));

test(
  'every cell type, 1 and 2 layers: the export loads into torch.nn with strict names and gives our logits to 1e-5',
  { skip },
  async () => {
    const ids = Array.from(vocab.encode(TEXT));
    const models = [];
    for (const { cell, numLayers } of CELLS) {
      const model = cr.CharRNN.create(
        { cell, vocabSize: vocab.size, hiddenSize: 24, numLayers, dropout: 0 },
        { seed: 5 },
      );
      const dir = path.join(tmp, `${cell}-${numLayers}`);
      await cr.saveCheckpoint(dir, { model, vocab });
      charrnn('export', dir, '--out', `${dir}.safetensors`);
      charrnn('export', dir, '--out', `${dir}-f16.safetensors`, '--dtype', 'float16');
      models.push({ cell, numLayers, model, file: `${dir}.safetensors` });
    }
    const results = torch(
      models.flatMap((m) => [
        { op: 'logits', file: m.file, ids },
        { op: 'logits', file: m.file.replace('.safetensors', '-f16.safetensors'), ids },
      ]),
    );
    models.forEach((m, k) => {
      const ours = ourLogits(m.model, ids);
      const diff = maxDiff(results[2 * k], ours);
      assert.ok(diff <= 1e-5, `${m.cell} x ${m.numLayers}: logits differ by ${diff}`);
      // float16 weights are rounded: close, not equal
      assert.ok(maxDiff(results[2 * k + 1], ours) < 0.05, `${m.cell} x ${m.numLayers} as float16`);
      m.model.dispose();
    });
  },
);

test(
  'every committed pretrained model exports and gives its logits in PyTorch to 1e-5',
  { skip, timeout: 600_000 },
  async () => {
    const names = cr.pretrained.list().map((p) => p.name);
    const jobs = [];
    const ours = [];
    for (const name of names) {
      const file = path.join(tmp, `${name}.safetensors`);
      const ckpt = cr.loadCheckpoint(cr.resolveCheckpointDir(path.join(root, 'kernel-lib/pretrained', name)));
      // Through the library (what `charrnn export` calls, checked above), to spare 14 processes.
      fs.writeFileSync(file, cr.modelToSafetensors(ckpt.model, ckpt.vocab));
      // A text the model itself wrote: every character in its vocabulary, whatever the corpus.
      const text = cr.sample(ckpt.model, ckpt.vocab, { length: 120, seed: 1, engine: 'tfjs' });
      const ids = Array.from(ckpt.vocab.encode(text));
      jobs.push({ op: 'logits', file, ids });
      ours.push(ourLogits(ckpt.model, ids));
      ckpt.model.dispose();
    }
    torch(jobs).forEach((logits, k) => {
      const diff = maxDiff(logits, ours[k]);
      assert.ok(diff <= 1e-5, `${names[k]}: logits differ by ${diff}`);
    });
  },
);

test(
  'a model made and saved in PyTorch imports (vocabulary from a text) and samples the same text for the same draws',
  { skip },
  async () => {
    const corpus = path.join(tmp, 'corpus.txt');
    fs.writeFileSync(corpus, TEXT);
    const prime = 'the ';
    const seed = 11;
    const rng = new cr.Rng(seed);
    const uniforms = Array.from({ length: 200 }, () => rng.next());
    for (const { cell, numLayers } of CELLS) {
      const file = path.join(tmp, `torch-${cell}-${numLayers}.safetensors`);
      const job = { cell, vocabSize: vocab.size, hiddenSize: 32, numLayers, seed: 3 };
      const [, theirs] = torch([
        { op: 'make', file, ...job },
        { op: 'sample', file, cell, prime: Array.from(vocab.encode(prime)), uniforms },
      ]);
      const dir = path.join(tmp, `imported-${cell}-${numLayers}`);
      const said = charrnn(
        'import',
        file,
        '--out',
        dir,
        '--vocab',
        corpus,
        ...(cell === 'rnn' ? [] : ['--cell', cell]),
      );
      assert.match(said, new RegExp(`${numLayers}-layer ${cell} \\(hidden 32, ${vocab.size} characters\\)`));
      const ckpt = cr.loadCheckpoint(dir);
      const text = cr.sample(ckpt.model, ckpt.vocab, { prime, length: 200, seed, temperature: 1, engine: 'tfjs' });
      ckpt.model.dispose();
      assert.equal(text.slice(prime.length), theirs.map((id) => vocab.chars[id]).join(''), `${cell} x ${numLayers}`);
    }
  },
);

test('charrnn -> PyTorch -> charrnn: the same weights, byte for byte', { skip }, async () => {
  for (const { cell, numLayers } of CELLS) {
    const first = path.join(tmp, `${cell}-${numLayers}.safetensors`);
    const back = path.join(tmp, `back-${cell}-${numLayers}.safetensors`);
    torch([{ op: 'resave', file: first, out: back }]);
    const dir = path.join(tmp, `back-${cell}-${numLayers}`);
    charrnn('import', back, '--out', dir);
    const original = path.join(tmp, `${cell}-${numLayers}`);
    assert.deepEqual(
      fs.readFileSync(path.join(dir, 'weights.bin')),
      fs.readFileSync(path.join(original, 'weights.bin')),
    );
    charrnn('export', dir, '--out', `${dir}.safetensors`);
    assert.deepEqual(fs.readFileSync(`${dir}.safetensors`), fs.readFileSync(first), `${cell} x ${numLayers}`);
  }
});

test(
  "README's PyTorch section runs as shown: export, the sampling snippet, the save snippet, import and sample",
  { skip },
  () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('### Use your model elsewhere: PyTorch'),
      readme.indexOf('### Use your model elsewhere: ONNX'),
    );
    const python = [...section.matchAll(/^```python\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    const commands = [...section.matchAll(/^ {4}npx (charrnn .*?)(?: {2,}#.*)?$/gm)].map((m) => m[1].split(/\s+/));
    assert.equal(python.length, 2, 'a sampling and a saving snippet');
    assert.equal(commands.length, 3, 'export, import, sample');
    const cwd = path.join(tmp, 'readme');
    fs.mkdirSync(cwd);
    // The commands as shown, `npx charrnn` being the project's CLI; the quoted prime unquoted as a shell would.
    const run = ([, ...argv]) =>
      execFileSync(process.execPath, [cli, ...argv.map((a) => a.replace(/^"(.*)"$/, '$1'))], { cwd, encoding: 'utf8' });
    assert.match(run(commands[0]), /model\.safetensors: 2-layer lstm \(hidden 512, 65 characters\) as float32/);
    const out = execFileSync('/usr/bin/python3', ['-c', python.join('\n')], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: path.join(root, 'tests/lib') },
    });
    assert.match(out, /^ROMEO:[\s\S]{200}\n$/, 'ROMEO: and 200 characters');
    assert.match(run(commands[1]), /mine: 2-layer lstm \(hidden 512, 65 characters\) from mine\.safetensors/);
    assert.match(run(commands[2]), /^ROMEO:/);
  },
);
