/**
 * What the course notebooks share: their start (the mode, the models and training runs of each mode), getting a
 * corpus the same way everywhere (and saying where it came from), the loss of the simplest baseline to beat, a
 * pretrained model beside the notebook's own (its card, its loss scored against the card's), and models' losses side
 * by side in a chart. Notebooks import it as `./course`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cr from '@charrnn/kernel';

export interface CourseCorpus {
  corpus: cr.Corpus;
  /** The text itself (CI and lesson mode, and small corpora; undefined for a big corpus loaded in full mode). */
  text?: string;
  /** One line saying where the text came from. */
  source: string;
  /** True when this is the generated stand-in instead of the real dataset. */
  standIn: boolean;
}

/**
 * How much a notebook runs. lesson (the default): the post's result on the pretrained model and a training of a few
 * minutes, the whole notebook in at most 10 minutes on a 2-core laptop; full: the post's settings, long runs; ci:
 * seconds, for tests. Chosen by $CHARRNN_MODE, or CHARRNN_CI=1 for ci.
 */
export type Mode = 'lesson' | 'full' | 'ci';

export function courseMode(env: NodeJS.ProcessEnv = process.env): Mode {
  const mode = env.CHARRNN_MODE ?? (env.CHARRNN_CI === '1' ? 'ci' : 'lesson');
  if (mode !== 'lesson' && mode !== 'full' && mode !== 'ci')
    throw new Error(`CHARRNN_MODE must be lesson, full or ci, not '${mode}'`);
  return mode;
}

/** The choice for the current mode: `byMode({ lesson: 300, full: 5000, ci: 20 })`. */
export function byMode<T>(choices: Record<Mode, T>, mode: Mode = courseMode()): T {
  return choices[mode];
}

/** The model a notebook trains, by mode. */
export type ModelShape = Omit<cr.ModelConfig, 'vocabSize'>;

/** CI's model (one layer of 128), the lesson's (char-rnn's default, 2 x 128 LSTM), and the notebook's `full` one. */
export function modelByMode(full: ModelShape, mode: Mode = courseMode()): ModelShape {
  return byMode(
    {
      ci: { cell: 'lstm', hiddenSize: 128, numLayers: 1, dropout: 0 },
      lesson: { cell: 'lstm', hiddenSize: 128, numLayers: 2, dropout: 0 },
      full,
    },
    mode,
  );
}

/**
 * The training of each mode: CI's 100 iterations of Adam on 16 x 32 batches (seconds), and the notebook's lesson
 * and full runs.
 */
export function trainingByMode(
  runs: { lesson: Partial<cr.TrainOptions>; full: Partial<cr.TrainOptions> },
  mode: Mode = courseMode(),
): Partial<cr.TrainOptions> {
  const ci: Partial<cr.TrainOptions> = {
    batchSize: 16,
    seqLength: 32,
    maxIters: 100,
    evalValEvery: 50,
    optimizer: 'adam',
    learningRate: 1e-2,
  };
  return byMode({ ci, ...runs }, mode);
}

/**
 * A notebook's start: the TF.js backend, and one line saying what this mode runs (`notes`, else the usual words) and
 * on which machine. Returns the time it started, for the last cell's `since(started)`.
 */
export async function startNotebook(notes: Partial<Record<Mode, string>> = {}): Promise<number> {
  await cr.initBackend();
  const usual = { ci: 'CI mode: tiny model and budget', lesson: 'lesson mode: a small model for a few minutes' };
  const said = { full: 'full mode', ...usual, ...notes };
  console.log(`${said[courseMode()]}; ${machine()}`);
  return Date.now();
}

export interface OpenOptions {
  mode: Mode;
  /** CI mode: take only about the first `ciBytes` bytes; lesson mode: the first `lessonBytes`, if given. */
  ciBytes: number;
  lessonBytes?: number;
  /** Kind of stand-in text that resembles the dataset, used when the dataset cannot be had. */
  style?: cr.StandInStyle;
  /** Full mode, linux only: cap on the corpus size in bytes (whole files). */
  maxBytes?: number;
}

/** About the first `bytes` bytes of a UTF-8 file, cut after its last whole line (so no character is split). */
function readPrefix(file: string, bytes: number): string {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(bytes);
  const n = fs.readSync(fd, buf, 0, bytes, 0);
  fs.closeSync(fd);
  const text = buf.subarray(0, n).toString('utf8');
  const end = text.lastIndexOf('\n');
  return n < bytes || end < 0 ? text : text.slice(0, end + 1);
}

/**
 * A verified dataset from datasets/manifest.json (fetched from the mirror or downloaded on first use), or, when it
 * cannot be had, a generated stand-in, said in its printed line: the notebook goes on, and its pretrained sections
 * run on the models' own validation excerpts. Prints where the text came from.
 */
export async function openCorpus(name: string, opts: OpenOptions): Promise<CourseCorpus> {
  const result = await locate(name, opts);
  console.log(
    `corpus: ${result.source}; ${result.corpus.data.length.toLocaleString('en')} chars, vocabulary of ${result.corpus.vocab.size}`,
  );
  return result;
}

async function locate(name: string, opts: OpenOptions): Promise<CourseCorpus> {
  cr.findDataset(name); // a name missing from the manifest is a mistake, never a reason for the stand-in
  // Outside full mode the Linux corpus is used only when already built: building it installs a 150 MB package.
  const built = [cr.defaultDataDir(), cr.sharedDataDir()].map((dir) => path.join(dir, name, 'input.txt'));
  const skip = opts.mode !== 'full' && name === 'linux' && !built.some((file) => fs.existsSync(file));
  let file: string | undefined;
  let why = 'it is built only in full mode or by `npm run datasets -- fetch linux`';
  if (!skip) {
    try {
      file = await cr.fetchDataset(name, {
        maxBytes: name === 'linux' ? opts.maxBytes : undefined,
        log: (line) => console.log(line),
      });
    } catch (e) {
      if (!(e instanceof cr.CharRNNError)) throw e;
      why = e.message;
    }
  }
  if (!file) {
    const text = cr.standInCorpus({ style: opts.style, chars: opts.mode === 'ci' ? opts.ciBytes : undefined }); // ASCII: one byte per char
    const source = `STAND-IN ${opts.style ?? 'prose'} text generated by standInCorpus(), not '${name}' (${why}); the training below learns it instead`;
    return { corpus: cr.corpusFromText(text), text, source, standIn: true };
  }
  const prefix = opts.mode === 'ci' ? opts.ciBytes : opts.mode === 'lesson' ? opts.lessonBytes : undefined;
  if (prefix !== undefined) {
    const text = readPrefix(file, prefix);
    const bytes = Buffer.byteLength(text);
    const part = bytes < fs.statSync(file).size ? `its first ${bytes} bytes only` : 'the whole file';
    return { corpus: cr.corpusFromText(text), text, source: `${name}, ${part} (${opts.mode} mode)`, standIn: false };
  }
  const corpus = await cr.loadCorpus(file);
  const text = corpus.bytes < 10 << 20 ? fs.readFileSync(file, 'utf8') : undefined;
  return { corpus, text, source: `${name} (${file})`, standIn: false };
}

/**
 * Loss (nats per char) of the best model that ignores context: predict every char with its frequency in `train`,
 * scored on `test`. A model that beats it has learned something from the characters before.
 */
export function unigramLoss(train: ArrayLike<number>, test: ArrayLike<number>, vocabSize: number): number {
  const counts = new Float64Array(vocabSize).fill(1); // add-one, so a char unseen in train is not infinitely bad
  for (let i = 0; i < train.length; i++) counts[train[i]] += 1;
  const total = train.length + vocabSize;
  let loss = 0;
  for (let i = 0; i < test.length; i++) loss -= Math.log(counts[test[i]] / total);
  return loss / test.length;
}

/** `prime` when the vocabulary has all its characters, else no prime (the stand-in text lacks some). */
export function usablePrime(vocab: cr.Vocab, prime: string): string {
  return vocab.unknownChars(prime).length === 0 ? prime : '';
}

/** The machine a run happened on, for the record in the notebook's output. */
export function machine(): string {
  const cpus = os.cpus();
  const backend = cr.backendInfo()?.name ?? 'not initialised';
  const native = cr.nativeStatus();
  const engine = native.available ? `native engine (${native.detail})` : `TF.js engine on ${backend}`;
  return `${cpus[0]?.model ?? 'unknown CPU'} x ${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${engine}`;
}

/** Time since `start` (a Date.now() value) in s, min or h. */
export function since(start: number): string {
  const s = (Date.now() - start) / 1000;
  return s < 120 ? `${s.toFixed(0)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`;
}

/** A pretrained model's card in a few lines, and its learning curve as a chart (the best validation dashed). */
export function showCard(card: cr.ModelCard): void {
  const a = card.architecture;
  const t = card.training as Record<string, string | number>;
  console.log(
    [
      `model     ${a.numLayers} x ${a.hiddenSize} ${a.cell.toUpperCase()}, dropout ${a.dropout}, ${a.parameters.toLocaleString('en')} parameters, stored as ${card.storage.dtype} (${(card.storage.bytes / 1e6).toFixed(1)} MB)`,
      `corpus    ${card.corpus.name}, ${card.corpus.chars.toLocaleString('en')} chars, split ${card.split.train} / ${card.split.val} / ${card.split.test} (train / val / test)`,
      `training  ${t.optimizer}, learning rate ${t.learningRate}, batch ${t.batchSize} x seq ${t.seqLength}, gradient clip ${t.gradClip}, early stopping with patience ${t.patience}`,
      `stopped   best validation at iteration ${card.iterations.toLocaleString('en')} (${card.epochs.toFixed(1)} epochs); the run went on to ${card.run.iterations.toLocaleString('en')} and took ${(card.run.wallTimeS / 60).toFixed(1)} min`,
      `engine    ${card.engine} on ${card.hardware}`,
      ...(card.continues
        ? [
            `first run ${card.continues.iterations.toLocaleString('en')} iterations (${card.continues.epochs.toFixed(1)} epochs) to validation ${card.continues.loss.val.toFixed(3)}; ` +
              `the rest went on from its best weights with a fresh optimizer at learning rate ${t.learningRate}`,
          ]
        : []),
      `loss      validation ${card.loss.val.toFixed(3)}, test ${card.loss.test.toFixed(3)} nats/char`,
    ].join('\n'),
  );
  const points = [
    ...card.curve.train.map(([iter, loss]) => ({ iter, loss, split: 'train' })),
    ...card.curve.val.map(([iter, loss]) => ({ iter, loss, split: 'validation' })),
  ];
  const spec = {
    title: `pretrained:${card.name}: learning curve, best validation at iteration ${card.iterations} (dashed)`,
    width: 520,
    height: 220,
    layer: [
      {
        data: { values: points },
        mark: 'line',
        encoding: {
          x: { field: 'iter', type: 'quantitative', title: 'iteration' },
          y: { field: 'loss', type: 'quantitative', title: 'nats/char', scale: { zero: false } },
          color: { field: 'split', type: 'nominal', title: null },
        },
      },
      {
        data: { values: [{ iter: card.iterations }] },
        mark: { type: 'rule', strokeDash: [4, 4] },
        encoding: { x: { field: 'iter', type: 'quantitative' } },
      },
    ],
  };
  showChart(
    spec,
    `learning curve of pretrained:${card.name}: ${card.curve.val.length} validations, best ${card.loss.val.toFixed(3)} at iteration ${card.iterations}`,
  );
}

/** A Vega-Lite chart (JupyterLab, VS Code and Colab draw it; GitHub shows `plain`), drawn as SVG. */
function showChart(spec: object, plain: string): void {
  const chart = 'application/vnd.vegalite.v5+json';
  cr.display({
    data: { [chart]: { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec }, 'text/plain': plain },
    metadata: { [chart]: { embed_options: { renderer: 'svg' } } },
  });
}

/**
 * Test losses of models side by side: one group of bars per depth, one bar per cell, and reference losses (an
 * n-gram's, a paper's) as dashed lines across, each labelled with its figure.
 */
export function showLossBars(
  title: string,
  bars: { depth: string; cell: string; loss: number }[],
  lines: { label: string; loss: number }[],
): void {
  // Bars from a little below the lowest loss, not from 0: the differences are what the chart is for. The top is
  // set too, a little above the highest: left to Vega's rounding it could fall below the highest bar and cut it.
  const losses = [...bars.map((b) => b.loss), ...lines.map((l) => l.loss)];
  const domain = [Math.floor(10 * Math.min(...losses) - 1) / 10, Math.ceil(10 * Math.max(...losses) + 0.5) / 10];
  const y = {
    field: 'loss',
    type: 'quantitative',
    title: 'test nats/char',
    scale: { domain, nice: false, zero: false },
  };
  const spec = {
    title,
    width: 420,
    height: 260,
    layer: [
      {
        data: { values: bars },
        mark: { type: 'bar', clip: true },
        encoding: {
          x: { field: 'depth', type: 'nominal', title: null, axis: { labelAngle: 0 } },
          xOffset: { field: 'cell', type: 'nominal', sort: null },
          y,
          color: { field: 'cell', type: 'nominal', title: 'cell', sort: null },
          tooltip: [{ field: 'depth' }, { field: 'cell' }, { field: 'loss', format: '.3f' }],
        },
      },
      { data: { values: lines }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y } },
      {
        data: { values: lines },
        mark: { type: 'text', align: 'right', dy: -6, x: 'width' },
        encoding: { y, text: { field: 'label' } },
      },
    ],
  };
  const plain = [...bars.map((b) => `${b.depth} ${b.cell}: ${b.loss.toFixed(3)}`), ...lines.map((l) => l.label)].join(
    '\n',
  );
  showChart(spec, `${title}\n${plain}`);
}

/**
 * The text a pretrained model was trained on, if it is here: `text` when it is that corpus (the sha256 on the card),
 * else a verified copy in data/ or the dataset mirror (never downloaded, so CI mode stays offline and fast). A model
 * trained on the start of a corpus (the Linux models, on its first 6.2 million chars) is matched by that start.
 */
export function cardCorpus(card: cr.ModelCard, text?: string): string | undefined {
  const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
  const start = (s: string) =>
    s.length <= card.corpus.chars
      ? s
      : Array.from(s.slice(0, 2 * card.corpus.chars))
          .slice(0, card.corpus.chars)
          .join('');
  const copies = function* () {
    if (text !== undefined) yield text;
    for (const dir of new Set([cr.defaultDataDir(), cr.sharedDataDir(), cr.defaultMirror()])) {
      const file = dir && path.join(dir, card.corpus.name, 'input.txt');
      if (file && fs.existsSync(file)) yield fs.readFileSync(file, 'utf8');
    }
  };
  for (const copy of copies()) {
    const trained = start(copy);
    if (sha256(trained) === card.corpus.sha256) return trained;
  }
  return undefined;
}

/** A pretrained model's split of `text`, the text it was trained on, by its card's fractions. */
export function cardSplits(pre: cr.Pretrained, text: string): ReturnType<typeof cr.splitCorpus> {
  const o = cr.trainOptions(pre.card.training);
  return cr.splitCorpus(pre.vocab.encode(text), o.trainFrac, o.valFrac);
}

/**
 * A pretrained model's split of `text` (its card's fractions), and its validation loss (and with `test`, its test
 * loss) scored as its card's were (the batch size and sequence length of its training), to set beside `card.loss`.
 */
export function scoreOnCard(
  pre: cr.Pretrained,
  text: string,
  opts: { test?: boolean } = {},
): { splits: ReturnType<typeof cr.splitCorpus>; valLoss: number; testLoss?: number } {
  const splits = cardSplits(pre, text);
  const loss = (ids: cr.CharIds) => lossAsOnCard(pre.card, pre.model, ids);
  return { splits, valLoss: loss(splits.val), testLoss: opts.test ? loss(splits.test) : undefined };
}

/** The loss of `model` on `ids`, scored as `card`'s losses were: in batches and sequences of its training's size. */
function lossAsOnCard(card: cr.ModelCard, model: cr.CharRNN, ids: cr.CharIds): number {
  const { batchSize, seqLength } = cr.trainOptions(card.training);
  return cr.evaluate(model, ids, { batchSize, seqLength }).loss;
}

/** A pretrained model, and what pretrainedBeside found of the text it was trained on. */
export interface PretrainedHere {
  pre: cr.Pretrained;
  card: cr.ModelCard;
  /** The text it was trained on, where it is here (cardCorpus). */
  trainedOn?: string;
  /** Its split of that text and its validation loss there, scored as its card's was (scoreOnCard). */
  scored?: ReturnType<typeof scoreOnCard>;
}

/**
 * In a notebook write `{ text: text }`, not `{ text }`: tslab does not resolve a shorthand property that names another
 * cell's variable (ReferenceError).
 */
export interface BesideOptions {
  /** The text it was trained on, in what is printed: "the essays". */
  what: string;
  /** The notebook's own copy of the corpus, if it may be that text (cardCorpus checks the sha256). */
  text?: string;
  /** The model trained in the notebook and its validation ids: scored as the card's model was, and printed beside it. */
  ours?: { model: cr.CharRNN; val: cr.CharIds };
  /** Also list every model that ships with the library. */
  list?: boolean;
}

/**
 * The pretrained model `name` beside the notebook's: loads it (no download), shows its card, and where the text it
 * was trained on is here (`text`, data/ or the dataset mirror) scores it on that text's validation split as its card
 * was, printing its loss beside the card's and beside `ours` (else beside letter frequencies).
 */
export function pretrainedBeside(name: string, opts: BesideOptions): PretrainedHere {
  const pre = cr.pretrained(name);
  const card = pre.card;
  if (opts.list) console.table(cr.pretrained.list());
  showCard(card);
  const trainedOn = cardCorpus(card, opts.text);
  const scored = trainedOn ? scoreOnCard(pre, trainedOn) : undefined;
  if (!scored) {
    console.log(
      `not here: ${opts.what} it was trained on (sha256 ${card.corpus.sha256.slice(0, 12)}...), so its loss is not scored`,
    );
    return { pre, card };
  }
  let beside: string;
  if (opts.ours) {
    const mode = courseMode();
    const own = lossAsOnCard(card, opts.ours.model, opts.ours.val);
    beside = `the model trained above ${own.toFixed(3)}${mode === 'full' ? '' : ` (a ${mode}-mode model)`}`;
  } else {
    beside = `letter frequencies ${unigramLoss(scored.splits.train, scored.splits.val, pre.vocab.size).toFixed(3)}`;
  }
  console.log(
    `validation loss, nats/char: the pretrained model ${scored.valLoss.toFixed(3)} (its card: ${card.loss.val.toFixed(3)}), ${beside}`,
  );
  return { pre, card, trainedOn, scored };
}

/** Throws unless `valLoss`, scored here on the text a pretrained model was trained on, is its card's to 0.5%. */
export function checkOnCard(card: cr.ModelCard, valLoss: number): void {
  if (!(Math.abs(valLoss - card.loss.val) <= 0.005 * card.loss.val))
    throw new Error(`pretrained validation loss ${valLoss} differs from its card's ${card.loss.val} by more than 0.5%`);
}
