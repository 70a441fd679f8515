/**
 * What the Vega-Lite fallbacks of our charts share. JupyterLab without our extension, VS Code and Colab draw
 * `application/vnd.vegalite.v5+json` themselves, so each chart's builder (training, ngram, saturation) puts a spec in
 * its bundle (see chartBundle) and the curves show wherever the notebook is opened. Strings from data (run ids,
 * model labels, gate names) go in only as data values and titles, which Vega draws as text, never as HTML.
 */
import { SERIES_COLORS } from '@charrnn/schema';

export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

export type VegaLiteSpec = Record<string, unknown>;

/** A spec with the schema, a title and our colours. */
export function vegaLite(title: string, rest: VegaLiteSpec): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    config: { range: { category: SERIES_COLORS } },
    ...rest,
  };
}

/** Rounded for the notebook: four significant digits are more than a chart shows. */
export function round(x: number): number {
  return Number(x.toPrecision(4));
}
