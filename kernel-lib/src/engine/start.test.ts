import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { initBackend } from './start';
import { CharRNN } from '../model/charrnn';
import { pretrained } from '../pretrained/pretrained';

// One process per test file: no backend has been started before the first test.

test('making or loading a model before initBackend() is one clear line, not TF.js\'s "No backend found in registry" stack', () => {
  const clear = (e: Error) =>
    e.name === 'CharRNNError' &&
    /^no TF\.js backend is running: call `await initBackend\(\)` first/.test(e.message) &&
    !e.message.includes('\n');
  assert.throws(() => CharRNN.create({ cell: 'lstm', vocabSize: 5, hiddenSize: 4, numLayers: 1, dropout: 0 }), clear);
  assert.throws(() => pretrained('names'), clear);
});

test('the backend initBackend() returns prints as a one-line summary, not as the modules it could not find', async () => {
  const info = await initBackend();
  const shown = inspect(info);
  assert.match(shown, new RegExp(`^TF\\.js backend ${info.name} \\(${info.package}\\)`));
  assert.ok(!shown.includes('Cannot find module') && !shown.includes('\n'), shown);
  assert.ok(
    info.skipped.every((s) => shown.includes(s.split(':')[0])),
    'names what it skipped',
  );
  const model = CharRNN.create({ cell: 'lstm', vocabSize: 5, hiddenSize: 4, numLayers: 1, dropout: 0 });
  model.dispose();
});
