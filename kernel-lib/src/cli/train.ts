import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CharRNNError } from '../errors';
import { BackendChoice, initBackend } from '../engine/start';
import { engineMemory } from '../engine/choose';
import { CharRNN } from '../model/charrnn';
import { CellType } from '../model/config';
import { loadCorpus } from '../text/corpus';
import { Vocab } from '../text/vocab';
import { isPretrained, resolveCheckpoint } from '../pretrained/pretrained';
import { checkCheckpointDir, loadCheckpoint, readCheckpointMeta } from '../train/checkpoint';
import { checkTrainingMemory, trainingMemory } from '../train/footprint';
import { DEFAULT_TRAIN_OPTIONS, TrainOptions, trainOptions } from '../train/options';
import type { TrainingSample } from '@charrnn/schema';
import { Progress, TrainResult, Trainer } from '../train/trainer';
import { BACKEND_FLAG, Command, ENGINE_FLAG, Flag, Value, parseFlags } from './args';
import { ProgressLine } from './progress';

/** A train flag; `option` names the TrainOptions field it sets. */
type TrainFlag = Flag & { option?: keyof TrainOptions };

const D = DEFAULT_TRAIN_OPTIONS;

export const command: Command & { flags: Record<string, TrainFlag> } = {
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
    model: { type: 'string', choices: ['lstm', 'gru', 'rnn'], default: 'lstm', help: 'the recurrent cell' },
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
      choices: ['rmsprop', 'adam'],
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
      choices: ['value', 'norm'],
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
      help: 'threads sharing each batch on the TF.js engine, at most --batch-size (0 = one per core)',
    },
    engine: { ...ENGINE_FLAG, option: 'engine' },
    backend: BACKEND_FLAG,
    'log-json': {
      type: 'string',
      arg: 'FILE',
      help: 'one JSON object per iteration: iter, epoch, train_loss, val_loss, lr, chars_per_sec, elapsed_s (and sample)',
    },
  },
};

/** `--flag` for a training option or model field, as the memory check names what to lower. */
function flagOf(option: string): string {
  const model: Record<string, string> = { hiddenSize: 'rnn-size', numLayers: 'num-layers' };
  const flag = model[option] ?? Object.keys(command.flags).find((f) => command.flags[f].option === option);
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

export async function run(argv: string[]): Promise<void> {
  const { values: v, positionals, given } = parseFlags(argv, command);
  if (positionals.length) throw new CharRNNError(`unexpected arguments: ${positionals.join(' ')}`);
  if (!v.input) throw new CharRNNError('missing --input FILE (the text to train on)');
  const input = v.input as string;
  if (!fs.existsSync(input)) throw new CharRNNError(`input file not found: ${input}`);
  if (fs.statSync(input).isDirectory()) throw new CharRNNError(`--input must be a text file, ${input} is a directory`);

  const options: Partial<TrainOptions> = {};
  // Only the options given: a resumed run keeps its saved ones. The engine is this machine's choice (flag > env > auto).
  for (const [flag, f] of Object.entries(command.flags))
    if (f.option && (given.has(flag) || flag === 'engine')) (options as any)[f.option] = v[flag];
  const initFrom = v['init-from'] as string | undefined;
  // A pretrained model is not resumed but fine-tuned: a new run (fresh optimizer, its own folder) from its weights.
  const resuming = initFrom !== undefined && !isPretrained(initFrom);
  // A fresh RMSProp's first steps are several times the learning rate (its running average starts at zero): at the
  // from-scratch default they throw a converged model off (pretrained:tinyshakespeare diverged at iteration 3), so
  // a fine-tune starts at a tenth of it unless --learning-rate says otherwise.
  const atFineTuneRate = initFrom !== undefined && !resuming && !given.has('learning-rate');
  if (atFineTuneRate) options.learningRate = D.learningRate / 10;
  const checkpointDir = (v['checkpoint-dir'] as string | undefined) ?? (resuming ? runDirOf(initFrom) : 'cv');
  options.checkpointDir = checkpointDir;
  trainOptions(options);
  if (!resuming && hasCheckpoint(checkpointDir)) {
    throw new CharRNNError(
      `${checkpointDir} already holds a checkpoint; resume it with --init-from ${checkpointDir}, or choose another --checkpoint-dir`,
    );
  }
  checkCheckpointDir(checkpointDir); // now, not after reading the corpus (Trainer.run checks again)
  if (v['log-json']) checkLogFile(v['log-json'] as string);

  const backend = await initBackend(v.backend as BackendChoice);
  let trainer: Trainer;
  if (initFrom) {
    const from = resolveCheckpoint(initFrom);
    const { meta, recovered } = readCheckpointMeta(from);
    if (recovered) process.stderr.write(`charrnn: ${recovered}\n`);
    // The original command line may be repeated with --init-from: its model flags must agree with the checkpoint.
    const saved: Record<string, Value> = {
      model: meta.model.cell,
      'rnn-size': meta.model.hiddenSize,
      'num-layers': meta.model.numLayers,
      dropout: meta.model.dropout,
    };
    const conflicts = Object.keys(saved).filter((f) => given.has(f) && v[f] !== saved[f]);
    if (conflicts.length) {
      const which = conflicts.map((f) => `--${f} ${v[f]} (the checkpoint has ${saved[f]})`).join(', ');
      throw new CharRNNError(`cannot change the model when resuming with --init-from: ${which}`);
    }
    const corpus = await loadCorpus(input, { vocab: Vocab.fromChars(meta.vocab) });
    if (resuming) trainer = Trainer.resume(from, corpus.data, options);
    else {
      const ckpt = loadCheckpoint(from);
      trainer = new Trainer(ckpt.model, ckpt.vocab, corpus.data, options);
    }
  } else {
    const corpus = await loadCorpus(input);
    const config = {
      cell: v.model as CellType,
      vocabSize: corpus.vocab.size,
      hiddenSize: v['rnn-size'] as number,
      numLayers: v['num-layers'] as number,
      dropout: v.dropout as number,
    };
    // Before the weights exist. With --engine auto this is the leanest engine's estimate; the Trainer checks again
    // for the engine it gets.
    const memory = engineMemory(trainOptions(options).engine);
    const threads = (v.threads as number) || os.availableParallelism();
    checkTrainingMemory(trainingMemory(config, trainOptions(options), memory, threads, backend.name), flagOf);
    const model = CharRNN.create(config, { seed: v.seed as number });
    trainer = new Trainer(model, corpus.vocab, corpus.data, options);
  }

  const cfg = trainer.model.config;
  if (atFineTuneRate) {
    process.stderr.write(
      `charrnn: fine-tuning ${initFrom} at learning rate ${options.learningRate} (a tenth of the default, for a converged model; --learning-rate sets it)\n`,
    );
  }
  process.stderr.write(
    `charrnn: ${cfg.numLayers}x${cfg.hiddenSize} ${cfg.cell}, vocab ${cfg.vocabSize}, ${trainer.batches.numBatches} batches/epoch, ` +
      `${trainer.totalIters} iterations, ${engineLine(trainer)}, checkpoints in ${checkpointDir}\n`,
  );
  const log = v['log-json'] ? fs.openSync(v['log-json'] as string, trainer.iter > 0 ? 'a' : 'w') : undefined;
  const line = new ProgressLine(process.stderr, v['print-every'] as number);
  // Ctrl-C, SIGTERM (kill, timeout, job schedulers) and SIGHUP (a closed terminal) stop after the current step and
  // save latest; a second one quits at once.
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
  // One log record per iteration, written when the next one starts so that a sample drawn after it joins it.
  let record: Record<string, unknown> | undefined;
  const writeRecord = () => {
    if (log !== undefined && record) fs.writeSync(log, JSON.stringify(record) + '\n');
    record = undefined;
  };
  let result: TrainResult;
  try {
    result = await trainer.run({
      shouldStop: () => stopSignal !== undefined,
      onProgress: (p: Progress) => {
        writeRecord();
        line.update(p);
        record = {
          iter: p.iter,
          epoch: p.epoch,
          train_loss: p.trainLoss,
          val_loss: p.valLoss,
          lr: p.lr,
          chars_per_sec: p.charsPerSec,
          elapsed_s: p.elapsedS,
        };
      },
      onSample: (s: TrainingSample) => {
        line.done();
        process.stderr.write(`--- sample at iteration ${s.iter} (temperature ${s.temperature}) ---\n${s.text}\n---\n`);
        if (record) record.sample = s.text;
      },
    });
  } finally {
    signals.forEach((s) => process.off(s, onSignal));
    writeRecord();
    if (log !== undefined) fs.closeSync(log);
    line.done();
  }
  trainer.dispose();
  const val = result.bestValLoss !== undefined ? `, best val loss ${result.bestValLoss.toFixed(4)}` : '';
  process.stderr.write(`charrnn: ${result.message}${val}\n`);
  if (result.status === 'diverged') process.exitCode = 1;
  if (result.status === 'interrupted') process.exitCode = 128 + os.constants.signals[stopSignal!];
}
