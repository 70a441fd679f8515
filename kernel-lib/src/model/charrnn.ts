import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';
import { Rng } from '../rng';
import { WeightCache } from './cache';
import { Cell, CellState, DEFAULT_INIT_SCALE, uniformVariable } from './cell';
import { checkConfig, ModelConfig } from './config';
import { GRUCell } from './gru';
import { LSTMCell } from './lstm';
import { RNNCell } from './rnn';

/** The state of the whole stack, per layer [B, H]; c only for LSTM. */
export interface RNNState {
  h: tf.Tensor2D[];
  c?: tf.Tensor2D[];
}

export interface CreateOptions {
  /** Seed of the weight initialisation (default 0). */
  seed?: number;
  /** Weights start uniform(-initScale, initScale) (default 0.08, as char-rnn). */
  initScale?: number;
}

/**
 * A stack of recurrent cells reading one-hot characters (char-rnn style, no embedding), with a softmax layer on
 * top of the last one. Parameters by name:
 *   'layer{l}/kernel' [D + H, G*H]  rows 0..D-1 multiply the layer input (D = vocabSize for l = 0, else H),
 *                                   rows D.. the previous h; G = 1 (rnn), 4 (lstm: i,f,g,o), 3 (gru: r,z,n)
 *   'layer{l}/bias' [G*H]; GRU also 'layer{l}/recurrent_bias' [H] (b_hn)
 *   'output/kernel' [H, V], 'output/bias' [V]
 */
export class CharRNN {
  readonly params: Record<string, tf.Variable>;
  /** Weights derived for the engine (transposes, slices), refreshed when a variable changes. */
  readonly derived = new WeightCache();

  private constructor(
    readonly config: ModelConfig,
    /** One cell per layer, bottom first. */
    readonly cells: Cell[],
    readonly outputKernel: tf.Variable,
    readonly outputBias: tf.Variable,
    /** True when the cells are user-written: the engine then trains them through autodiff. */
    readonly custom: boolean,
  ) {
    this.params = {};
    cells.forEach((cell, l) => {
      for (const [name, v] of Object.entries(cell.variables)) this.params[`layer${l}/${name}`] = v;
    });
    this.params['output/kernel'] = outputKernel;
    this.params['output/bias'] = outputBias;
  }

  static create(config: ModelConfig, opts: CreateOptions = {}): CharRNN {
    checkConfig(config);
    const rng = new Rng(opts.seed ?? 0);
    const initScale = opts.initScale ?? DEFAULT_INIT_SCALE;
    const { cell, vocabSize: V, hiddenSize: H } = config;
    const Cell = { rnn: RNNCell, lstm: LSTMCell, gru: GRUCell }[cell];
    const cells: Cell[] = [];
    for (let l = 0; l < config.numLayers; l++) cells.push(new Cell(l === 0 ? V : H, H, { rng, initScale }));
    const kernel = uniformVariable([H, V], rng, initScale);
    const bias = uniformVariable([V], rng, initScale);
    return new CharRNN({ ...config }, cells, kernel, bias, false);
  }

  /**
   * A model over cells you wrote (see Cell): cells[0] reads the one-hot input (inputSize = vocabSize), each next
   * one reads the h of the one below. Trained through autodiff. config.cell is only a label here ('rnn').
   */
  static fromCells(cells: Cell[], vocabSize: number, opts: CreateOptions & { dropout?: number } = {}): CharRNN {
    if (cells.length === 0) throw new CharRNNError('fromCells needs at least one cell');
    const H = cells[cells.length - 1].hiddenSize;
    cells.forEach((cell, l) => {
      const want = l === 0 ? vocabSize : cells[l - 1].hiddenSize;
      if (cell.inputSize !== want)
        throw new CharRNNError(`cell ${l} has inputSize ${cell.inputSize}, expected ${want}`);
      if (cell.hiddenSize !== H) throw new CharRNNError(`all cells must have the same hiddenSize (${H})`);
    });
    const config: ModelConfig = {
      cell: 'rnn',
      vocabSize,
      hiddenSize: H,
      numLayers: cells.length,
      dropout: opts.dropout ?? 0,
    };
    checkConfig(config);
    const rng = new Rng(opts.seed ?? 0);
    const initScale = opts.initScale ?? DEFAULT_INIT_SCALE;
    const kernel = uniformVariable([H, vocabSize], rng, initScale);
    const bias = uniformVariable([vocabSize], rng, initScale);
    return new CharRNN(config, cells, kernel, bias, true);
  }

  /** All-zero state for a batch of B sequences. */
  zeroState(batchSize: number): RNNState {
    const states: CellState[] = this.cells.map((cell) => cell.zeroState(batchSize));
    const h = states.map((s) => s.h);
    if (states.every((s) => s.c)) return { h, c: states.map((s) => s.c as tf.Tensor2D) };
    for (const s of states) s.c?.dispose();
    return { h };
  }

  dispose(): void {
    for (const v of Object.values(this.params)) v.dispose();
    this.derived.clear();
  }
}

/** Disposes every tensor of a state. */
export function disposeState(state: RNNState): void {
  for (const t of state.h) t.dispose();
  for (const t of state.c ?? []) t.dispose();
}
