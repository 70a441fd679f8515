/**
 * The diverging colour scale for activations in [-1, 1]: blue (negative) - near white (0) - orange (positive),
 * a colour-blind-safe pair; the surprise scale; our chart colours. The library's fallbacks and the JupyterLab
 * widgets both draw with these, so both show the same colours.
 */

/** Anchor colours at -1, -0.5, 0, 0.5, 1; the ends are light enough for black text (contrast 6:1 or more). */
const ANCHORS: [number, number, number][] = [
  [66, 146, 198],
  [158, 202, 225],
  [247, 247, 247],
  [253, 204, 138],
  [240, 140, 40],
];

/** The colour of value v (clamped to [-1, 1]) as a CSS rgb() string. */
export function divergingColor(v: number): string {
  const x = (Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0)) + 1) * 2; // [0, 4]
  const i = Math.min(3, Math.floor(x));
  const f = x - i;
  const [a, b] = [ANCHORS[i], ANCHORS[i + 1]];
  const c = a.map((ch, k) => Math.round(ch + (b[k] - ch) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The colours of every int8 activation byte b (value b / 127), indexed by b + 128: a lookup table for speed. */
export function int8ColorTable(): string[] {
  return Array.from({ length: 256 }, (_, i) => divergingColor(Math.max(-127, i - 128) / 127));
}

/** Surprise at which the surprise scale is at its darkest: -ln p = 5 nats is p = 0.7%. */
export const SURPRISE_MAX = 5;

/**
 * The colour of a surprise -ln p in nats: near white at 0 (expected) to vermillion at SURPRISE_MAX and beyond
 * (light enough for black text); grey when there is no prediction (NaN).
 */
export function surpriseColor(nats: number): string {
  if (Number.isNaN(nats)) return 'rgb(221,221,221)';
  const f = Math.max(0, Math.min(1, nats / SURPRISE_MAX));
  const [a, b] = [
    [250, 250, 250],
    [226, 112, 40],
  ];
  const c = a.map((ch, k) => Math.round(ch + (b[k] - ch) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/**
 * Colours of the lines and layers in our charts (Plotly in the extension, Vega-Lite in the fallbacks): Okabe-Ito,
 * distinguishable with colour-blindness, ordered so that the first four stay far apart (blue, orange, reddish
 * purple, green: layers 0 and 2 of a saturation plot must not both read as green).
 */
export const SERIES_COLORS = ['#0072B2', '#E69F00', '#CC79A7', '#009E73', '#D55E00', '#56B4E9', '#F0E442', '#000000'];

/** The colour of the i-th series, cycling. */
export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length];
}
