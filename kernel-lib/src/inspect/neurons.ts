/**
 * Neuron search: which cells track a per-character feature? Every cell (layer, h or c, unit) of a trace is scored by
 * the Pearson correlation r of its activation with the feature over the text; |r| ranks them and r^2 is the fraction
 * of the activation's variance a linear function of the feature explains. The seed reports that about 5% of cells
 * are interpretable; interpretableFraction() measures that for a set of features.
 */
import type { MimeBundle } from '../display/bundle';
import { neuronsBundle } from '../display/neurons';
import type { NeuronScore, NeuronsView } from '../display/schema';
import { CharRNNError } from '../errors';
import { FEATURES, FeatureFn, featureValues } from './features';
import { TextTrace } from './trace';

/** A cell's score; varianceExplained = correlation^2. */
export interface CellScore extends NeuronScore {
  varianceExplained: number;
}

export class NeuronSearch {
  constructor(
    readonly feature: string,
    /** The feature's value per char of the trace: [T]. */
    readonly values: Float64Array,
    /** Every cell, best first. */
    readonly ranked: CellScore[],
    /** |correlation| at or above which a cell counts as tracking the feature. */
    readonly threshold: number,
    readonly trace: TextTrace,
  ) {}

  /** The cells at or above the threshold. */
  get passing(): CellScore[] {
    return this.ranked.filter((s) => s.score >= this.threshold);
  }

  /** Fraction of all cells at or above the threshold. */
  get fractionPassing(): number {
    return this.ranked.length ? this.passing.length / this.ranked.length : 0;
  }

  toView(top = 100): NeuronsView {
    const best = this.ranked[0];
    return {
      version: 1,
      feature: this.feature,
      metric: `|Pearson correlation| of activation with the feature over ${this.trace.length} chars; ` +
        `${this.passing.length} of ${this.ranked.length} cells (${(100 * this.fractionPassing).toFixed(1)}%) reach ${this.threshold}`,
      ranked: this.ranked.slice(0, top).map(({ layer, kind, index, score, correlation, meanOn, meanOff }) => ({ layer, kind, index, score, correlation, meanOn, meanOff })),
      activations: this.trace.toView(best ? { layer: best.layer, kind: best.kind, index: best.index } : undefined),
      featureValues: Array.from(this.values.subarray(0, this.trace.viewChars)),
    };
  }

  toMimeBundle(): MimeBundle {
    return neuronsBundle(this.toView());
  }
}

/**
 * Scores every cell of `trace` against a feature (a built-in name from FEATURES or your own function of the chars).
 * meanOn / meanOff average the activation where the feature is non-zero / zero.
 */
export function searchNeurons(trace: TextTrace, feature: FeatureFn | string, opts: { name?: string; threshold?: number } = {}): NeuronSearch {
  const threshold = opts.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) throw new CharRNNError(`threshold must be in [0, 1], got ${threshold}`);
  const name = opts.name ?? (typeof feature === 'string' ? feature : feature.name || 'custom feature');
  const f = featureValues(feature, trace.chars);
  const T = trace.length;
  const H = trace.hiddenSize;
  // Centred feature and its sum of squares; per cell: sums of a and a^2, a * f, a where f is on.
  let mean = 0;
  for (let t = 0; t < T; t++) mean += f[t] / T;
  const fc = f.map((v) => v - mean);
  const sff = fc.reduce((s, v) => s + v * v, 0);
  const on = f.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
  const ranked: CellScore[] = [];
  trace.layers.forEach((layer, l) => {
    for (const [kind, m] of [['h', layer.h], ['c', layer.c]] as const) {
      if (!m) continue;
      const [sa, saa, saf, sOn] = [new Float64Array(H), new Float64Array(H), new Float64Array(H), new Float64Array(H)];
      for (let t = 0; t < T; t++) {
        const row = t * H;
        for (let i = 0; i < H; i++) {
          const a = m[row + i];
          sa[i] += a;
          saa[i] += a * a;
          saf[i] += a * fc[t];
          if (f[t] !== 0) sOn[i] += a;
        }
      }
      for (let i = 0; i < H; i++) {
        const saaCentred = saa[i] - (sa[i] * sa[i]) / T;
        const r = saaCentred > 1e-12 * T && sff > 0 ? Math.max(-1, Math.min(1, saf[i] / Math.sqrt(saaCentred * sff))) : 0;
        ranked.push({
          layer: l, kind, index: i, score: Math.abs(r), correlation: r, varianceExplained: r * r,
          meanOn: on ? sOn[i] / on : NaN, meanOff: on < T ? (sa[i] - sOn[i]) / (T - on) : NaN,
        });
      }
    }
  });
  ranked.sort((a, b) => b.score - a.score);
  return new NeuronSearch(name, f, ranked, threshold, trace);
}

/**
 * For each feature, its search; and the fraction of cells that reach the threshold for at least one of them
 * (the seed's "about 5% of cells turn out to have learned interpretable algorithms").
 */
export function interpretableFraction(trace: TextTrace, features: Record<string, FeatureFn> = FEATURES, threshold = 0.5): {
  fraction: number;
  searches: NeuronSearch[];
} {
  const searches = Object.entries(features).map(([name, fn]) => searchNeurons(trace, fn, { name, threshold }));
  const passing = new Set(searches.flatMap((s) => s.passing.map((c) => `${c.layer}/${c.kind}/${c.index}`)));
  const cells = searches[0]?.ranked.length ?? 0;
  return { fraction: cells ? passing.size / cells : 0, searches };
}
