import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../engine/start';
import { CharRNN } from '../model/charrnn';
import { Vocab } from '../text/vocab';
import { saveCheckpoint } from '../train/checkpoint';

const MAIN = path.join(__dirname, 'main.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-export-page-'));

after(() => fs.rmSync(work, { recursive: true, force: true }));

function charrnn(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: work, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('charrnn export-page writes the page and prints its size; bad input is one line', async () => {
  await initBackend('cpu');
  const vocab = Vocab.fromText('ROMEO: hello\n');
  const model = CharRNN.create(
    { cell: 'lstm', vocabSize: vocab.size, hiddenSize: 8, numLayers: 2, dropout: 0 },
    { seed: 1 },
  );
  await saveCheckpoint(path.join(work, 'cv', 'latest'), { model, vocab });
  model.dispose();

  const r = charrnn(
    'export-page',
    'cv',
    '--out',
    'pages/model.html',
    '--primetext',
    'ROMEO:',
    '--temperature',
    '0.7',
    '--beam',
    '2',
  );
  assert.equal(r.code, 0, r.err);
  const size = fs.statSync(path.join(work, 'pages', 'model.html')).size;
  assert.equal(r.out, `pages/model.html: ${(size / 1e6).toFixed(2)} MB, weights as float32\n`);
  const html = fs.readFileSync(path.join(work, 'pages', 'model.html'), 'utf8');
  assert.match(html, /"defaults":\{"prime":"ROMEO:","length":200,"temperature":0\.7,"seed":1,"topK":0,"beam":2\}/);

  for (const [args, message] of [
    [['cv'], /^charrnn: export-page needs --out FILE\.html/],
    [
      ['cv', '--out', 'x.html', '--primetext', 'Juliet'],
      /^charrnn: prime text has characters that are not in the model's vocabulary/,
    ],
    [['cv', '--out', 'x.html', '--weights', 'int8'], /^charrnn: .*--weights/],
    [['nowhere', '--out', 'x.html'], /^charrnn: /],
  ] as [string[], RegExp][]) {
    const bad = charrnn('export-page', ...args);
    assert.equal(bad.code, 1, bad.err);
    assert.equal(bad.err.trim().split('\n').length, 1, bad.err);
    assert.match(bad.err, message);
  }
  assert.ok(!fs.existsSync(path.join(work, 'x.html')));
});

test('export-page RUN/best of a run that saved no best/ yet (stopped before its first validation) takes RUN/latest and says so', async () => {
  await initBackend('cpu');
  const vocab = Vocab.fromText('ROMEO: hello\n');
  const model = CharRNN.create(
    { cell: 'lstm', vocabSize: vocab.size, hiddenSize: 8, numLayers: 1, dropout: 0 },
    { seed: 2 },
  );
  await saveCheckpoint(path.join(work, 'short', 'latest'), { model, vocab });
  await saveCheckpoint(path.join(work, 'full', 'latest'), { model, vocab });
  await saveCheckpoint(path.join(work, 'full', 'best'), { model, vocab });
  model.dispose();

  const short = charrnn('export-page', path.join('short', 'best'), '--out', 'short.html');
  assert.equal(short.code, 0, short.err);
  assert.equal(
    short.err,
    `charrnn: ${path.join('short', 'best')} does not exist (its run saved no best/ yet); using ${path.join('short', 'latest')}\n`,
  );
  assert.ok(fs.existsSync(path.join(work, 'short.html')));
  // A run folder is its latest/, and a best/ that exists is taken as it is: nothing to say.
  for (const dir of ['short', path.join('full', 'best')]) {
    const r = charrnn('export-page', dir, '--out', 'other.html');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
  }
  const none = charrnn('export-page', path.join('nothing', 'best'), '--out', 'none.html');
  assert.equal(none.code, 1);
  assert.match(none.err, /^charrnn: no checkpoint found at nothing\/best .*\n$/);
});
