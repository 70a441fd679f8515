/** The recurrent cell types built in. */
export type CellType = 'rnn' | 'lstm' | 'gru';

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
