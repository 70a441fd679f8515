#!/usr/bin/env node
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import type { ModelConfig } from '../model/config';
import { sample } from '../sample/sampler';
import { loadCorpus, splitCorpus, type Corpus, type Splits } from '../text/corpus';
import { writeAll, writeFileAtomic } from '../text/atomic';
import { loadCheckpoint, readCheckpointMeta, saveCheckpoint, type Checkpoint } from '../train/checkpoint';
import { evaluate } from '../train/evaluate';
import { trainOptions, type TrainOptions } from '../train/options';
import {
  MANIFEST_FORMAT,
  Manifest,
  ModelCard,
  PRETRAINED_BUDGET_BYTES,
  PRETRAINED_DIR,
  STORED_TOLERANCE,
  SplitLosses,
  cardLines,
  fileSha256,
  pretrainedDir,
  readCard,
  readManifest,
} from './pretrained';

/**
 * Packs a finished training run into the package's pretrained models (kernel-lib/pretrained/<name>/):
 *   1. loads the run's best checkpoint and scores it on the validation and test splits of its corpus;
 *   2. stores it with float16 weights and scores the stored model the same way, refusing when a loss moved by more
 *      than 0.5% (or the weights do not fit float16);
 *   3. writes card.json (corpus, split, architecture, training, engine, time, losses, three samples, the curve from
 *      the run's --log-json log) and README.md, then the manifest's sha256s, refusing past the 60 MB budget.
 * The maintainer runs it once per final model: node kernel-lib/dist/cli/pack.js --name N --checkpoint RUN/best
 * --corpus FILE --log RUN/log.jsonl. A run that went on from a stored model whose run had been cut short (our CPU
 * runs had to end with the working session, their optimizer state lost) adds --continues NAME.
 */
export interface PackOptions {
  name: string;
  /** The run's checkpoint to store (RUN/best). */
  checkpoint: string;
  /** The text it was trained on (the sha256 goes in the card). */
  corpus: string;
  /** The run's --log-json file: the curve, epochs and wall time of the whole run. */
  log: string;
  /** The shipped model this run fine-tuned (train --init-from pretrained:NAME): its run goes first on the card. */
  continues?: string;
  /** The corpus's name in datasets/manifest.json; default: `name`. */
  corpusName?: string;
  /** What trained it and where, for the card; defaults: the checkpoint's engine and backend, this machine's CPUs. */
  engine?: string;
  hardware?: string;
  /** The models folder; default: the package's. */
  root?: string;
  /** Progress lines. */
  progress?: (line: string) => void;
}

/** One record of a --log-json training log. */
interface LogRecord {
  iter: number;
  epoch: number;
  train_loss: number;
  val_loss?: number;
  elapsed_s: number;
}

const SAMPLE_TEMPERATURES = [0.5, 0.8, 1.0];
const SAMPLE_LENGTH = 500;
const CURVE_POINTS = 400;

/**
 * The run as its log tells it. A resumed run appends to the log and its clock restarts: the wall time adds up the
 * segments, and where a resume went back to an earlier iteration the later records win.
 */
export function readTrainingLog(file: string): { records: LogRecord[]; wallTimeS: number } {
  let lines: string[];
  try {
    lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim());
  } catch (e) {
    throw new CharRNNError(`cannot read the training log ${file}: ${(e as Error).message}`);
  }
  const byIter = new Map<number, LogRecord>();
  let wallTimeS = 0;
  let segment = 0;
  let lastIter = 0;
  for (const [i, line] of lines.entries()) {
    let r: LogRecord;
    try {
      r = JSON.parse(line);
    } catch {
      throw new CharRNNError(`${file}:${i + 1} is not a JSON line of charrnn train --log-json`);
    }
    if (!Number.isInteger(r.iter) || !Number.isFinite(r.elapsed_s))
      throw new CharRNNError(`${file}:${i + 1} has no iter / elapsed_s`);
    if (r.iter <= lastIter || r.elapsed_s < segment) wallTimeS += segment; // a new process took over
    segment = r.elapsed_s;
    lastIter = r.iter;
    byIter.set(r.iter, r);
  }
  if (!byIter.size) throw new CharRNNError(`the training log ${file} is empty`);
  const records = [...byIter.values()].sort((a, b) => a.iter - b.iter);
  return { records, wallTimeS: wallTimeS + segment };
}

/** A train curve as the means of about CURVE_POINTS windows (a per-batch loss is too noisy to thin by picking). */
function smoothTrain(curve: [number, number][]): [number, number][] {
  const n = Math.max(1, Math.ceil(curve.length / CURVE_POINTS));
  const out: [number, number][] = [];
  for (let i = 0; i < curve.length; i += n) {
    const w = curve.slice(i, i + n);
    out.push([w[w.length - 1][0], +(w.reduce((s, [, loss]) => s + loss, 0) / w.length).toFixed(5)]);
  }
  return out;
}

function relativeChange(full: SplitLosses, stored: SplitLosses): number {
  return Math.max(Math.abs(stored.val - full.val) / full.val, Math.abs(stored.test - full.test) / full.test);
}

/** The model folder's README.md: the card to read on GitHub. Samples go in fences longer than any run of backticks in them. */
function cardMarkdown(card: ModelCard): string {
  const fence = (text: string) => '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  const samples = card.samples.map((s) => {
    const f = fence(s.text);
    return `Temperature ${s.temperature} (seed ${s.seed}):\n\n${f}text\n${s.text}\n${f}\n`;
  });
  const t = card.training;
  return [
    `# pretrained:${card.name}`,
    '',
    `A ${card.architecture.numLayers}x${card.architecture.hiddenSize} ${card.architecture.cell.toUpperCase()} ` +
      `(${card.architecture.parameters.toLocaleString('en-US')} parameters, dropout ${card.architecture.dropout}) trained on ${card.corpus.name}. ` +
      'Losses are nats per character on our contiguous split, of the stored model.',
    '',
    '```text',
    ...cardLines(card),
    `optimizer    ${t.optimizer}, learning rate ${t.learningRate}, decay ${t.decayRate}, lr x${t.lrDecay} per epoch after ${t.lrDecayAfter}, ` +
      `grad clip ${t.gradClip} (${t.clipMode}), batch ${t.batchSize} x ${t.seqLength} chars, seed ${t.seed}, patience ${t.patience}`,
    '```',
    '',
    '## Samples',
    '',
    ...samples,
    'The learning curve is `curve` in card.json.',
    '',
  ].join('\n');
}

/** The model's row in the top README's table of pretrained models. */
function readmeRow(card: ModelCard): string {
  const a = card.architecture;
  const trained = `${card.iterations.toLocaleString('en-US')} it, ${card.epochs.toFixed(1)} epochs, ${(card.run.wallTimeS / 3600).toFixed(1)} h, ${card.engine}`;
  const cells = [
    card.name,
    card.corpus.name,
    `${a.numLayers}x${a.hiddenSize} ${a.cell}`,
    a.parameters.toLocaleString('en-US'),
    (card.storage.bytes / 1e6).toFixed(1),
    card.loss.val.toFixed(3),
    card.loss.test.toFixed(3),
    trained,
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The run's log and its checkpoint, which the log must pass through: it is this run's. */
function readRun(opts: PackOptions) {
  const { records, wallTimeS } = readTrainingLog(opts.log);
  const { dir, meta } = readCheckpointMeta(opts.checkpoint);
  const iter = meta.state?.iter as number | undefined;
  const atBest = records.find((r) => r.iter === iter);
  if (iter === undefined || !atBest) {
    throw new CharRNNError(
      `${opts.log} has no record of iteration ${iter ?? '(none saved)'} of ${dir}: is it this run's --log-json log?`,
    );
  }
  return { records, wallTimeS, dir, meta, iter, atBest };
}

/** The card of the stored model a fine-tune continues (--continues), once its model is the checkpoint's. */
function continuedCard(opts: PackOptions, root: string, dir: string, m: ModelConfig): ModelCard | undefined {
  if (opts.continues === undefined) return undefined;
  const from = pretrainedDir(opts.continues, root);
  const first = readCard(from);
  if (!first) throw new CharRNNError(`--continues ${opts.continues}: ${from} has no card.json, so no run to continue`);
  if (first.continues)
    throw new CharRNNError(
      `pretrained:${opts.continues} already continues an earlier run: a card holds two runs at most`,
    );
  const a = first.architecture;
  const sameModel =
    a.cell === m.cell && a.hiddenSize === m.hiddenSize && a.numLayers === m.numLayers && a.vocabSize === m.vocabSize;
  if (!sameModel) throw new CharRNNError(notItsFineTune(dir, opts.continues));
  return first;
}

function notItsFineTune(dir: string, continues: string | undefined): string {
  return `${dir} is not a fine-tune of pretrained:${continues} on its text: the model or the corpus differs`;
}

/** What came before this run on the card: the continued run up to its best weights, or nothing. */
function runBefore(first: ModelCard | undefined) {
  if (!first) {
    const curve: ModelCard['curve'] = { train: [], val: [] };
    return { iterations: 0, epochs: 0, run: { iterations: 0, epochs: 0, wallTimeS: 0 }, curve };
  }
  const upTo = (curve: [number, number][]) => curve.filter(([i]) => i <= first.iterations);
  return {
    iterations: first.iterations,
    epochs: first.epochs,
    run: first.run,
    curve: { train: upTo(first.curve.train), val: upTo(first.curve.val) },
  };
}

/** Everything the card says, from the run, its stored model and scores. */
interface CardFacts {
  opts: PackOptions;
  src: Checkpoint;
  run: ReturnType<typeof readRun>;
  first: ModelCard | undefined;
  training: TrainOptions;
  kept: ModelCard['training'];
  corpus: Corpus;
  splits: Splits;
  model: CharRNN;
  full: SplitLosses;
  loss: SplitLosses;
  bytes: number;
}

/** The model card (card.json). A fine-tune counts from the first run's best weights: its curve, then this run's. */
function makeCard(f: CardFacts): ModelCard {
  const { opts, src, run, first, training } = f;
  const before = runBefore(first);
  const last = run.records[run.records.length - 1];
  const shifted = (curve: [number, number][]): [number, number][] => curve.map(([i, l]) => [before.iterations + i, l]);
  const valCurve = run.records.flatMap((r): [number, number][] =>
    r.val_loss !== undefined && r.val_loss !== null ? [[r.iter, r.val_loss]] : [],
  );
  return {
    name: opts.name,
    corpus: { name: opts.corpusName ?? opts.name, sha256: f.corpus.sha256, chars: f.corpus.data.length },
    split: {
      train: training.trainFrac,
      val: training.valFrac,
      test: +(1 - training.trainFrac - training.valFrac).toFixed(6),
      chars: { train: f.splits.train.length, val: f.splits.val.length, test: f.splits.test.length },
    },
    architecture: { ...src.model.config, parameters: Object.values(f.model.params).reduce((n, p) => n + p.size, 0) },
    training: f.kept,
    engine:
      opts.engine ?? src.meta.engine ?? `${training.engine} engine, TF.js backend ${src.meta.backend ?? 'unknown'}`,
    hardware: opts.hardware ?? `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    iterations: before.iterations + run.iter,
    epochs: +(before.epochs + run.atBest.epoch).toFixed(3),
    run: {
      iterations: before.run.iterations + last.iter,
      epochs: +(before.run.epochs + last.epoch).toFixed(3),
      wallTimeS: Math.round(before.run.wallTimeS + run.wallTimeS),
    },
    loss: { ...f.loss, fullPrecision: f.full, continuous: continuousLosses(f.model, f.splits, f.training.seqLength) },
    storage: { dtype: 'float16', bytes: f.bytes },
    samples: SAMPLE_TEMPERATURES.map((temperature) => ({
      temperature,
      seed: 1,
      text: sample(f.model, src.vocab, { length: SAMPLE_LENGTH, temperature, seed: 1 }),
    })),
    curve: {
      train: [...before.curve.train, ...smoothTrain(shifted(run.records.map((r) => [r.iter, r.train_loss])))],
      val: [...before.curve.val, ...shifted(valCurve)],
    },
    ...(first && {
      continues: {
        iterations: first.iterations,
        epochs: first.epochs,
        run: first.run,
        training: first.training,
        engine: first.engine,
        hardware: first.hardware,
        loss: first.loss,
      },
    }),
    packedAt: new Date().toISOString(),
  };
}

/** The card's `loss.continuous`: each split read as one stream, the state carried through. */
function continuousLosses(model: CharRNN, splits: Splits, seqLength: number): SplitLosses {
  const at = { reading: 'continuous', seqLength } as const;
  return { val: evaluate(model, splits.val, at).loss, test: evaluate(model, splits.test, at).loss };
}

/** Packs one model (see the file's comment); returns its card. */
export async function pack(opts: PackOptions): Promise<ModelCard> {
  const root = opts.root ?? PRETRAINED_DIR;
  const say = opts.progress ?? (() => {});
  if (!/^[a-z0-9][a-z0-9-]*$/.test(opts.name))
    throw new CharRNNError(`--name must be lowercase letters, digits and dashes, got '${opts.name}'`);
  const run = readRun(opts);
  const first = continuedCard(opts, root, run.dir, run.meta.model);
  // From here every refusal frees the checkpoint's tensors on its way out (the finally below).
  const src = loadCheckpoint(run.dir);
  const stage = path.join(root, `.pack-${opts.name}-${process.pid}`);
  let stored: CharRNN | undefined;
  try {
    const training = trainOptions((src.meta.training ?? {}) as object);
    const corpus = await loadCorpus(opts.corpus, { vocab: src.vocab });
    if (first && first.corpus.sha256 !== corpus.sha256) throw new CharRNNError(notItsFineTune(run.dir, opts.continues));
    const splits = splitCorpus(corpus.data, training.trainFrac, training.valFrac);
    const score = (model: CharRNN): SplitLosses => {
      const at = { batchSize: training.batchSize, seqLength: training.seqLength };
      return { val: evaluate(model, splits.val, at).loss, test: evaluate(model, splits.test, at).loss };
    };
    say(`${opts.name}: scoring ${src.dir} (float32) on ${splits.val.length} val + ${splits.test.length} test chars`);
    const full = score(src.model);
    if (first && !(full.val < first.loss.fullPrecision.val)) {
      throw new CharRNNError(
        `the fine-tune's validation loss ${full.val.toFixed(4)} is no better than pretrained:${opts.continues}'s ${first.loss.fullPrecision.val.toFixed(4)}: not stored`,
      );
    }

    // The stored form: a checkpoint with float16 weights, no training state, the history up to these weights.
    fs.mkdirSync(root, { recursive: true });
    const { checkpointDir: _, ...kept } = src.meta.training ?? {};
    await saveCheckpoint(stage, {
      model: src.model,
      vocab: src.vocab,
      training: kept,
      history: { train: smoothTrain(src.meta.history.train), val: src.meta.history.val },
      backend: src.meta.backend,
      engine: src.meta.engine,
      weightsDtype: 'float16',
    });
    const model = (stored = loadCheckpoint(stage).model);
    say(`${opts.name}: scoring the float16 model (batched, and each split as one stream)`);
    const loss = score(model);
    const change = relativeChange(full, loss);
    if (!(change <= STORED_TOLERANCE)) {
      throw new CharRNNError(
        `the float16 model's loss moved by ${(change * 100).toFixed(2)}% (val ${full.val.toFixed(4)} -> ${loss.val.toFixed(4)}, ` +
          `test ${full.test.toFixed(4)} -> ${loss.test.toFixed(4)}), more than ${STORED_TOLERANCE * 100}%: not stored`,
      );
    }
    const bytes = fs.statSync(path.join(stage, 'weights.bin')).size;
    const card = makeCard({ opts, src, run, first, training, kept, corpus, splits, model, full, loss, bytes });
    fs.writeFileSync(path.join(stage, 'card.json'), JSON.stringify(card, null, 1) + '\n');
    fs.writeFileSync(path.join(stage, 'README.md'), cardMarkdown(card));
    await install(root, opts.name, stage);
    say(
      `${opts.name}: stored in ${path.join(root, opts.name)}\n${cardLines(card).join('\n')}\nREADME row: ${readmeRow(card)}`,
    );
    return card;
  } finally {
    stored?.dispose();
    src.model.dispose();
    tf.dispose(Object.values(src.trainTensors));
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Adds to an installed model's card what packs now measure and it lacks (loss.continuous), from the text it was
 * trained on, checked against the card; the weights stay as they are. Rewrites card.json, README.md and the manifest.
 */
export async function rescore(opts: { name: string; corpus: string; root?: string }): Promise<ModelCard> {
  const root = opts.root ?? PRETRAINED_DIR;
  const dir = pretrainedDir(opts.name, root);
  const card = readCard(dir);
  if (!card) throw new CharRNNError(`pretrained model '${opts.name}' has no card.json in ${root}`);
  const src = loadCheckpoint(dir);
  const stage = path.join(root, `.pack-${opts.name}-${process.pid}`);
  try {
    const corpus = await loadCorpus(opts.corpus, { vocab: src.vocab });
    if (corpus.sha256 !== card.corpus.sha256)
      throw new CharRNNError(
        `${opts.corpus} is not the text ${opts.name} was trained on (its card: ${card.corpus.name})`,
      );
    const splits = splitCorpus(corpus.data, card.split.train, card.split.val);
    const continuous = continuousLosses(src.model, splits, trainOptions(card.training).seqLength);
    const next: ModelCard = { ...card, loss: { ...card.loss, continuous } };
    fs.cpSync(dir, stage, { recursive: true });
    fs.writeFileSync(path.join(stage, 'card.json'), JSON.stringify(next, null, 1) + '\n');
    fs.writeFileSync(path.join(stage, 'README.md'), cardMarkdown(next));
    await install(root, opts.name, stage);
    return next;
  } finally {
    src.model.dispose();
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/** Moves a packed model folder into place and records its files in the manifest, within the size budget. */
async function install(root: string, name: string, stage: string): Promise<void> {
  const entry = manifestEntry(root, name, stage);
  const dest = path.join(root, name);
  const old = `${dest}.old-${process.pid}`;
  if (fs.existsSync(dest)) fs.renameSync(dest, old);
  fs.renameSync(stage, dest);
  fs.rmSync(old, { recursive: true, force: true });
  await writeManifestEntry(root, name, entry);
}

/** The manifest entry of model `name` stored as the files of `dir`: their sha256s and size, within the budget. */
export function manifestEntry(root: string, name: string, dir: string): Manifest['models'][string] {
  const names = fs.readdirSync(dir).sort();
  const files = Object.fromEntries(names.map((f) => [f, fileSha256(path.join(dir, f))]));
  const bytes = names.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  const others = Object.entries(readManifest(root).models).reduce(
    (n, [other, e]) => (other === name ? n : n + e.bytes),
    0,
  );
  if (others + bytes > PRETRAINED_BUDGET_BYTES) {
    throw new CharRNNError(
      `${name} (${(bytes / 1e6).toFixed(1)} MB) would bring the pretrained models to ${((others + bytes) / 1e6).toFixed(1)} MB, ` +
        `over the ${PRETRAINED_BUDGET_BYTES / 1e6} MB budget: not stored`,
    );
  }
  return { files, bytes };
}

/** Records (or replaces) one model's entry in the manifest. */
export async function writeManifestEntry(root: string, name: string, entry: Manifest['models'][string]): Promise<void> {
  const models = { ...readManifest(root).models, [name]: entry };
  const next: Manifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    models: Object.fromEntries(Object.entries(models).sort(([a], [b]) => a.localeCompare(b))),
  };
  // Through a temporary name: a half-written manifest would lose every model.
  await writeFileAtomic(path.join(root, 'manifest.json'), (fd) =>
    writeAll(fd, Buffer.from(JSON.stringify(next, null, 1) + '\n')),
  );
}
