/**
 * Gate saturation (Karpathy, Johnson and Fei-Fei 2015, "Visualizing and Understanding Recurrent Networks"): for each
 * layer, gate and unit, the fraction of characters where the gate is left-saturated (< 0.1) or right-saturated
 * (> 0.9). Their finding: LSTM forget gates with many right-saturated units act as long-term memory switches.
 * Sigmoid gates are in [0, 1]; tanh "gates" (LSTM cell candidate, GRU candidate, vanilla RNN) are in [-1, 1] and are
 * read as (v + 1) / 2, so 0.1 / 0.9 mean below -0.8 / above 0.8.
 */
import type { MimeBundle } from '../display/bundle';
import { VIEW_VERSIONS, type GateSaturation, type SaturationView } from '@charrnn/schema';
import { saturationBundle } from '../display/saturation';
import { CharRNNError } from '../errors';
import { CellType } from '../model/config';
import { TextTrace } from './trace';

/** Gate names in the engine's block order, and whether each is a tanh. */
export const GATE_NAMES: Record<CellType, { name: string; tanh: boolean }[]> = {
  lstm: [
    { name: 'input', tanh: false },
    { name: 'forget', tanh: false },
    { name: 'cell', tanh: true },
    { name: 'output', tanh: false },
  ],
  gru: [
    { name: 'reset', tanh: false },
    { name: 'update', tanh: false },
    { name: 'candidate', tanh: true },
  ],
  rnn: [{ name: 'tanh', tanh: true }],
};

export class Saturation {
  constructor(
    readonly cell: CellType,
    readonly thresholds: { left: number; right: number },
    readonly chars: number,
    /** Per layer, per gate: per-unit fractions [H]. */
    readonly layers: { layer: number; gates: GateSaturation[] }[],
  ) {}

  /** Mean over units of the left- and right-saturated fractions of one gate. */
  mean(layer: number, gate: string): { left: number; right: number } {
    const g = this.layers[layer]?.gates.find((x) => x.gate === gate);
    if (!g) throw new CharRNNError(`no gate '${gate}' in layer ${layer}`);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return { left: avg(g.left), right: avg(g.right) };
  }

  toView(): SaturationView {
    return {
      version: VIEW_VERSIONS.saturation,
      cell: this.cell,
      thresholds: this.thresholds,
      chars: this.chars,
      layers: this.layers,
    };
  }

  toMimeBundle(): MimeBundle {
    return saturationBundle(this.toView());
  }
}

/** Gate saturation over a trace (which must have gates: built-in cells record them). */
export function gateSaturation(trace: TextTrace, thresholds = { left: 0.1, right: 0.9 }): Saturation {
  const names = GATE_NAMES[trace.cell];
  const H = trace.hiddenSize;
  const T = trace.length;
  const layers = trace.layers.map((layer, l) => {
    const g = layer.gates;
    if (!g) throw new CharRNNError('this trace has no gate activations (user-written cells do not record them)');
    const width = names.length * H;
    const gates = names.map(({ name, tanh }, j) => {
      const [left, right] = [new Array<number>(H).fill(0), new Array<number>(H).fill(0)];
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < H; i++) {
          const raw = g[t * width + j * H + i];
          const v = tanh ? (raw + 1) / 2 : raw;
          if (v < thresholds.left) left[i]++;
          else if (v > thresholds.right) right[i]++;
        }
      }
      return { gate: name, left: left.map((n) => n / T), right: right.map((n) => n / T) };
    });
    return { layer: l, gates };
  });
  return new Saturation(trace.cell, thresholds, T, layers);
}
