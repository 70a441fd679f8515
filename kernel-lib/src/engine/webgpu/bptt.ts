import * as tf from '@tensorflow/tfjs-core';
import { CharRNN, RNNState } from '../../model/charrnn';
import { GATES } from '../../model/config';
import { Batch, checkInputs } from '../batch';
import type { LossAndGrads } from '../contract';
import { Commands, f32bits } from './commands';
import { requireGpu } from './device';
import { CROSS_ENTROPY, DROPOUT_MASK, backwardShader, forwardShader } from './shaders';

/**
 * Where each parameter sits in one flat buffer of all parameters; the gradients and each optimizer slot use the
 * same layout, so clipping and the update are one pass over all of them.
 */
export interface Layout {
  keys: string[];
  offsets: Record<string, number>;
  shapes: Record<string, number[]>;
  total: number;
}

export function layoutOf(model: CharRNN): Layout {
  const keys = Object.keys(model.params);
  const offsets: Record<string, number> = {};
  const shapes: Record<string, number[]> = {};
  let total = 0;
  for (const k of keys) {
    offsets[k] = total;
    shapes[k] = model.params[k].shape;
    total += model.params[k].size;
  }
  return { keys, offsets, shapes, total };
}

/** The values of named tensors in one flat array of `layout`. */
export function flatten(layout: Layout, tensors: Record<string, tf.Tensor>): Float32Array {
  const out = new Float32Array(layout.total);
  for (const k of layout.keys) out.set(tensors[k].dataSync() as Float32Array, layout.offsets[k]);
  return out;
}

/** Named tensors cut out of a flat array of `layout`. */
export function unflatten(layout: Layout, flat: Float32Array): Record<string, tf.Tensor> {
  return Object.fromEntries(
    layout.keys.map((k) => [
      k,
      tf.tensor(
        flat.subarray(layout.offsets[k], layout.offsets[k] + tf.util.sizeFromShape(layout.shapes[k])),
        layout.shapes[k],
      ),
    ]),
  );
}

/** One layer's buffers in a forward pass over T steps; N = T*B rows, time-major. */
export interface LayerBuffers {
  D: number; // the layer's input size
  kernel: number; // element offsets in the flat parameters: [D + H, GH]
  bias: number; // [GH]
  bhn: number; // [H] (GRU)
  X: GPUBuffer; // the layer's input [N, D]
  XW: GPUBuffer; // X W_x + b [N, GH]
  Z: GPUBuffer; // gate activations [N, GH]
  HS: GPUBuffer; // h_0 .. h_T [(T+1)*B, H]
  CS?: GPUBuffer; // c_0 .. c_T (LSTM)
  HN?: GPUBuffer; // h_{t-1} W_hn + b_hn [N, H] (GRU)
}

/** What a recorded forward pass leaves for the backward pass: see Forward.recordForward. */
export interface ForwardBuffers {
  layers: LayerBuffers[];
  top: GPUBuffer;
  topOff: number;
  logits: GPUBuffer;
}

/**
 * The model's forward pass on the GPU for a fixed T and B: the buffers it reads, made once, and its commands,
 * recorded into `cmd`. Inputs, written before each send: params (flat, `layout`), x (u32 ids [N]) and the carried
 * state h[l] (and c[l]) [B, H], which holds the state after the last step once the pass has run. The training pass
 * (Pass) and inference (./forward.ts) both build on it.
 */
export class Forward {
  readonly layout: Layout;
  readonly params: GPUBuffer;
  readonly x: GPUBuffer;
  readonly h: GPUBuffer[];
  readonly c?: GPUBuffer[];

  constructor(
    protected readonly cmd: Commands,
    readonly model: CharRNN,
    readonly T: number,
    readonly B: number,
  ) {
    const H = model.config.hiddenSize;
    this.layout = layoutOf(model);
    this.params = cmd.buffer(this.layout.total);
    this.x = cmd.buffer(T * B);
    this.h = model.cells.map(() => cmd.buffer(B * H));
    this.c = model.config.cell === 'lstm' ? model.cells.map(() => cmd.buffer(B * H)) : undefined;
  }

  /**
   * Records the forward pass: per layer, one product projects the input of all T steps (X W_x + b), then per step
   * one product h_{t-1} W_h and one fused cell kernel; then the softmax layer's logits [N, V]. masks[l] (inverted
   * dropout [N, H]) multiplies the input of layer l >= 1, masks[L] the softmax's input. Returns the layers' buffers,
   * the softmax's input (`top`, [N, H] from element offset `topOff`) and the logits.
   */
  recordForward(masks: (GPUBuffer | undefined)[]): ForwardBuffers {
    const layers = this.model.cells.map((_, l) => this.layerBuffers(l));
    layers.forEach((ly, l) => this.recordLayer(ly, l, layers[l - 1], masks[l]));
    return { layers, ...this.recordLogits(layers[layers.length - 1], masks[layers.length]) };
  }

  /** Layer l's offsets in the flat parameters and the buffers of its pass over T steps. */
  private layerBuffers(l: number): LayerBuffers {
    const { cmd, T, B } = this;
    const { cell, vocabSize: V, hiddenSize: H } = this.model.config;
    const [N, GH, D] = [T * B, GATES[cell] * H, l === 0 ? V : H];
    const off = this.layout.offsets;
    return {
      D,
      kernel: off[`layer${l}/kernel`],
      bias: off[`layer${l}/bias`],
      bhn: off[`layer${l}/recurrent_bias`] ?? 0,
      X: cmd.buffer(N * D),
      XW: cmd.buffer(N * GH),
      Z: cmd.buffer(N * GH),
      HS: cmd.buffer((T + 1) * B * H),
      CS: cell === 'lstm' ? cmd.buffer((T + 1) * B * H) : undefined,
      HN: cell === 'gru' ? cmd.buffer(N * H) : undefined,
    };
  }

  /** Layer l over all T steps, from the carried state; the last step's state is carried on. */
  private recordLayer(ly: LayerBuffers, l: number, below: LayerBuffers | undefined, mask?: GPUBuffer): void {
    const { cmd, T, B, params } = this;
    const { cell, vocabSize: V, hiddenSize: H } = this.model.config;
    const [N, GH] = [T * B, GATES[cell] * H];
    // Its input [N, D]: one-hot characters, or the h_1 .. h_T of the layer below through its dropout mask.
    if (below) cmd.copy(N * H, below.HS, B * H, ly.X, 0, mask);
    else cmd.oneHot(this.x, N, V, ly.X);
    cmd.broadcastRows(params, ly.bias, GH, ly.XW, N);
    const Wx = { buf: params, off: ly.kernel, ld: GH };
    cmd.matmul(N, GH, ly.D, { buf: ly.X, ld: ly.D }, Wx, { buf: ly.XW, ld: GH }, { accumulate: true });
    cmd.copy(B * H, this.h[l], 0, ly.HS, 0);
    if (ly.CS) cmd.copy(B * H, this.c![l], 0, ly.CS, 0);
    const fwd = forwardShader(cell);
    const hw = cmd.buffer(B * GH); // h_{t-1} W_h [B, GH]
    const Wh = { buf: params, off: ly.kernel + ly.D * GH, ld: GH };
    for (let t = 0; t < T; t++) {
      cmd.matmul(B, GH, H, { buf: ly.HS, off: t * B * H, ld: H }, Wh, { buf: hw, ld: GH });
      const bufs = [ly.XW, hw, ly.Z, ly.HS, ...(ly.CS ? [ly.CS] : []), ...(ly.HN ? [ly.HN, params] : [])];
      cmd.elementwise(fwd, { B, H, t, offBhn: ly.bhn }, bufs, B * H);
    }
    cmd.copy(B * H, ly.HS, T * B * H, this.h[l], 0);
    if (ly.CS) cmd.copy(B * H, ly.CS, T * B * H, this.c![l], 0);
  }

  /** The softmax layer's logits [N, V], from the top layer's h_1 .. h_T (through its dropout mask). */
  private recordLogits(topLayer: LayerBuffers, mask?: GPUBuffer): Omit<ForwardBuffers, 'layers'> {
    const { cmd, T, B, params } = this;
    const { vocabSize: V, hiddenSize: H } = this.model.config;
    const N = T * B;
    const off = this.layout.offsets;
    let [top, topOff] = [topLayer.HS, B * H];
    if (mask) {
      top = cmd.buffer(N * H);
      topOff = 0;
      cmd.copy(N * H, topLayer.HS, B * H, top, 0, mask);
    }
    const logits = cmd.buffer(N * V);
    cmd.broadcastRows(params, off['output/bias'], V, logits, N);
    const W = { buf: params, off: off['output/kernel'], ld: V };
    cmd.matmul(N, V, H, { buf: top, off: topOff, ld: H }, W, { buf: logits, ld: V }, { accumulate: true });
    return { top, topOff, logits };
  }

  /** Writes a carried state [B, H] per layer. */
  writeState(state: RNNState): void {
    state.h.forEach((t, l) => this.cmd.write(this.h[l], 0, t.dataSync() as Float32Array));
    state.c?.forEach((t, l) => this.cmd.write(this.c![l], 0, t.dataSync() as Float32Array));
  }

  /** The carried state, read back as new tensors. */
  async readState(): Promise<RNNState> {
    const H = this.model.config.hiddenSize;
    const read = async (buf: GPUBuffer) => tf.tensor2d(await this.cmd.read(buf, 0, this.B * H), [this.B, H]);
    const h = await Promise.all(this.h.map(read));
    return this.c ? { h, c: await Promise.all(this.c.map(read)) } : { h };
  }
}

/**
 * One batch's loss and gradients on the GPU for a fixed T and B: the forward pass (Forward), then loss and backprop
 * through time, recorded into `cmd` so that a training run replays them every iteration. The same maths and
 * parameters as the TF.js engine's lossAndGrads (../tfjs/bptt.ts). Backward per step one fused kernel and one product
 * into d h_{t-1}, then each weight gradient in one product over all T*B rows. G gates; D = the layer's input size.
 *
 * Inputs besides Forward's, written before each send: y (u32 ids [N]) and `step` = [dropout seed, iteration, ...]
 * keying the dropout masks. Outputs: grads (flat), the mean loss in loss[0], and the state after the last step.
 */
export class Pass extends Forward {
  readonly grads: GPUBuffer;
  readonly loss: GPUBuffer;
  readonly y: GPUBuffer;
  /** [dropout seed, iteration, then what the optimizer update reads]: written before each send. */
  readonly step: GPUBuffer;
  /** Inverted-dropout masks [N, H]: masks[l] for the input of layer l >= 1, masks[L] for the softmax's input. */
  readonly masks: (GPUBuffer | undefined)[];
  /** Rows [1, N] of ones and of 1/N: their products sum and average over all N rows. */
  private readonly onesRow: GPUBuffer;
  private readonly meanRow: GPUBuffer;

  constructor(cmd: Commands, model: CharRNN, T: number, B: number) {
    super(cmd, model, T, B);
    const { hiddenSize: H, numLayers: L, dropout } = model.config;
    const N = T * B;
    this.grads = cmd.buffer(this.layout.total);
    this.loss = cmd.buffer(1);
    this.y = cmd.buffer(N);
    this.step = cmd.buffer(4);
    this.masks = Array.from({ length: L + 1 }, (_, l) => (dropout > 0 && l > 0 ? cmd.buffer(N * H) : undefined));
    this.onesRow = cmd.buffer(new Float32Array(N).fill(1));
    this.meanRow = cmd.buffer(new Float32Array(N).fill(1 / N));
  }

  /** Records the pass; with `dropout`, the masks are drawn first from the counter-based RNG keyed by `step`. */
  record(dropout: boolean): void {
    const { cmd, T, B } = this;
    const { hiddenSize: H, dropout: q } = this.model.config;
    const count = T * B * H;
    const masks = dropout ? this.masks : [];
    const keep = f32bits(1 / (1 - q));
    masks.forEach(
      (m, layer) => m && cmd.elementwise(DROPOUT_MASK, { count, layer, q: f32bits(q), keep }, [this.step, m], count),
    );
    const forward = this.recordForward(masks);
    this.recordBackward(forward, masks, this.recordLoss(forward));
  }

  /**
   * The softmax layer: logits [N, V] become d loss / d logits in place; the loss per row, then their mean; the
   * output layer's gradients. Returns d loss / d (its input) [N, H].
   */
  private recordLoss({ top, topOff, logits }: ForwardBuffers): GPUBuffer {
    const { cmd, T, B, params, grads } = this;
    const { vocabSize: V, hiddenSize: H } = this.model.config;
    const N = T * B;
    const [outW, outB] = [this.layout.offsets['output/kernel'], this.layout.offsets['output/bias']]; // [H, V], [V]
    const lossRows = cmd.buffer(N);
    cmd.rows(CROSS_ENTROPY, { N, V }, [this.y, logits, lossRows], N);
    cmd.matmul(1, 1, N, { buf: this.meanRow, ld: N }, { buf: lossRows, ld: 1 }, { buf: this.loss, ld: 1 });
    const dLogits = { buf: logits, ld: V };
    cmd.matmul(H, V, N, { buf: top, off: topOff, ld: H, trans: true }, dLogits, { buf: grads, off: outW, ld: V });
    cmd.matmul(1, V, N, { buf: this.onesRow, ld: N }, dLogits, { buf: grads, off: outB, ld: V });
    const dh = cmd.buffer(N * H);
    cmd.matmul(N, H, V, dLogits, { buf: params, off: outW, ld: V, trans: true }, { buf: dh, ld: H });
    return dh;
  }

  /**
   * Backprop through time, top layer first: per step one fused kernel and one product into d h_{t-1}, then the
   * layer's weight gradients in one product each over all T*B rows, and d loss / d (its input) for the layer below.
   * `dh` [N, H] holds d loss / d h of the layer being differentiated, all steps, before its dropout mask.
   */
  private recordBackward({ layers }: ForwardBuffers, masks: (GPUBuffer | undefined)[], dh: GPUBuffer): void {
    const { cmd, T, B, params, grads } = this;
    const { cell, hiddenSize: H } = this.model.config;
    const [N, GH, L] = [T * B, GATES[cell] * H, layers.length];
    const dhMasked = this.model.config.dropout > 0 ? cmd.buffer(N * H) : dh;
    const throughMask = (mask?: GPUBuffer) => {
      if (!mask) return dh;
      cmd.copy(N * H, dh, 0, dhMasked, 0, mask);
      return dhMasked;
    };
    let dH = throughMask(masks[L]);
    const bwd = backwardShader(cell);
    const dhn = cmd.buffer(B * H);
    const dcn = cell === 'lstm' ? cmd.buffer(B * H) : undefined;
    const dXW = cmd.buffer(N * GH);
    const dHW = cell === 'gru' ? cmd.buffer(N * GH) : dXW;
    const ones = { buf: this.onesRow, ld: N };
    for (let l = L - 1; l >= 0; l--) {
      const ly = layers[l];
      const Wh = { buf: params, off: ly.kernel + ly.D * GH, ld: GH, trans: true };
      cmd.clear(dhn);
      if (dcn) cmd.clear(dcn);
      for (let t = T - 1; t >= 0; t--) {
        const bufs =
          cell === 'rnn'
            ? [ly.Z, dH, dhn, dXW]
            : cell === 'lstm'
              ? [ly.Z, dH, dhn, dXW, ly.CS!, dcn!]
              : [ly.Z, dH, dhn, dXW, ly.HS, ly.HN!, dHW];
        cmd.elementwise(bwd, { B, H, t }, bufs, B * H);
        const dHWt = { buf: dHW, off: t * B * GH, ld: GH };
        if (t > 0) cmd.matmul(B, H, GH, dHWt, Wh, { buf: dhn, ld: H }, { accumulate: cell === 'gru' });
      }
      const [dx, dhw] = [
        { buf: dXW, ld: GH },
        { buf: dHW, ld: GH },
      ];
      cmd.matmul(ly.D, GH, N, { buf: ly.X, ld: ly.D, trans: true }, dx, { buf: grads, off: ly.kernel, ld: GH });
      const dWh = { buf: grads, off: ly.kernel + ly.D * GH, ld: GH };
      cmd.matmul(H, GH, N, { buf: ly.HS, ld: H, trans: true }, dhw, dWh);
      cmd.matmul(1, GH, N, ones, dx, { buf: grads, off: ly.bias, ld: GH });
      const dhwN = { buf: dHW, off: 2 * H, ld: GH }; // the n gate's columns
      if (cell === 'gru') cmd.matmul(1, H, N, ones, dhwN, { buf: grads, off: ly.bhn, ld: H });
      if (l > 0) {
        cmd.matmul(N, H, GH, dx, { buf: params, off: ly.kernel, ld: GH, trans: true }, { buf: dh, ld: H });
        dH = throughMask(masks[l]);
      }
    }
  }

  /** Writes a batch's ids and the dropout key before a send. */
  writeBatch(batch: Batch, dropoutSeed: number, iteration: number): void {
    this.cmd.write(this.x, 0, Uint32Array.from(batch.x));
    this.cmd.write(this.y, 0, Uint32Array.from(batch.y));
    this.cmd.write(this.step, 0, Uint32Array.of(dropoutSeed >>> 0, iteration >>> 0));
  }
}

/**
 * Loss and gradients of one batch on the GPU, as one command buffer with nothing read back inside: equal (to float
 * tolerance) to the TF.js engine's lossAndGrads without dropout. With dropout the masks come from the GPU's
 * counter-based RNG keyed by (dropoutSeed, iteration, layer), not from the CPU engines' generator: the same seed
 * gives the same masks on every GPU, but not the CPU engines' masks. This uploads the weights and reads the
 * gradients back for every batch; a training run keeps them on the GPU instead (./run.ts).
 */
export async function webgpuLossAndGrads(
  model: CharRNN,
  batch: Batch,
  state: RNNState,
  opts: { dropoutSeed?: number; iteration?: number } = {},
): Promise<LossAndGrads> {
  const { T, B } = batch;
  checkInputs(model, [batch.x, batch.y], T, B, state);
  const cmd = new Commands(await requireGpu());
  try {
    const pass = new Pass(cmd, model, T, B);
    cmd.write(pass.params, 0, flatten(pass.layout, model.params));
    pass.writeBatch(batch, opts.dropoutSeed ?? 0, opts.iteration ?? 0);
    pass.writeState(state);
    pass.record(opts.dropoutSeed !== undefined);
    cmd.submit();
    const [loss] = await cmd.read(pass.loss, 0, 1);
    const grads = unflatten(pass.layout, await cmd.read(pass.grads, 0, pass.layout.total));
    return { loss, grads, state: await pass.readState() };
  } finally {
    cmd.destroy();
  }
}
