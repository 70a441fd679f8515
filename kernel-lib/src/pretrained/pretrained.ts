import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { rounded } from '../display/rounded';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import { ModelConfig } from '../model/config';
import { Vocab } from '../text/vocab';
import { loadCheckpoint } from '../train/checkpoint';

/**
 * Pretrained models shipped inside the package (format in kernel-lib/CHECKPOINT.md, "Pretrained models"):
 *   pretrained/manifest.json   each model's files with their sha256, checked before any of them is read
 *   pretrained/<name>/         a checkpoint folder with float16 weights and no training state, plus
 *                              card.json (how it was trained and how good it is) and README.md (the card to read)
 * `pretrained:<name>` names one wherever the CLI takes a checkpoint folder. Nothing is downloaded: the models are
 * in git and in the npm package.
 */
export const PRETRAINED_DIR = path.resolve(__dirname, '..', '..', 'pretrained');
export const PRETRAINED_PREFIX = 'pretrained:';
export const MANIFEST_FORMAT = 'charrnn-pretrained';
/** All stored models together stay under this (the npm package and a git clone carry them). */
export const PRETRAINED_BUDGET_BYTES = 60e6;
/** A stored model's loss may differ from its full-precision one by at most this fraction (pack refuses more). */
export const STORED_TOLERANCE = 0.005;

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  /** Per model: sha256 (hex) of each of its files by name, and their total size in bytes. */
  models: Record<string, { files: Record<string, string>; bytes: number }>;
}

/** Losses in nats per char on the validation and test splits. */
export interface SplitLosses {
  val: number;
  test: number;
}

/** How a pretrained model was made and how good it is (card.json). */
export interface ModelCard {
  name: string;
  /** The corpus it was trained on: its datasets/manifest.json name and the sha256 of its UTF-8 bytes. */
  corpus: { name: string; sha256: string; chars: number };
  /** Contiguous split: the first `train` of the text, the next `val`, the rest test (fractions and char counts). */
  split: { train: number; val: number; test: number; chars: { train: number; val: number; test: number } };
  architecture: ModelConfig & { parameters: number };
  /** The training options of the run (optimizer, learning rate and its decay, clipping, batch, seqLength, ...). */
  training: Record<string, unknown>;
  engine: string;
  hardware: string;
  /** Iterations and epochs at the stored weights (the best validation loss of the run). */
  iterations: number;
  epochs: number;
  /** The whole run, including the validations after the best that early stopping waited through. */
  run: { iterations: number; epochs: number; wallTimeS: number };
  /**
   * Of the stored model, each split read as char-rnn reads it (the run's batch of streams, each starting cold);
   * `fullPrecision` of the float32 weights it was packed from, on the same text. `continuous`: the stored model
   * reading each split as one stream with the state carried through (evaluate's continuous reading, as n-gram
   * models and most papers score); cards packed before it was measured lack it.
   */
  loss: SplitLosses & { fullPrecision: SplitLosses; continuous?: SplitLosses };
  storage: { dtype: 'float16'; bytes: number };
  samples: { temperature: number; seed: number; text: string }[];
  /** The run's learning curve, [iteration, nats per char] (train thinned to a few hundred points). */
  curve: { train: [number, number][]; val: [number, number][] };
  /**
   * Set when the run fine-tuned a shipped model on the same text (train --init-from pretrained:NAME, a fresh
   * optimizer): that model's run, whose best weights it started from. Then iterations, epochs, run and curve count
   * both runs, the second from the first's best; training is the second run's.
   */
  continues?: {
    iterations: number;
    epochs: number;
    run: ModelCard['run'];
    training: Record<string, unknown>;
    engine: string;
    hardware: string;
    loss: SplitLosses;
  };
  packedAt: string;
}

export interface Pretrained {
  model: CharRNN;
  vocab: Vocab;
  card: ModelCard;
  /** The stored checkpoint folder. */
  dir: string;
  /**
   * The first 20,000 characters of its validation split, shipped where the corpus's licence allows it (its licence
   * is beside it in `dir`, see excerpt.ts): real text to show the model on with no corpus at hand.
   */
  excerpt?: string;
}

/** One line of `pretrained.list()`: the headline figures of a model (fractions to 4 significant digits; the card has them whole). */
export interface PretrainedSummary {
  name: string;
  corpus: string;
  architecture: string;
  parameters: number;
  megabytes: number;
  valLoss: number;
  testLoss: number;
}

/** sha256 (hex) of a file's bytes. */
export const fileSha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** manifest.json of `root`; a folder without one holds no models. */
export function readManifest(root = PRETRAINED_DIR): Manifest {
  const file = path.join(root, 'manifest.json');
  if (!fs.existsSync(file)) return { format: MANIFEST_FORMAT, version: 1, models: {} };
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CharRNNError(`cannot read ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (m?.format !== MANIFEST_FORMAT || m.version !== 1 || typeof m.models !== 'object') {
    throw new CharRNNError(`${file} is not a charrnn pretrained-model manifest (version 1)`);
  }
  return m;
}

/** "a, b, c", or why there are none. */
function available(m: Manifest): string {
  const names = Object.keys(m.models).sort();
  return names.length ? `available: ${names.join(', ')}` : 'none are installed yet';
}

/**
 * The folder of pretrained model `name`, after checking every file the manifest lists against its sha256: a missing
 * or changed file is one error naming it, so a damaged model is never loaded.
 */
export function pretrainedDir(name: string, root = PRETRAINED_DIR): string {
  const m = readManifest(root);
  const entry = Object.hasOwn(m.models, name) ? m.models[name] : undefined;
  if (!entry) throw new CharRNNError(`no pretrained model '${name}' (${available(m)})`);
  const dir = path.join(root, name);
  for (const [file, expected] of Object.entries(entry.files)) {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) throw new CharRNNError(`pretrained model '${name}' is incomplete: ${full} is missing`);
    if (fileSha256(full) !== expected) {
      throw new CharRNNError(
        `pretrained model '${name}' is damaged: ${full} does not match its sha256 in ${path.join(root, 'manifest.json')}`,
      );
    }
  }
  return dir;
}

/**
 * Where the CLI takes a checkpoint folder: `pretrained:NAME` becomes the verified folder of that stored model,
 * anything else is returned as it is.
 */
export function resolveCheckpoint(where: string, root = PRETRAINED_DIR): string {
  return isPretrained(where) ? pretrainedDir(where.slice(PRETRAINED_PREFIX.length), root) : where;
}

export function isPretrained(where: string | undefined): boolean {
  return where?.startsWith(PRETRAINED_PREFIX) ?? false;
}

/** The model card of a stored model folder, if it has one. */
export function readCard(dir: string): ModelCard | undefined {
  const file = path.join(dir, 'card.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ModelCard) : undefined;
}

export const EXCERPT_FILE = 'validation-excerpt.txt';

/** The validation excerpt shipped in a model folder, if its corpus's licence let us ship one. */
export function readExcerpt(dir: string): string | undefined {
  const file = path.join(dir, EXCERPT_FILE);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

/** Loads pretrained model `name` (files verified first): the model, its vocabulary, its card and its excerpt. */
function load(name: string, root = PRETRAINED_DIR): Pretrained {
  const dir = pretrainedDir(name, root);
  const ckpt = loadCheckpoint(dir);
  tf.dispose(Object.values(ckpt.trainTensors));
  return { model: ckpt.model, vocab: ckpt.vocab, card: readCard(dir)!, dir, excerpt: readExcerpt(dir) };
}

/** The installed models with their headline figures, rounded for a table (nothing is loaded but the cards). */
function list(root = PRETRAINED_DIR): PretrainedSummary[] {
  const m = readManifest(root);
  return Object.keys(m.models)
    .sort()
    .map((name) => {
      const card = readCard(path.join(root, name));
      if (!card) throw new CharRNNError(`pretrained model '${name}' has no card.json in ${root}`);
      const a = card.architecture;
      return rounded({
        name,
        corpus: card.corpus.name,
        architecture: `${a.numLayers}x${a.hiddenSize} ${a.cell}`,
        parameters: a.parameters,
        megabytes: m.models[name].bytes / 1e6,
        valLoss: card.loss.val,
        testLoss: card.loss.test,
      });
    });
}

/**
 * `pretrained(name)` loads a model shipped with the package; `pretrained.list()` says which there are. `root` is
 * for tests (a folder of models packed on the spot).
 */
export const pretrained = Object.assign(load, { list });

/** A card in a few lines, for `charrnn info` and the model folder's README. */
export function cardLines(card: ModelCard): string[] {
  const f = (x: number) => x.toFixed(3);
  const s = card.split;
  return [
    `corpus       ${card.corpus.name} (${card.corpus.chars.toLocaleString('en-US')} chars, sha256 ${card.corpus.sha256.slice(0, 12)}...)`,
    `split        contiguous ${s.train} / ${s.val} / ${s.test} (train / val / test)`,
    `stored       ${card.storage.dtype}, ${(card.storage.bytes / 1e6).toFixed(1)} MB`,
    `loss         val ${f(card.loss.val)}, test ${f(card.loss.test)} nats/char (full precision: val ${f(card.loss.fullPrecision.val)}, test ${f(card.loss.fullPrecision.test)})`,
    ...(card.loss.continuous
      ? [
          `one stream   val ${f(card.loss.continuous.val)}, test ${f(card.loss.continuous.test)} nats/char (each split read as one stream)`,
        ]
      : []),
    `trained      ${card.iterations.toLocaleString('en-US')} iterations (${card.epochs.toFixed(2)} epochs) to the best validation; ` +
      `the run: ${card.run.iterations.toLocaleString('en-US')} iterations, ${(card.run.wallTimeS / 3600).toFixed(2)} h`,
    `engine       ${card.engine} on ${card.hardware}`,
    ...(card.continues
      ? [
          `first run    ${card.continues.iterations.toLocaleString('en-US')} iterations (${card.continues.epochs.toFixed(2)} epochs) to val ${f(card.continues.loss.val)}, ` +
            `learning rate ${card.continues.training.learningRate}; the rest fine-tuned its best weights with a fresh optimizer at ${card.training.learningRate}`,
        ]
      : []),
  ];
}
