/**
 * How well each cell of a [T, H] activation matrix tracks a per-character feature: the Pearson correlation r of
 * the cell's activation with the feature, and the mean activation where the feature is on (non-zero) and off.
 * With a 0/1 feature (a selection of text) r is the point-biserial correlation: the difference of the means
 * inside and outside divided by the activation's spread, times sqrt(p (1 - p)) for the fraction p inside; it
 * needs no threshold.
 *
 * Here in @charrnn/schema because the JupyterLab explorer runs this same code on the 8-bit activations saved in a
 * notebook, as the library's neuron search does on live ones.
 */

export interface CellCorrelations {
  /** Pearson r per unit, in [-1, 1]; 0 for a constant cell or a constant feature: [H]. */
  r: Float64Array;
  /** Mean activation where the feature is on, NaN when it is never on: [H]. */
  meanOn: Float64Array;
  /** Mean activation where the feature is off, NaN when it is always on: [H]. */
  meanOff: Float64Array;
}

/**
 * Correlates every unit of `m` (row-major [T, H], one row per character; times `scale` for the activation, e.g.
 * 1/127 for int8 bytes) with `feature` [T].
 */
export function cellCorrelations(
  m: ArrayLike<number>,
  T: number,
  H: number,
  feature: ArrayLike<number>,
  scale = 1,
): CellCorrelations {
  // Centred feature and its sum of squares; per unit: sums of a and a^2, a * f, and a where f is on.
  let mean = 0;
  for (let t = 0; t < T; t++) mean += feature[t] / T;
  const fc = new Float64Array(T);
  let sff = 0;
  let on = 0;
  // A constant feature correlates with nothing; its centred values are rounding errors of the mean, not 0.
  let varies = false;
  for (let t = 0; t < T; t++) {
    fc[t] = feature[t] - mean;
    sff += fc[t] * fc[t];
    if (feature[t] !== 0) on++;
    if (feature[t] !== feature[0]) varies = true;
  }
  const [sa, saa, saf, sOn] = [new Float64Array(H), new Float64Array(H), new Float64Array(H), new Float64Array(H)];
  for (let t = 0; t < T; t++) {
    const row = t * H;
    const isOn = feature[t] !== 0;
    for (let i = 0; i < H; i++) {
      const a = m[row + i];
      sa[i] += a;
      saa[i] += a * a;
      saf[i] += a * fc[t];
      if (isOn) sOn[i] += a;
    }
  }
  const out: CellCorrelations = { r: new Float64Array(H), meanOn: new Float64Array(H), meanOff: new Float64Array(H) };
  for (let i = 0; i < H; i++) {
    const saaCentred = saa[i] - (sa[i] * sa[i]) / T;
    out.r[i] = saaCentred > 1e-12 * T && varies ? Math.max(-1, Math.min(1, saf[i] / Math.sqrt(saaCentred * sff))) : 0;
    out.meanOn[i] = on ? (scale * sOn[i]) / on : NaN;
    out.meanOff[i] = on < T ? (scale * (sa[i] - sOn[i])) / (T - on) : NaN;
  }
  return out;
}

/** The 0/1 feature of a selection: 1 on characters start..end-1 of a T-character text. */
export function selectionMask(T: number, start: number, end: number): Float64Array {
  const mask = new Float64Array(T);
  mask.fill(1, Math.max(0, start), Math.min(T, end));
  return mask;
}
