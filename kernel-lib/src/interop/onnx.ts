/**
 * A charrnn model as an ONNX graph of standard operators (opset 14), built with onnx-proto (ONNX's own protobuf
 * schema for JavaScript). Every cell maps onto ONNX's recurrent operator exactly, so there is no fallback graph:
 *
 *   ids [T, B] int64 -> Gather(identity [V, V]) = one-hot [T, B, V]
 *     -> per layer: LSTM / GRU (linear_before_reset = 1: the reset gate applied after the recurrent product, as
 *        PyTorch and we do) / RNN (tanh), its state sliced from h0 [L, B, H] (and c0), its Y [T, 1, B, H] squeezed
 *     -> MatMul(output kernel [H, V]) + bias = logits [T, B, V];   h [L, B, H] (and c) = the layers' last states
 *
 * ONNX orders the gates its own way (LSTM i, o, f, c; GRU z, r, h) and keeps the input and recurrent biases apart;
 * the weights come from the PyTorch state_dict (torch.ts), whose orders are ours, with the gate blocks moved. The
 * one-step model is the same graph over one character: id [B] in, logits [B, V] out.
 */
import { onnx } from 'onnx-proto';
import { CharRNNError } from '../errors';
import type { CharRNN } from '../model/charrnn';
import type { Vocab } from '../text/vocab';
import { toStateDict, weightsOf, type Float32Tensor } from './torch';

export const ONNX_OPSET = 14;
export const ONNX_STEPS = ['sequence', 'one'] as const;
export type OnnxSteps = (typeof ONNX_STEPS)[number];

/** ONNX's gate blocks, as indices of PyTorch's (= ours): LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h. */
const GATE_ORDER = { lstm: [0, 3, 1, 2], gru: [1, 0, 2], rnn: [0] };
const OP = { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN' };
const { FLOAT, INT64 } = onnx.TensorProto.DataType;

/** Rows of `t` [G*H, ...] regrouped into `order`'s gate blocks, with a leading axis of 1 (ONNX's directions). */
function gates(t: Float32Tensor, order: number[]): Float32Tensor {
  const block = t.values.length / order.length;
  const values = new Float32Array(t.values.length);
  order.forEach((g, k) => values.set(t.values.subarray(g * block, (g + 1) * block), k * block));
  return { shape: [1, ...t.shape], values };
}

function floats(name: string, t: Float32Tensor): onnx.ITensorProto {
  const raw = new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength);
  return { name, dims: t.shape, dataType: FLOAT, rawData: raw };
}

function int64s(name: string, values: number[]): onnx.ITensorProto {
  return { name, dims: [values.length], dataType: INT64, int64Data: values };
}

function valueInfo(name: string, type: number, dims: (number | string)[]): onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: type, shape: { dim } } } };
}

function node(opType: string, input: string[], output: string[], attribute: onnx.IAttributeProto[] = []) {
  return { opType, input, output, name: `${opType}_${output[0]}`, attribute };
}

const INT = onnx.AttributeProto.AttributeType.INT;

/** Layer l: its weights in ONNX's layout, its state sliced out of h0 (and c0), the recurrent node, x{l+1} [T, B, H]. */
function layer(
  l: number,
  config: CharRNN['config'],
  dict: Map<string, Float32Tensor>,
  init: onnx.ITensorProto[],
  nodes: onnx.INodeProto[],
): void {
  const { cell, hiddenSize: H } = config;
  const lstm = cell === 'lstm';
  const order = GATE_ORDER[cell];
  const [ih, hh] = [dict.get(`rnn.bias_ih_l${l}`)!, dict.get(`rnn.bias_hh_l${l}`)!];
  const bias = new Float32Array(2 * ih.values.length); // ONNX's B: the input biases, then the recurrent ones
  bias.set(gates(ih, order).values);
  bias.set(gates(hh, order).values, ih.values.length);
  init.push(
    floats(`W${l}`, gates(dict.get(`rnn.weight_ih_l${l}`)!, order)),
    floats(`R${l}`, gates(dict.get(`rnn.weight_hh_l${l}`)!, order)),
    floats(`B${l}`, { shape: [1, bias.length], values: bias }),
    int64s(`from${l}`, [l]),
    int64s(`to${l}`, [l + 1]),
  );
  const state = (s: string) => node('Slice', [`${s}0`, `from${l}`, `to${l}`, 'axis0'], [`${s}0_l${l}`]);
  nodes.push(state('h'), ...(lstm ? [state('c')] : []));
  const attrs: onnx.IAttributeProto[] = [{ name: 'hidden_size', type: INT, i: H }];
  if (cell === 'gru') attrs.push({ name: 'linear_before_reset', type: INT, i: 1 });
  const inputs = [`x${l}`, `W${l}`, `R${l}`, `B${l}`, '', `h0_l${l}`, ...(lstm ? [`c0_l${l}`] : [])];
  nodes.push(node(OP[cell], inputs, [`y${l}`, `h_l${l}`, ...(lstm ? [`c_l${l}`] : [])], attrs));
  nodes.push(node('Squeeze', [`y${l}`, 'axis1'], [`x${l + 1}`]));
}

/** The ONNX model's bytes: `steps` 'sequence' reads ids [T, B], 'one' one id per stream [B]. */
export function modelToOnnx(model: CharRNN, vocab: Vocab, steps: OnnxSteps = 'sequence'): Uint8Array {
  if (model.custom) throw new CharRNNError('a model of cells you wrote has no ONNX counterpart to export to');
  const { cell, numLayers: L, hiddenSize: H, vocabSize: V } = model.config;
  const params = weightsOf(model);
  const dict = new Map(toStateDict(model.config, params));
  const eye = new Float32Array(V * V).map((_, i) => (i % (V + 1) === 0 ? 1 : 0));
  const init: onnx.ITensorProto[] = [
    floats('one_hot_table', { shape: [V, V], values: eye }),
    int64s('axis0', [0]),
    int64s('axis1', [1]),
  ];
  const nodes: onnx.INodeProto[] = [];
  const ids = steps === 'one' ? 'ids_1' : 'ids';
  if (steps === 'one') nodes.push(node('Unsqueeze', ['id', 'axis0'], [ids]));
  nodes.push(node('Gather', ['one_hot_table', ids], ['x0']));
  const lstm = cell === 'lstm';
  for (let l = 0; l < L; l++) layer(l, model.config, dict, init, nodes);
  init.push(floats('output_kernel', { shape: [H, V], values: params['output/kernel'] }));
  init.push(floats('output_bias', { shape: [V], values: params['output/bias'] }));
  const logits = steps === 'one' ? 'logits_1' : 'logits';
  nodes.push(node('MatMul', [`x${L}`, 'output_kernel'], ['scores']), node('Add', ['scores', 'output_bias'], [logits]));
  if (steps === 'one') nodes.push(node('Squeeze', [logits, 'axis0'], ['logits']));
  const concat = (s: string) =>
    node(
      'Concat',
      Array.from({ length: L }, (_, l) => `${s}_l${l}`),
      [s],
      [{ name: 'axis', type: INT, i: 0 }],
    );
  nodes.push(concat('h'), ...(lstm ? [concat('c')] : []));
  const seq = steps === 'one' ? ['B'] : ['T', 'B'];
  const states = (s: string) => [valueInfo(`${s}0`, FLOAT, [L, 'B', H])];
  const outStates = (s: string) => [valueInfo(s, FLOAT, [L, 'B', H])];
  const graph: onnx.IGraphProto = {
    name: `charrnn ${cell} ${L}x${H}`,
    node: nodes,
    initializer: init,
    input: [valueInfo(steps === 'one' ? 'id' : 'ids', INT64, seq), ...states('h'), ...(lstm ? states('c') : [])],
    output: [valueInfo('logits', FLOAT, [...seq, V]), ...outStates('h'), ...(lstm ? outStates('c') : [])],
  };
  const modelProto: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'charrnn',
    graph,
    metadataProps: [
      { key: 'charrnn.config', value: JSON.stringify(model.config) },
      { key: 'charrnn.vocab', value: JSON.stringify(vocab.chars) },
    ],
  };
  return onnx.ModelProto.encode(modelProto).finish();
}
