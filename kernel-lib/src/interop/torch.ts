/**
 * Our weights under PyTorch's names, both ways. A charrnn model is, in PyTorch,
 *
 *   rnn = nn.LSTM(V, H, L)  (or nn.GRU, or nn.RNN with its default tanh), fed one-hot characters [T, B, V]
 *   decoder = nn.Linear(H, V)
 *
 * so its state_dict names are `rnn.weight_ih_l{l}` [G*H, D], `rnn.weight_hh_l{l}` [G*H, H], `rnn.bias_ih_l{l}` and
 * `rnn.bias_hh_l{l}` [G*H], `decoder.weight` [V, H] and `decoder.bias` [V] (D = V for l = 0, else H). The gate
 * orders are PyTorch's already (LSTM i,f,g,o; GRU r,z,n with the reset gate applied after the recurrent product),
 * so the mapping is transposes and the biases: our one bias is PyTorch's two summed (we export it as bias_ih with
 * bias_hh zero), except for the GRU's n gate, whose recurrent bias stays apart in both (our recurrent_bias).
 */
import { CharRNNError } from '../errors';
import type { CharRNN } from '../model/charrnn';
import { GATES, type CellType, type ModelConfig } from '../model/config';

/** A float32 tensor by value: row-major data and its shape. */
export interface Float32Tensor {
  shape: number[];
  values: Float32Array;
}

/** [rows, cols] -> [cols, rows]. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/** A model's weights by our names, read from its variables: what toStateDict and the ONNX export take. */
export function weightsOf(model: CharRNN): Record<string, Float32Array> {
  const params: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(model.params)) params[name] = v.dataSync() as Float32Array;
  return params;
}

/** The PyTorch state_dict of a model with `config` whose weights by our names are `params`. */
export function toStateDict(config: ModelConfig, params: Record<string, Float32Array>): [string, Float32Tensor][] {
  const { hiddenSize: H, vocabSize: V } = config;
  const G = GATES[config.cell];
  const out: [string, Float32Tensor][] = [];
  for (let l = 0; l < config.numLayers; l++) {
    const D = l === 0 ? V : H;
    const kernel = params[`layer${l}/kernel`]; // [D + H, G*H]
    const bias = params[`layer${l}/bias`]; // [G*H]
    const biasHh = new Float32Array(G * H);
    if (config.cell === 'gru') biasHh.set(params[`layer${l}/recurrent_bias`], 2 * H);
    out.push(
      [`rnn.weight_ih_l${l}`, { shape: [G * H, D], values: transpose(kernel.subarray(0, D * G * H), D, G * H) }],
      [`rnn.weight_hh_l${l}`, { shape: [G * H, H], values: transpose(kernel.subarray(D * G * H), H, G * H) }],
      [`rnn.bias_ih_l${l}`, { shape: [G * H], values: Float32Array.from(bias) }],
      [`rnn.bias_hh_l${l}`, { shape: [G * H], values: biasHh }],
    );
  }
  out.push(
    ['decoder.weight', { shape: [V, H], values: transpose(params['output/kernel'], H, V) }],
    ['decoder.bias', { shape: [V], values: Float32Array.from(params['output/bias']) }],
  );
  return out;
}

const CELL_BY_GATES: Record<number, CellType> = { 1: 'rnn', 4: 'lstm', 3: 'gru' };

/**
 * The model config a state_dict holds: layers counted from the names, sizes from the shapes, the cell from the gate
 * count unless `cell` says it. Refused, with what was expected, when a name or shape does not fit.
 */
export function configOfStateDict(
  shapes: Map<string, number[]>,
  opts: { cell?: CellType; dropout?: number } = {},
): ModelConfig {
  const hh = shapes.get('rnn.weight_hh_l0');
  const out = shapes.get('decoder.weight');
  if (!hh || hh.length !== 2) throw new CharRNNError(missingLayout('rnn.weight_hh_l0'));
  if (!out || out.length !== 2) throw new CharRNNError(missingLayout('decoder.weight'));
  const [GH, H] = hh;
  const cell = opts.cell ?? CELL_BY_GATES[GH / H];
  if (!cell)
    throw new CharRNNError(
      `rnn.weight_hh_l0 is [${hh}]: ${GH / H} gates per unit, which is no LSTM (4), GRU (3) or RNN (1)`,
    );
  let numLayers = 0;
  while (shapes.has(`rnn.weight_ih_l${numLayers}`)) numLayers++;
  const config: ModelConfig = { cell, vocabSize: out[0], hiddenSize: H, numLayers, dropout: opts.dropout ?? 0 };
  checkNames(shapes, config);
  return config;
}

function missingLayout(name: string): string {
  return `no ${name} [2-D]: expected the names of PyTorch's rnn = nn.LSTM/GRU/RNN(V, H, L) and decoder = nn.Linear(H, V) (see README, "Use your model elsewhere")`;
}

/** Every name the config needs with its shape, and no other: unknown names (a bidirectional or projected LSTM) are refused. */
function checkNames(shapes: Map<string, number[]>, config: ModelConfig): void {
  const want = expectedShapes(config);
  for (const [name, shape] of want) {
    const got = shapes.get(name);
    if (!got) throw new CharRNNError(`no ${name}: a ${config.numLayers}-layer ${config.cell} needs it, [${shape}]`);
    if (got.join() !== shape.join())
      throw new CharRNNError(
        `${name} is [${got}], expected [${shape}] for a ${config.cell} with hidden size ${config.hiddenSize} over ${config.vocabSize} characters`,
      );
  }
  const extra = [...shapes.keys()].filter((n) => !want.has(n));
  if (extra.length)
    throw new CharRNNError(
      `unexpected ${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', ...' : ''}: charrnn models are one-directional, without projections, and have no other weights`,
    );
}

function expectedShapes(config: ModelConfig): Map<string, number[]> {
  const { hiddenSize: H, vocabSize: V } = config;
  const GH = GATES[config.cell] * H;
  const want = new Map<string, number[]>();
  for (let l = 0; l < config.numLayers; l++) {
    want.set(`rnn.weight_ih_l${l}`, [GH, l === 0 ? V : H]);
    want.set(`rnn.weight_hh_l${l}`, [GH, H]);
    want.set(`rnn.bias_ih_l${l}`, [GH]);
    want.set(`rnn.bias_hh_l${l}`, [GH]);
  }
  want.set('decoder.weight', [V, H]);
  want.set('decoder.bias', [V]);
  return want;
}

/** Our weights by name from a state_dict checked by configOfStateDict (`get` returns a tensor's float32 values). */
export function fromStateDict(config: ModelConfig, get: (name: string) => Float32Array): Record<string, Float32Array> {
  const { hiddenSize: H, vocabSize: V } = config;
  const GH = GATES[config.cell] * H;
  const params: Record<string, Float32Array> = {};
  for (let l = 0; l < config.numLayers; l++) {
    const D = l === 0 ? V : H;
    const kernel = new Float32Array((D + H) * GH);
    kernel.set(transpose(get(`rnn.weight_ih_l${l}`), GH, D));
    kernel.set(transpose(get(`rnn.weight_hh_l${l}`), GH, H), D * GH);
    params[`layer${l}/kernel`] = kernel;
    const [bih, bhh] = [get(`rnn.bias_ih_l${l}`), get(`rnn.bias_hh_l${l}`)];
    // Summed where the two biases only ever add; the GRU's b_hn stays apart (r multiplies it).
    const summed = config.cell === 'gru' ? 2 * H : GH;
    params[`layer${l}/bias`] = bih.map((b, i) => (i < summed && bhh[i] !== 0 ? b + bhh[i] : b)); // b + 0 would turn -0 into 0
    if (config.cell === 'gru') params[`layer${l}/recurrent_bias`] = bhh.slice(2 * H);
  }
  params['output/kernel'] = transpose(get('decoder.weight'), V, H);
  params['output/bias'] = Float32Array.from(get('decoder.bias'));
  return params;
}
