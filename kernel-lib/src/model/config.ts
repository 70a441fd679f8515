import { CELL_TYPES, type CellType } from '@charrnn/schema';
import { CharRNNError, oneOf } from '../errors';

// The recurrent cell types built in: defined with the views that name them (@charrnn/schema).
export type { CellType };

/** Plain config of a stacked char-level model, saved as is in checkpoints. */
export interface ModelConfig {
  cell: CellType;
  /** Number of characters in the vocabulary (input one-hot size and softmax size). */
  vocabSize: number;
  /** Hidden size H of every layer. */
  hiddenSize: number;
  numLayers: number;
  /** Dropout probability between layers and before the output layer (0 = none), as in char-rnn. */
  dropout: number;
}

/** Gates per cell type: the kernel of a layer is [D + H, gates * H]. */
export const GATES: Record<CellType, number> = { rnn: 1, lstm: 4, gru: 3 };

/** Throws a CharRNNError naming the first field of `c` that no model can have. */
export function checkConfig(c: ModelConfig): void {
  const whole = (v: number) => Number.isInteger(v) && v >= 1;
  if (!CELL_TYPES.includes(c.cell)) throw new CharRNNError(`unknown cell '${c.cell}' (expected ${oneOf(CELL_TYPES)})`);
  if (!whole(c.vocabSize)) throw new CharRNNError(`vocabSize must be a positive integer, got ${c.vocabSize}`);
  if (!whole(c.hiddenSize)) throw new CharRNNError(`hiddenSize must be a positive integer, got ${c.hiddenSize}`);
  if (!whole(c.numLayers)) throw new CharRNNError(`numLayers must be a positive integer, got ${c.numLayers}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new CharRNNError(`dropout must be in [0, 1), got ${c.dropout}`);
}

/** Shapes of layer l's weights, by name within the layer (see CharRNN for their meaning). */
export function layerShapes(c: ModelConfig, l: number): Record<string, number[]> {
  const H = c.hiddenSize;
  const D = l === 0 ? c.vocabSize : H;
  const G = GATES[c.cell];
  return { kernel: [D + H, G * H], bias: [G * H], ...(c.cell === 'gru' ? { recurrent_bias: [H] } : {}) };
}

/** Shapes of every weight of a model with config `c`, by parameter name. */
export function paramShapes(c: ModelConfig): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (let l = 0; l < c.numLayers; l++) {
    for (const [name, shape] of Object.entries(layerShapes(c, l))) shapes[`layer${l}/${name}`] = shape;
  }
  shapes['output/kernel'] = [c.hiddenSize, c.vocabSize];
  shapes['output/bias'] = [c.vocabSize];
  return shapes;
}

/** Number of weights of a model with config `c`, without listing them (layers above the first are alike). */
export function paramCount(c: ModelConfig): number {
  const size = (shapes: Record<string, number[]>) => Object.values(shapes).reduce((n, s) => n + s[0] * (s[1] ?? 1), 0);
  return (
    size(layerShapes(c, 0)) + (c.numLayers - 1) * size(layerShapes(c, 1)) + c.hiddenSize * c.vocabSize + c.vocabSize
  );
}
