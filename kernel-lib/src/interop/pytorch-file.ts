/**
 * A charrnn model as a safetensors file PyTorch loads (`safetensors.torch.load_file`, then `load_state_dict` into
 * the two modules named in torch.ts), and back: the weights under PyTorch's names, the vocabulary, the model config
 * and, for a pretrained model, its card in the file's metadata.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import { checkConfig, type CellType, type ModelConfig } from '../model/config';
import type { ModelCard } from '../pretrained/pretrained';
import { Vocab } from '../text/vocab';
import { FLOAT16_MAX, toFloat16 } from '../train/float16';
import { readSafetensors, writeSafetensors, type StoredTensor } from './safetensors';
import { configOfStateDict, fromStateDict, toStateDict, weightsOf } from './torch';

export const EXPORT_DTYPES = ['float32', 'float16'] as const;
export type ExportDtype = (typeof EXPORT_DTYPES)[number];

/** The metadata keys the export writes (all strings, as the format wants; JSON where structured). */
const META = {
  config: 'charrnn.config',
  vocab: 'charrnn.vocab',
  card: 'charrnn.card',
  layout: 'charrnn.layout',
} as const;

const LAYOUT =
  'rnn = nn.LSTM/GRU/RNN(V, H, L) over one-hot characters [T, B, V]; decoder = nn.Linear(H, V); vocab: id -> character';

const bytesOf = (a: Float32Array | Uint16Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The safetensors bytes of `model` with `vocab` (and a pretrained model's `card`), its weights as `dtype`. */
export function modelToSafetensors(
  model: CharRNN,
  vocab: Vocab,
  opts: { dtype?: ExportDtype; card?: ModelCard } = {},
): Buffer {
  if (model.custom) throw new CharRNNError('a model of cells you wrote has no PyTorch counterpart to export to');
  const tensors = toStateDict(model.config, weightsOf(model)).map(([name, t]): [string, StoredTensor] => {
    if (opts.dtype !== 'float16') return [name, { dtype: 'F32', shape: t.shape, bytes: bytesOf(t.values) }];
    const big = t.values.findIndex((x) => !(Math.abs(x) <= FLOAT16_MAX));
    if (big >= 0) throw new CharRNNError(`${name} holds ${t.values[big]}, beyond float16's range; export float32`);
    return [name, { dtype: 'F16', shape: t.shape, bytes: bytesOf(toFloat16(t.values)) }];
  });
  const metadata: Record<string, string> = {
    [META.config]: JSON.stringify(model.config),
    [META.vocab]: JSON.stringify(vocab.chars),
    [META.layout]: LAYOUT,
  };
  if (opts.card) metadata[META.card] = JSON.stringify(opts.card);
  return writeSafetensors(tensors, metadata);
}

export interface ImportOptions {
  /** The characters in id order, where the file's metadata has none (or to replace it). */
  vocab?: string[];
  /** The cell, where the gate count alone cannot say (an nn.RNN is told from its 1 gate). */
  cell?: CellType;
  dropout?: number;
}

export interface ImportedModel {
  model: CharRNN;
  vocab: Vocab;
  card?: ModelCard;
}

/**
 * A model from safetensors bytes written by `modelToSafetensors` or by PyTorch's `save_file` of the two modules'
 * state_dict. Refused with one line naming `what` when the file, the names, the shapes or the vocabulary do not fit.
 */
export function modelFromSafetensors(bytes: Uint8Array, what: string, opts: ImportOptions = {}): ImportedModel {
  const file = readSafetensors(bytes, what);
  const saved = parseMeta<Partial<ModelConfig>>(file.metadata, META.config, what);
  const shapes = new Map([...file.tensors].map(([name, t]) => [name, t.shape]));
  const config = configOfStateDict(shapes, {
    cell: opts.cell ?? saved?.cell,
    dropout: opts.dropout ?? saved?.dropout,
  });
  checkConfig(config);
  const chars = opts.vocab ?? parseMeta<string[]>(file.metadata, META.vocab, what);
  if (!chars)
    throw new CharRNNError(`${what} holds no vocabulary (metadata ${META.vocab}); give one with --vocab FILE`);
  const vocab = Vocab.fromChars(chars);
  if (vocab.size !== config.vocabSize)
    throw new CharRNNError(
      `the vocabulary has ${vocab.size} characters, but decoder.weight has ${config.vocabSize} rows: they must be equal`,
    );
  const params = fromStateDict(config, (name) => float32Of(file.tensors.get(name)!));
  const model = CharRNN.create(config);
  tf.tidy(() => {
    for (const [name, v] of Object.entries(model.params)) v.assign(tf.tensor(params[name], v.shape));
  });
  return { model, vocab, card: parseMeta<ModelCard>(file.metadata, META.card, what) };
}

/** A tensor's values as float32: F16 decoded by TF.js (as the float16 checkpoints are), F32 copied out aligned. */
function float32Of(t: StoredTensor): Float32Array {
  if (t.dtype === 'F32') return new Float32Array(Uint8Array.from(t.bytes).buffer);
  const spec = { name: 'x', shape: t.shape, dtype: 'float32' as const, quantization: { dtype: 'float16' as const } };
  const decoded = tf.io.decodeWeights(Uint8Array.from(t.bytes).buffer, [spec]).x;
  const values = decoded.dataSync() as Float32Array;
  decoded.dispose();
  return values;
}

function parseMeta<T>(meta: Record<string, string>, key: string, what: string): T | undefined {
  if (meta[key] === undefined) return undefined;
  try {
    return JSON.parse(meta[key]) as T;
  } catch {
    throw new CharRNNError(`${what}: metadata ${key} is not JSON`);
  }
}
