import test from 'node:test';
import assert from 'node:assert/strict';
import { CharRNNError } from '../errors';
import { paramShapes, type CellType, type ModelConfig } from '../model/config';
import { Rng } from '../rng';
import { configOfStateDict, fromStateDict, toStateDict } from './torch';

function randomParams(config: ModelConfig): Record<string, Float32Array> {
  const rng = new Rng(3);
  const params: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(paramShapes(config)))
    params[name] = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() - 0.5);
  return params;
}

for (const cell of ['lstm', 'gru', 'rnn'] as CellType[])
  for (const numLayers of [1, 2])
    test(`${cell} x ${numLayers}: our weights -> PyTorch's names and shapes -> our weights, bit for bit`, () => {
      const config: ModelConfig = { cell, vocabSize: 7, hiddenSize: 5, numLayers, dropout: 0 };
      const params = randomParams(config);
      const dict = toStateDict(config, params);
      const G = { lstm: 4, gru: 3, rnn: 1 }[cell];
      const shapes = new Map(dict.map(([name, t]) => [name, t.shape]));
      assert.deepEqual(shapes.get('rnn.weight_ih_l0'), [G * 5, 7]);
      assert.deepEqual(shapes.get(`rnn.weight_hh_l${numLayers - 1}`), [G * 5, 5]);
      assert.deepEqual(shapes.get('decoder.weight'), [7, 5]);
      // weight_ih_l0[j, i] is our kernel[i, j]: the transpose
      assert.equal(dict[0][1].values[2 * 7 + 3], params['layer0/kernel'][3 * G * 5 + 2]);
      assert.deepEqual(configOfStateDict(shapes), config);
      const values = new Map(dict.map(([name, t]) => [name, t.values]));
      const back = fromStateDict(config, (name) => values.get(name)!);
      for (const name of Object.keys(params))
        assert.deepEqual(Buffer.from(back[name].buffer), Buffer.from(params[name].buffer), name);
    });

test("PyTorch's two biases are summed, except the GRU's b_hn, which stays apart", () => {
  for (const cell of ['lstm', 'gru'] as CellType[]) {
    const config: ModelConfig = { cell, vocabSize: 3, hiddenSize: 2, numLayers: 1, dropout: 0 };
    const GH = (cell === 'lstm' ? 4 : 3) * 2;
    const dict = new Map(toStateDict(config, randomParams(config)).map(([n, t]) => [n, t.values]));
    dict.set('rnn.bias_ih_l0', new Float32Array(GH).fill(1));
    dict.set(
      'rnn.bias_hh_l0',
      Float32Array.from({ length: GH }, (_, i) => i),
    );
    const p = fromStateDict(config, (name) => dict.get(name)!);
    if (cell === 'lstm') assert.deepEqual(Array.from(p['layer0/bias']), [1, 2, 3, 4, 5, 6, 7, 8]);
    else {
      assert.deepEqual(Array.from(p['layer0/bias']), [1, 2, 3, 4, 1, 1]);
      assert.deepEqual(Array.from(p['layer0/recurrent_bias']), [4, 5]);
    }
  }
});

test('a state_dict that is not a charrnn model is refused with what was expected', () => {
  const config: ModelConfig = { cell: 'lstm', vocabSize: 7, hiddenSize: 5, numLayers: 1, dropout: 0 };
  const shapes = () => new Map(toStateDict(config, randomParams(config)).map(([name, t]) => [name, t.shape]));
  const refused = (edit: (s: Map<string, number[]>) => void, message: RegExp) => {
    const s = shapes();
    edit(s);
    assert.throws(
      () => configOfStateDict(s),
      (e: Error) => e instanceof CharRNNError && message.test(e.message),
    );
  };
  refused((s) => s.delete('decoder.weight'), /no decoder\.weight \[2-D\]: expected the names of PyTorch's rnn = /);
  refused((s) => s.delete('rnn.bias_hh_l0'), /no rnn\.bias_hh_l0: a 1-layer lstm needs it, \[20\]/);
  refused(
    (s) => s.set('rnn.weight_hh_l0', [10, 5]),
    /2 gates per unit, which is no LSTM \(4\), GRU \(3\) or RNN \(1\)/,
  );
  refused((s) => s.set('rnn.weight_ih_l0', [20, 6]), /rnn\.weight_ih_l0 is \[20,6\], expected \[20,7\]/);
  refused((s) => s.set('rnn.weight_ih_l0_reverse', [20, 7]), /unexpected rnn\.weight_ih_l0_reverse: .*one-directional/);
});
