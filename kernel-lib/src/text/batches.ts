import { CharRNNError } from '../errors';
import { CharIds } from './vocab';

/**
 * Minibatches laid out as char-rnn does. The data is cut into B contiguous streams of equal length
 * (stream b starts at char b * stride), each chopped into T-long chunks: batch i holds chunk i of every stream,
 * so batch i + 1 continues batch i in each stream and the hidden state can carry over between them.
 * The tail that does not fill a whole batch is left out. Targets are the next char: y[t, b] = x[t + 1, b]
 * within a chunk, and the last target of a chunk is the first input of the next chunk.
 */
export class Batches {
  readonly numBatches: number;
  readonly batchSize: number;
  readonly seqLength: number;
  /** Chars per stream: numBatches * seqLength. */
  readonly stride: number;

  constructor(
    readonly data: CharIds,
    batchSize: number,
    seqLength: number,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new CharRNNError(`batch size must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(seqLength) || seqLength < 1)
      throw new CharRNNError(`sequence length must be a positive integer, got ${seqLength}`);
    this.batchSize = batchSize;
    this.seqLength = seqLength;
    // One char is kept back so that the last target of the last stream exists.
    this.numBatches = Math.floor((data.length - 1) / (batchSize * seqLength));
    if (this.numBatches < 1) {
      throw new CharRNNError(
        `data is too small for one batch: ${data.length} chars, but batch size ${batchSize} x sequence length ${seqLength} ` +
          `needs at least ${batchSize * seqLength + 1}; use a smaller --batch-size or --seq-length, or more text`,
      );
    }
    this.stride = this.numBatches * seqLength;
  }

  /** Batch i: x and y are time-major [T, B] (index t * B + b), y is x shifted by one char. */
  get(i: number): { x: Int32Array; y: Int32Array; T: number; B: number } {
    if (!Number.isInteger(i) || i < 0 || i >= this.numBatches)
      throw new RangeError(`batch ${i} is outside 0..${this.numBatches - 1}`);
    const T = this.seqLength;
    const B = this.batchSize;
    const x = new Int32Array(T * B); // [T, B]
    const y = new Int32Array(T * B); // [T, B]
    for (let b = 0; b < B; b++) {
      const start = b * this.stride + i * T;
      for (let t = 0; t < T; t++) {
        x[t * B + b] = this.data[start + t];
        y[t * B + b] = this.data[start + t + 1];
      }
    }
    return { x, y, T, B };
  }
}
