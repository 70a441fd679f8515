import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../engine/start';
import { inspectText } from '../inspect/trace';
import { CharRNN } from '../model/charrnn';
import { Vocab } from '../text/vocab';
import { saveCheckpoint } from '../train/checkpoint';

const MAIN = path.join(__dirname, 'main.js');

test('charrnn inspect writes the activations and predictions of a checkpoint on a text as JSON', async () => {
  await initBackend();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-inspect-'));
  try {
    const text = 'hello "world"\nhello there\n';
    const vocab = Vocab.fromText(text);
    const model = CharRNN.create(
      { cell: 'lstm', vocabSize: vocab.size, hiddenSize: 5, numLayers: 2, dropout: 0 },
      { seed: 2 },
    );
    await saveCheckpoint(path.join(tmp, 'ckpt'), { model, vocab });
    fs.writeFileSync(path.join(tmp, 'in.txt'), 'hello there "hello"');
    const out = path.join(tmp, 'out.json');
    execFileSync(
      'node',
      [
        MAIN,
        'inspect',
        path.join(tmp, 'ckpt'),
        '--text-file',
        path.join(tmp, 'in.txt'),
        '--out',
        out,
        '--top-k',
        '3',
        '--chunk',
        '4',
      ],
      { env: { ...process.env, CHARRNN_BACKEND: 'wasm' } },
    );
    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    const want = inspectText(model, vocab, 'hello there "hello"', { topK: 3 });
    assert.equal(json.text.join(''), 'hello there "hello"');
    assert.deepEqual([json.cell, json.hiddenSize, json.numLayers, json.chars], ['lstm', 5, 2, 19]);
    assert.equal(json.predictions.length, 19);
    assert.equal(json.predictions[0].top.length, 3);
    assert.ok(Math.abs(json.predictions[4].pNext - want.pNext[4]) < 1e-4);
    assert.equal(json.predictions[18].pNext, null);
    assert.ok(Math.abs(json.loss - want.loss) < 1e-4);
    assert.equal(json.layers[1].c.length, 19);
    assert.ok(Math.abs(json.layers[1].c[7][3] - want.layers[1].c![7 * 5 + 3]) < 1e-4);
    assert.equal(json.layers[0].gates[0].length, 20);
    model.dispose();
    const bad = spawnSync(
      'node',
      [MAIN, 'inspect', path.join(tmp, 'ckpt'), '--text-file', path.join(tmp, 'missing.txt')],
      { encoding: 'utf8' },
    );
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^charrnn: cannot read .*missing\.txt: ENOENT\n$/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
