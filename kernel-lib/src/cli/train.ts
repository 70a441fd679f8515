import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CharRNNError } from '../errors';
import { initBackend } from '../engine/start';
import { engineMemory } from '../engine/choose';
import { defaultThreads } from '../engine/threads';
import { CLIP_MODES, OPTIMIZER_NAMES } from '../engine/optimizer';
import { CharRNN } from '../model/charrnn';
import { loadCorpus } from '../text/corpus';
import { Vocab } from '../text/vocab';
import { isPretrained, resolveCheckpoint } from '../pretrained/pretrained';
import { checkCheckpointDir, loadCheckpoint, readCheckpointMeta } from '../train/checkpoint';
import { checkTrainingMemory, trainingMemory } from '../train/footprint';
import { DEFAULT_TRAIN_OPTIONS, TrainOptions, trainOptions } from '../train/options';
import { CELL_TYPES, type TrainingSample } from '@charrnn/schema';
import { Progress, TrainResult, Trainer } from '../train/trainer';
import { BACKEND_FLAG, Command, ENGINE_FLAG, Flag, Parsed, Value, parseFlags } from './args';
import { ProgressLine } from './progress';

/** A train flag; `option` names the TrainOptions field it sets. */
type TrainFlag = Flag & { option?: keyof TrainOptions };

const D = DEFAULT_TRAIN_OPTIONS;

export const command = {
  usage: '--input FILE [options]',
  summary: 'Trains a character-level model on a text file, saving DIR/latest and DIR/best (defaults follow char-rnn).',
  flags: {
    input: {
      type: 'string',
      arg: 'FILE',
      help: 'UTF-8 text to learn (required); the vocabulary is its set of characters',
    },
    'checkpoint-dir': {
      type: 'string',
      arg: 'DIR',
      help: 'where DIR/latest and DIR/best go (default: cv, or the run folder of --init-from); a new run never overwrites a checkpoint',
    },
    model: { type: 'string', choices: CELL_TYPES, default: 'lstm', help: 'the recurrent cell' },
    'rnn-size': { type: 'int', min: 1, default: 128, help: 'hidden units per layer' },
    'num-layers': { type: 'int', min: 1, default: 2, help: 'stacked layers' },
    dropout: {
      type: 'number',
      min: 0,
      below: 1,
      default: 0,
      arg: 'P',
      help: 'dropout between layers and before the output',
    },
    'seq-length': {
      type: 'int',
      min: 1,
      option: 'seqLength',
      default: D.seqLength,
      help: 'characters per truncated backprop',
    },
    'batch-size': {
      type: 'int',
      min: 1,
      option: 'batchSize',
      default: D.batchSize,
      help: 'parallel streams per batch',
    },
    optimizer: {
      type: 'string',
      choices: OPTIMIZER_NAMES,
      option: 'optimizer',
      default: D.optimizer,
      help: 'the update rule',
    },
    'learning-rate': {
      type: 'number',
      above: 0,
      option: 'learningRate',
      default: D.learningRate,
      arg: 'LR',
      help: 'step size',
    },
    'decay-rate': {
      type: 'number',
      above: 0,
      below: 1,
      option: 'decayRate',
      default: D.decayRate,
      arg: 'R',
      help: "RMSProp's running-average decay",
    },
    'lr-decay': {
      type: 'number',
      above: 0,
      max: 1,
      option: 'lrDecay',
      default: D.lrDecay,
      arg: 'F',
      help: 'learning rate multiplied by F every epoch after --lr-decay-after',
    },
    'lr-decay-after': {
      type: 'int',
      min: 0,
      option: 'lrDecayAfter',
      default: D.lrDecayAfter,
      arg: 'EPOCHS',
      help: 'epochs before the learning rate decays',
    },
    'grad-clip': {
      type: 'number',
      min: 0,
      option: 'gradClip',
      default: D.gradClip,
      arg: 'C',
      help: "clip gradients at C in char-rnn's units (loss summed over the seq-length steps); 0 = off",
    },
    'clip-mode': {
      type: 'string',
      choices: CLIP_MODES,
      option: 'clipMode',
      default: D.clipMode,
      help: 'clip each element (char-rnn) or the global norm',
    },
    'train-frac': {
      type: 'number',
      above: 0,
      max: 1,
      option: 'trainFrac',
      default: D.trainFrac,
      arg: 'F',
      help: 'leading fraction of the text to train on',
    },
    'val-frac': {
      type: 'number',
      min: 0,
      max: 1,
      option: 'valFrac',
      default: D.valFrac,
      arg: 'F',
      help: 'fraction after it for validation (the rest is test)',
    },
    'max-epochs': {
      type: 'int',
      min: 1,
      option: 'maxEpochs',
      default: D.maxEpochs,
      help: 'stop after N passes over the training split',
    },
    'max-iters': { type: 'int', min: 1, option: 'maxIters', help: 'stop after N iterations in all' },
    'eval-val-every': {
      type: 'int',
      min: 1,
      option: 'evalValEvery',
      default: D.evalValEvery,
      help: 'validate every N iterations (and at the end)',
    },
    patience: {
      type: 'int',
      min: 0,
      option: 'patience',
      default: D.patience,
      help: 'stop after N validations in a row without a new best (0 = never)',
    },
    'checkpoint-every': {
      type: 'int',
      min: 1,
      option: 'checkpointEvery',
      default: D.checkpointEvery,
      help: 'save DIR/latest every N iterations (and at the end)',
    },
    'sample-every': {
      type: 'int',
      min: 0,
      option: 'sampleEvery',
      default: D.sampleEvery,
      help: `print a sample of ${D.sampleLength} chars on stderr every N iterations, also in --log-json as "sample" (0 = never)`,
    },
    'print-every': {
      type: 'int',
      min: 1,
      default: 10,
      help: 'progress line every N iterations when stderr is not a terminal',
    },
    'init-from': {
      type: 'string',
      arg: 'CKPT_DIR',
      help: 'resume a run exactly (weights, optimizer, data position, random state); pretrained:NAME fine-tunes a shipped model on --input as a new run, at a tenth of the default learning rate',
    },
    seed: { type: 'int', min: 0, option: 'seed', default: D.seed, help: 'same seed, same run' },
    threads: {
      type: 'int',
      min: 0,
      option: 'threads',
      default: D.threads,
      help: 'threads sharing each batch on the TF.js engine, at most --batch-size (0 = $CHARRNN_THREADS, else one per core)',
    },
    engine: { ...ENGINE_FLAG, option: 'engine' },
    backend: BACKEND_FLAG,
    'log-json': {
      type: 'string',
      arg: 'FILE',
      help: 'one JSON object per iteration: iter, epoch, train_loss, val_loss, lr, chars_per_sec, elapsed_s (and sample)',
    },
  },
} satisfies Command<Record<string, TrainFlag>>;

type Values = Parsed<typeof command.flags>['values'];
const FLAGS: Record<string, TrainFlag> = command.flags;

/** `--flag` for a training option or model field, as the memory check names what to lower. */
function flagOf(option: string): string {
  const model: Record<string, string> = { hiddenSize: 'rnn-size', numLayers: 'num-layers' };
  const flag = model[option] ?? Object.keys(FLAGS).find((f) => FLAGS[f].option === option);
  return flag ? `--${flag}` : option;
}

/** The run folder a checkpoint path belongs to: `cv/latest` and `cv/best` belong to `cv`. */
function runDirOf(ckpt: string): string {
  const base = path.basename(path.resolve(ckpt));
  return base === 'latest' || base === 'best' ? path.dirname(path.resolve(ckpt)) : ckpt;
}

function hasCheckpoint(dir: string): boolean {
  return ['latest', 'best', '.'].some((d) => fs.existsSync(path.join(dir, d, 'checkpoint.json')));
}

/** "native engine (OpenBLAS ...)" or "TF.js engine on wasm x2 threads", with why native is off when it is. */
function engineLine(trainer: Trainer): string {
  const e = trainer.engine;
  return `${e.describe(trainer.threads)}${e.note ? ` (${e.note})` : ''}`;
}

/** --log-json names a file in a folder that exists: said before any work, not as an error after it. */
function checkLogFile(file: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new CharRNNError(`--log-json ${file}: the folder ${dir} does not exist`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory())
    throw new CharRNNError(`--log-json ${file} is a folder, not a file`);
}

/** What the flags make of a run: its options, and whether it resumes or fine-tunes a checkpoint. */
interface RunPlan {
  input: string;
  /** Only the options given: a resumed run keeps its saved ones. */
  options: Partial<TrainOptions>;
  checkpointDir: string;
  initFrom?: string;
  /** --init-from a run folder or checkpoint (not pretrained:NAME, which fine-tunes as a new run). */
  resuming: boolean;
  /** A fine-tune at a tenth of the default learning rate, since --learning-rate was not given. */
  atFineTuneRate: boolean;
}

/** The run's rules, checked before any work: input, options, where its checkpoints go, --log-json's folder. */
function planRun(v: Values, positionals: string[], given: Set<string>): RunPlan {
  if (positionals.length) throw new CharRNNError(`unexpected arguments: ${positionals.join(' ')}`);
  const input = v.input;
  if (!input) throw new CharRNNError('missing --input FILE (the text to train on)');
  if (!fs.existsSync(input)) throw new CharRNNError(`input file not found: ${input}`);
  if (fs.statSync(input).isDirectory()) throw new CharRNNError(`--input must be a text file, ${input} is a directory`);

  const options: Partial<TrainOptions> = {};
  const values: Record<string, Value> = v;
  // The engine is this machine's choice (flag > CHARRNN_ENGINE > auto), saved or not.
  for (const [flag, f] of Object.entries(FLAGS))
    if (f.option && (given.has(flag) || flag === 'engine')) Object.assign(options, { [f.option]: values[flag] });
  const initFrom = v['init-from'];
  // A pretrained model is not resumed but fine-tuned: a new run (fresh optimizer, its own folder) from its weights.
  const resuming = initFrom !== undefined && !isPretrained(initFrom);
  // A fresh RMSProp's first steps are several times the learning rate (its running average starts at zero): at the
  // from-scratch default they throw a converged model off (pretrained:tinyshakespeare diverged at iteration 3), so
  // a fine-tune starts at a tenth of it unless --learning-rate says otherwise.
  const atFineTuneRate = initFrom !== undefined && !resuming && !given.has('learning-rate');
  if (atFineTuneRate) options.learningRate = D.learningRate / 10;
  const checkpointDir = v['checkpoint-dir'] ?? (initFrom !== undefined && resuming ? runDirOf(initFrom) : 'cv');
  options.checkpointDir = checkpointDir;
  trainOptions(options);
  if (!resuming && hasCheckpoint(checkpointDir)) {
    throw new CharRNNError(
      `${checkpointDir} already holds a checkpoint; resume it with --init-from ${checkpointDir}, or choose another --checkpoint-dir`,
    );
  }
  checkCheckpointDir(checkpointDir); // now, not after reading the corpus (Trainer.run checks again)
  if (v['log-json']) checkLogFile(v['log-json']);
  return { input, options, checkpointDir, initFrom, resuming, atFineTuneRate };
}

/** A trainer that resumes or fine-tunes `from`; the model flags given must agree with its checkpoint. */
async function trainerFrom(from: string, plan: RunPlan, v: Values, given: Set<string>): Promise<Trainer> {
  const { meta, recovered } = readCheckpointMeta(from);
  if (recovered) process.stderr.write(`charrnn: ${recovered}\n`);
  // The original command line may be repeated with --init-from: its model flags must agree with the checkpoint.
  const saved: Record<string, Value> = {
    model: meta.model.cell,
    'rnn-size': meta.model.hiddenSize,
    'num-layers': meta.model.numLayers,
    dropout: meta.model.dropout,
  };
  const flags: Record<string, Value> = v;
  const conflicts = Object.keys(saved).filter((f) => given.has(f) && flags[f] !== saved[f]);
  if (conflicts.length) {
    const which = conflicts.map((f) => `--${f} ${flags[f]} (the checkpoint has ${saved[f]})`).join(', ');
    throw new CharRNNError(`cannot change the model when resuming with --init-from: ${which}`);
  }
  const corpus = await loadCorpus(plan.input, { vocab: Vocab.fromChars(meta.vocab) });
  if (plan.resuming) return Trainer.resume(from, corpus.data, plan.options);
  const ckpt = loadCheckpoint(from);
  return new Trainer(ckpt.model, ckpt.vocab, corpus.data, plan.options);
}

/** A trainer for a new model from the flags, once the memory it would need fits this machine. */
async function newTrainer(plan: RunPlan, v: Values, backend: string): Promise<Trainer> {
  const corpus = await loadCorpus(plan.input);
  const config = {
    cell: v.model,
    vocabSize: corpus.vocab.size,
    hiddenSize: v['rnn-size'],
    numLayers: v['num-layers'],
    dropout: v.dropout,
  };
  // Before the weights exist. With --engine auto this is the leanest engine's estimate; the Trainer checks again
  // for the engine it gets.
  const options = trainOptions(plan.options);
  const threads = v.threads || defaultThreads();
  checkTrainingMemory(trainingMemory(config, options, engineMemory(options.engine), threads, backend), flagOf);
  const model = CharRNN.create(config, { seed: v.seed });
  return new Trainer(model, corpus.vocab, corpus.data, plan.options);
}

/**
 * Ctrl-C, SIGTERM (kill, timeout, job schedulers) and SIGHUP (a closed terminal) stop the run after the current
 * step, which saves latest; a second one quits at once. `stopped()` is the first signal; `release()` unhooks them.
 */
function stopOnSignals(): { stopped: () => NodeJS.Signals | undefined; release: () => void } {
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal) process.exit(128 + os.constants.signals[signal]);
    stopSignal = signal;
    if (signal === 'SIGHUP') process.stderr.on('error', () => {}); // the terminal may be gone: drop what goes to it
    process.stderr.write(
      `\ncharrnn: ${signal}: stopping after this step and saving a checkpoint (${signal} again to quit now)\n`,
    );
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  signals.forEach((s) => process.on(s, onSignal));
  return { stopped: () => stopSignal, release: () => signals.forEach((s) => process.off(s, onSignal)) };
}

/**
 * --log-json: one JSON object per iteration, written when the next one starts so that a sample drawn after it
 * joins it. Appends to the file of a resumed run.
 */
class JsonLog {
  private readonly fd: number;
  private record?: Record<string, unknown>;

  constructor(file: string, append: boolean) {
    this.fd = fs.openSync(file, append ? 'a' : 'w');
  }

  progress(p: Progress): void {
    this.flush();
    this.record = {
      iter: p.iter,
      epoch: p.epoch,
      train_loss: p.trainLoss,
      val_loss: p.valLoss,
      lr: p.lr,
      chars_per_sec: p.charsPerSec,
      elapsed_s: p.elapsedS,
    };
  }

  sample(s: TrainingSample): void {
    if (this.record) this.record.sample = s.text;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }

  private flush(): void {
    if (this.record) fs.writeSync(this.fd, JSON.stringify(this.record) + '\n');
    this.record = undefined;
  }
}

/** The run's first line: the model, its batches and iterations, the engine, where checkpoints go. */
function describeRun(trainer: Trainer, plan: RunPlan): string {
  const cfg = trainer.model.config;
  return (
    `charrnn: ${cfg.numLayers}x${cfg.hiddenSize} ${cfg.cell}, vocab ${cfg.vocabSize}, ${trainer.batches.numBatches} batches/epoch, ` +
    `${trainer.totalIters} iterations, ${engineLine(trainer)}, checkpoints in ${plan.checkpointDir}\n`
  );
}

/** charrnn train --input FILE: trains, printing progress and samples on stderr, until done, stopped or diverged. */
export async function run(argv: string[]): Promise<void> {
  const { values: v, positionals, given } = parseFlags(argv, command);
  const plan = planRun(v, positionals, given);
  const backend = await initBackend(v.backend);
  const trainer = plan.initFrom
    ? await trainerFrom(resolveCheckpoint(plan.initFrom), plan, v, given)
    : await newTrainer(plan, v, backend.name);
  if (plan.atFineTuneRate) {
    process.stderr.write(
      `charrnn: fine-tuning ${plan.initFrom} at learning rate ${plan.options.learningRate} (a tenth of the default, for a converged model; --learning-rate sets it)\n`,
    );
  }
  process.stderr.write(describeRun(trainer, plan));
  const log = v['log-json'] ? new JsonLog(v['log-json'], trainer.iter > 0) : undefined;
  const line = new ProgressLine(process.stderr, v['print-every']);
  const signals = stopOnSignals();
  let result: TrainResult;
  try {
    result = await trainer.run({
      shouldStop: () => signals.stopped() !== undefined,
      onProgress: (p) => {
        log?.progress(p);
        line.update(p);
      },
      onSample: (s) => {
        line.done();
        process.stderr.write(`--- sample at iteration ${s.iter} (temperature ${s.temperature}) ---\n${s.text}\n---\n`);
        log?.sample(s);
      },
    });
  } finally {
    signals.release();
    log?.close();
    line.done();
  }
  trainer.dispose();
  const val = result.bestValLoss !== undefined ? `, best val loss ${result.bestValLoss.toFixed(4)}` : '';
  process.stderr.write(`charrnn: ${result.message}${val}\n`);
  if (result.status === 'diverged') process.exitCode = 1;
  const stopped = signals.stopped();
  if (result.status === 'interrupted' && stopped) process.exitCode = 128 + os.constants.signals[stopped];
}
