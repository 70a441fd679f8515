/**
 * Neuron search: which cells track a per-character feature? Every cell (layer, h or c, unit) of a trace is scored by
 * the Pearson correlation r of its activation with the feature over the text (correlation.ts; for an on/off feature
 * such as a selection of text, the point-biserial correlation); |r| ranks them and r^2 is the fraction of the
 * activation's variance a linear function of the feature explains. The seed reports that about 5% of cells
 * are interpretable; interpretableFraction() measures that for a set of features.
 */
import type { MimeBundle } from '../display/bundle';
import { neuronsBundle } from '../display/neurons';
import { VIEW_VERSIONS, cellCorrelations, type NeuronScore, type NeuronsView } from '@charrnn/schema';
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

  /** True when the feature is on/off (0 or 1 everywhere): r is then the point-biserial correlation. */
  get binary(): boolean {
    return this.values.every((v) => v === 0 || v === 1);
  }

  /** Fraction of all cells at or above the threshold. */
  get fractionPassing(): number {
    return this.ranked.length ? this.passing.length / this.ranked.length : 0;
  }

  /** One line saying how the cells were scored. */
  get metric(): string {
    return (
      `|${this.binary ? 'point-biserial correlation' : 'Pearson correlation'}| of activation with the feature over ${this.trace.length} chars; ` +
      `${this.passing.length} of ${this.ranked.length} cells (${(100 * this.fractionPassing).toFixed(1)}%) reach ${this.threshold}`
    );
  }

  /**
   * Why no cell could be scored, when none could (every |r| is 0); undefined when some could. A feature the same on
   * every character (no quotes in the text for "inside quotes") correlates with nothing: say so, not 0 for every cell.
   */
  get unscored(): string | undefined {
    if (this.ranked.some((s) => s.score > 0)) return undefined;
    const chars = `${this.trace.length.toLocaleString('en-US')} characters`;
    const first = this.values[0];
    if (this.values.every((v) => v === first)) {
      const value = !this.binary ? String(first) : first ? 'on' : 'off';
      return `"${this.feature}" is ${value} at every one of the ${chars} of this text, so no cell can follow it: search a text where it changes`;
    }
    return `no cell's value changes over the ${chars}, so none can follow "${this.feature}"`;
  }

  /** The best `top` cells as the views carry them. */
  best(top: number): NeuronScore[] {
    return this.ranked.slice(0, top).map(({ layer, kind, index, score, correlation, meanOn, meanOff }) => ({
      layer,
      kind,
      index,
      score,
      correlation,
      meanOn,
      meanOff,
    }));
  }

  toView(top = 100): NeuronsView {
    const best = this.ranked[0];
    return {
      version: VIEW_VERSIONS.neurons,
      feature: this.feature,
      metric: this.metric,
      ranked: this.best(top),
      ...(this.unscored ? { unscored: this.unscored } : {}),
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
export function searchNeurons(
  trace: TextTrace,
  feature: FeatureFn | string,
  opts: { name?: string; threshold?: number } = {},
): NeuronSearch {
  const threshold = opts.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) throw new CharRNNError(`threshold must be in [0, 1], got ${threshold}`);
  const name = opts.name ?? (typeof feature === 'string' ? feature : feature.name || 'custom feature');
  const f = featureValues(feature, trace.chars);
  const ranked: CellScore[] = [];
  trace.layers.forEach((layer, l) => {
    for (const [kind, m] of [
      ['h', layer.h],
      ['c', layer.c],
    ] as const) {
      if (!m) continue;
      const { r, meanOn, meanOff } = cellCorrelations(m, trace.length, trace.hiddenSize, f);
      r.forEach((ri, i) =>
        ranked.push({
          layer: l,
          kind,
          index: i,
          score: Math.abs(ri),
          correlation: ri,
          varianceExplained: ri * ri,
          meanOn: meanOn[i],
          meanOff: meanOff[i],
        }),
      );
    }
  });
  ranked.sort((a, b) => b.score - a.score);
  return new NeuronSearch(name, f, ranked, threshold, trace);
}

/**
 * For each feature, its search; and the fraction of cells that reach the threshold for at least one of them
 * (the seed's "about 5% of cells turn out to have learned interpretable algorithms").
 */
export function interpretableFraction(
  trace: TextTrace,
  features: Record<string, FeatureFn> = FEATURES,
  threshold = 0.5,
): {
  fraction: number;
  searches: NeuronSearch[];
} {
  const searches = Object.entries(features).map(([name, fn]) => searchNeurons(trace, fn, { name, threshold }));
  const passing = new Set(searches.flatMap((s) => s.passing.map((c) => `${c.layer}/${c.kind}/${c.index}`)));
  const cells = searches[0]?.ranked.length ?? 0;
  return { fraction: cells ? passing.size / cells : 0, searches };
}
