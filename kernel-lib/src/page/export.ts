/**
 * A model as one self-contained HTML page (`charrnn export-page`, `exportPage`): the weights, TF.js, the library's
 * sampler and explorer code and our widgets in a single file that runs offline in any modern browser, so a model
 * can be shared without an install (as CNN Explainer and TF Playground are).
 *
 * The page's script is built by webpack from labextension/src/page.ts into dist/page/bundle.js (tests/setup.js
 * does it); this file only fills the page: settings, vocabulary and weights as JSON beside that script.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkRequest } from '../sample/panel';
import { DEFAULT_SAMPLING, type SampleSettings } from '@charrnn/schema';
import { CharRNNError } from '../errors';
import type { CharRNN } from '../model/charrnn';
import type { ModelConfig } from '../model/config';
import { preparePrime } from '../sample/sampler';
import { writeAll, writeFileAtomic } from '../text/atomic';
import type { Vocab } from '../text/vocab';
import { encodeFloat16 } from '../train/float16';

/** The page's script, built from labextension/src/page.ts. */
export const PAGE_BUNDLE = path.join(__dirname, 'bundle.js');

/** How a page stores its weights (ExportPageOptions.weights). */
export const PAGE_WEIGHTS = ['auto', 'float32', 'float16'] as const;
export type PageWeights = (typeof PAGE_WEIGHTS)[number];

/** 'auto' stores float32 weights when the page stays under this size, else float16 (half the bytes). */
export const PAGE_BUDGET_BYTES = 12e6;

export interface ExportPageOptions {
  /** The page's title (default: the model's shape, e.g. "charrnn lstm 2x512"). */
  title?: string;
  /** Sampler settings the page starts with; a link's #t=0.7&prime=... overrides them. */
  prime?: string;
  length?: number;
  temperature?: number;
  seed?: number;
  topK?: number;
  beam?: number;
  /** The explorer's first text (default: the page's first sample). */
  text?: string;
  /**
   * How the weights are stored: 'float32' (the page samples exactly what the kernel samples), 'float16' (half the
   * size; samples drift from the float32 model's after a while), 'auto' (default): float32 when the page stays under
   * PAGE_BUDGET_BYTES, else float16.
   */
  weights?: PageWeights;
}

/** What the page reads from its `<script type="application/json" id="charrnn-model">`. */
export interface PageData {
  format: 'charrnn-page';
  version: 1;
  title: string;
  config: ModelConfig;
  vocab: string[];
  weights: { dtype: 'float32' | 'float16'; specs: tf.io.WeightsManifestEntry[]; base64: string };
  defaults: SampleSettings;
  text?: string;
}

export interface ExportedPage {
  path: string;
  bytes: number;
  weights: 'float32' | 'float16';
}

/** The weights as TF.js's weights format (the one checkpoints use), float32 or float16. */
async function encodeWeights(model: CharRNN, dtype: 'float32' | 'float16'): Promise<PageData['weights']> {
  const { data, specs } = dtype === 'float16' ? encodeFloat16(model.params) : await tf.io.encodeWeights(model.params);
  return {
    dtype,
    specs,
    base64: Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('base64'),
  };
}

/** JSON that can sit inside a <script> element: `<` is escaped, so no text from the model can close it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(data: PageData, script: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // Nothing leaves the page: no requests of any kind, only its own inline script and styles.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(data.title)}</title>`,
    '</head>',
    '<body>',
    '<noscript>This page runs a character-level RNN in your browser: it needs JavaScript.</noscript>',
    '<main id="charrnn-page"></main>',
    `<script type="application/json" id="charrnn-model">${scriptJson(data)}</script>`,
    // A script element ends at the first "</script" in it, wherever that is.
    `<script>${script.replace(/<\/script/gi, '<\\/script')}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Writes `model` as one HTML page to `file` and says how big it is and how its weights are stored. The page runs the
 * library's own sampler and explorer on TF.js's cpu backend, so it samples the same text as the kernel for the same
 * settings and seed (with float32 weights; float16 ones are the weights rounded).
 */
export async function exportPage(
  model: CharRNN,
  vocab: Vocab,
  file: string,
  opts: ExportPageOptions = {},
): Promise<ExportedPage> {
  if (model.custom)
    throw new CharRNNError(
      'the page runs the built-in cells only (rnn, lstm, gru); a model of your own cells cannot be exported',
    );
  if (vocab.size !== model.config.vocabSize)
    throw new CharRNNError(`vocabulary has ${vocab.size} chars but the model expects ${model.config.vocabSize}`);
  const choice = opts.weights ?? 'auto';
  if (!['auto', 'float32', 'float16'].includes(choice))
    throw new CharRNNError(`weights must be auto, float32 or float16, got ${String(choice)}`);
  if (!fs.existsSync(PAGE_BUNDLE))
    throw new CharRNNError(
      `the page's script ${PAGE_BUNDLE} is not built: run \`node tests/setup.js test\` in the charrnn repository`,
    );
  const script = fs.readFileSync(PAGE_BUNDLE, 'utf8');
  const { cell, hiddenSize, numLayers } = model.config;
  const data: Omit<PageData, 'weights'> = {
    format: 'charrnn-page',
    version: 1,
    title: opts.title ?? `charrnn ${cell} ${numLayers}x${hiddenSize}`,
    config: { ...model.config },
    vocab: vocab.chars,
    // The checks and ranges of the sampler widget's requests (the prime's error names the CLI's flag).
    defaults: checkRequest(vocab, {
      action: 'sample',
      requestId: 0,
      prime: preparePrime(vocab, opts.prime ?? '', false, 'leave them out of the prime text'),
      length: opts.length ?? 200,
      temperature: opts.temperature ?? DEFAULT_SAMPLING.temperature,
      seed: opts.seed ?? 1,
      topK: opts.topK ?? 0,
      beam: opts.beam ?? 0,
    }),
    ...(opts.text !== undefined ? { text: opts.text } : {}),
  };
  let html = page(
    { ...data, weights: await encodeWeights(model, choice === 'float16' ? 'float16' : 'float32') },
    script,
  );
  let weights: ExportedPage['weights'] = choice === 'float16' ? 'float16' : 'float32';
  if (choice === 'auto' && Buffer.byteLength(html) >= PAGE_BUDGET_BYTES) {
    html = page({ ...data, weights: await encodeWeights(model, 'float16') }, script);
    weights = 'float16';
  }
  const bytes = Buffer.from(html);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // A page already there is replaced whole or not at all.
  await writeFileAtomic(file, (fd) => writeAll(fd, bytes));
  return { path: file, bytes: bytes.length, weights };
}
