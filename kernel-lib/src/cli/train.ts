import * as fs from 'node:fs';
import * as path from 'node:path';
import { CharRNNError } from '../errors';
import { BackendChoice, initBackend } from '../backend';
import { CharRNN } from '../model/charrnn';
import { CellType } from '../model/config';
import { nativeStatus } from '../native/addon';
import { loadCorpus } from '../text/corpus';
import { Vocab } from '../text/vocab';
import { readCheckpointMeta } from '../train/checkpoint';
import { TrainOptions, trainOptions } from '../train/options';
import { Progress, TrainResult, Trainer } from '../train/trainer';
import { Flag, parseFlags } from './args';
import { ProgressLine } from './progress';

const FLAGS: Record<string, Flag> = {
  input: { type: 'string' },
  'checkpoint-dir': { type: 'string' },
  model: { type: 'string', choices: ['lstm', 'gru', 'rnn'] },
  'rnn-size': { type: 'int', min: 1 },
  'num-layers': { type: 'int', min: 1 },
  dropout: { type: 'number', min: 0 },
  'seq-length': { type: 'int', min: 1 },
  'batch-size': { type: 'int', min: 1 },
  optimizer: { type: 'string', choices: ['rmsprop', 'adam'] },
  'learning-rate': { type: 'number' },
  'decay-rate': { type: 'number' },
  'lr-decay': { type: 'number' },
  'lr-decay-after': { type: 'int', min: 0 },
  'grad-clip': { type: 'number', min: 0 },
  'clip-mode': { type: 'string', choices: ['value', 'norm'] },
  'train-frac': { type: 'number' },
  'val-frac': { type: 'number' },
  'max-epochs': { type: 'int', min: 1 },
  'max-iters': { type: 'int', min: 1 },
  'eval-val-every': { type: 'int', min: 1 },
  patience: { type: 'int', min: 0 },
  'checkpoint-every': { type: 'int', min: 1 },
  'sample-every': { type: 'int', min: 0 },
  'print-every': { type: 'int', min: 1 },
  'init-from': { type: 'string' },
  seed: { type: 'int', min: 0 },
  threads: { type: 'int', min: 0 },
  engine: { type: 'string', choices: ['auto', 'native', 'tfjs'] },
  backend: { type: 'string', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
  'log-json': { type: 'string' },
};

/** CLI flag -> TrainOptions key, for the flags that are training options. */
const OPTION_OF: Record<string, keyof TrainOptions> = {
  'seq-length': 'seqLength',
  'batch-size': 'batchSize',
  optimizer: 'optimizer',
  'learning-rate': 'learningRate',
  'decay-rate': 'decayRate',
  'lr-decay': 'lrDecay',
  'lr-decay-after': 'lrDecayAfter',
  'grad-clip': 'gradClip',
  'clip-mode': 'clipMode',
  'train-frac': 'trainFrac',
  'val-frac': 'valFrac',
  'max-epochs': 'maxEpochs',
  'max-iters': 'maxIters',
  'eval-val-every': 'evalValEvery',
  patience: 'patience',
  'checkpoint-every': 'checkpointEvery',
  'sample-every': 'sampleEvery',
  seed: 'seed',
  threads: 'threads',
  engine: 'engine',
};

const MODEL_FLAGS = ['model', 'rnn-size', 'num-layers', 'dropout'];

/** The run folder a checkpoint path belongs to: `cv/latest` and `cv/best` belong to `cv`. */
function runDirOf(ckpt: string): string {
  const base = path.basename(path.resolve(ckpt));
  return base === 'latest' || base === 'best' ? path.dirname(path.resolve(ckpt)) : ckpt;
}

function hasCheckpoint(dir: string): boolean {
  return ['latest', 'best', '.'].some((d) => fs.existsSync(path.join(dir, d, 'checkpoint.json')));
}

/** "native engine (OpenBLAS ...)" or "TF.js engine on wasm x2 threads", with why native is off when it is. */
function engineLine(trainer: Trainer, backend: string): string {
  const e = trainer.engine;
  if (e.name === 'native') return `native engine (${nativeStatus().detail})`;
  return `TF.js engine on ${backend} x${trainer.threads} threads${e.note ? ` (${e.note})` : ''}`;
}

export async function run(argv: string[]): Promise<void> {
  const { values: v, positionals } = parseFlags(argv, FLAGS);
  if (positionals.length) throw new CharRNNError(`unexpected arguments: ${positionals.join(' ')}`);
  if (!v.input) throw new CharRNNError('missing --input FILE (the text to train on)');
  if (v.dropout !== undefined && (v.dropout as number) >= 1) throw new CharRNNError(`--dropout must be < 1, got ${v.dropout}`);
  const input = v.input as string;
  if (!fs.existsSync(input)) throw new CharRNNError(`input file not found: ${input}`);
  if (fs.statSync(input).isDirectory()) throw new CharRNNError(`--input must be a text file, ${input} is a directory`);

  const options: Partial<TrainOptions> = {};
  for (const [flag, key] of Object.entries(OPTION_OF)) if (v[flag] !== undefined) (options as any)[key] = v[flag];
  const initFrom = v['init-from'] as string | undefined;
  const checkpointDir = (v['checkpoint-dir'] as string | undefined) ?? (initFrom ? runDirOf(initFrom) : 'cv');
  options.checkpointDir = checkpointDir;
  trainOptions(options);
  if (!initFrom && hasCheckpoint(checkpointDir)) {
    throw new CharRNNError(
      `${checkpointDir} already holds a checkpoint; resume it with --init-from ${checkpointDir}, or choose another --checkpoint-dir`,
    );
  }

  const backend = await initBackend((v.backend as BackendChoice) ?? 'auto');
  let trainer: Trainer;
  if (initFrom) {
    const { meta } = readCheckpointMeta(initFrom);
    const changed = MODEL_FLAGS.filter((f) => v[f] !== undefined);
    if (changed.length) throw new CharRNNError(`cannot change ${changed.map((f) => `--${f}`).join(', ')} when resuming with --init-from`);
    const corpus = await loadCorpus(input, { vocab: Vocab.fromChars(meta.vocab) });
    trainer = Trainer.resume(initFrom, corpus.data, options);
  } else {
    const corpus = await loadCorpus(input);
    const model = CharRNN.create(
      {
        cell: ((v.model as CellType) ?? 'lstm'),
        vocabSize: corpus.vocab.size,
        hiddenSize: (v['rnn-size'] as number) ?? 128,
        numLayers: (v['num-layers'] as number) ?? 2,
        dropout: (v.dropout as number) ?? 0,
      },
      { seed: (v.seed as number) ?? 123 },
    );
    trainer = new Trainer(model, corpus.vocab, corpus.data, options);
  }

  const cfg = trainer.model.config;
  process.stderr.write(
    `charrnn: ${cfg.numLayers}x${cfg.hiddenSize} ${cfg.cell}, vocab ${cfg.vocabSize}, ${trainer.batches.numBatches} batches/epoch, ` +
      `${trainer.totalIters} iterations, ${engineLine(trainer, backend.name)}, checkpoints in ${checkpointDir}\n`,
  );
  const log = v['log-json'] ? fs.openSync(v['log-json'] as string, trainer.iter > 0 ? 'a' : 'w') : undefined;
  const line = new ProgressLine(process.stderr, (v['print-every'] as number) ?? 10);
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\ncharrnn: stopping after this step and saving a checkpoint (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSigint);
  let result: TrainResult;
  try {
    result = await trainer.run({
      shouldStop: () => interrupted,
      onProgress: (p: Progress) => {
        line.update(p);
        if (log !== undefined) {
          const rec = { iter: p.iter, epoch: p.epoch, train_loss: p.trainLoss, val_loss: p.valLoss, lr: p.lr, chars_per_sec: p.charsPerSec, elapsed_s: p.elapsedS };
          fs.writeSync(log, JSON.stringify(rec) + '\n');
        }
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    if (log !== undefined) fs.closeSync(log);
    line.done();
  }
  trainer.dispose();
  const val = result.bestValLoss !== undefined ? `, best val loss ${result.bestValLoss.toFixed(4)}` : '';
  process.stderr.write(`charrnn: ${result.message}${val}\n`);
  if (result.status === 'diverged') process.exitCode = 1;
  if (result.status === 'interrupted') process.exitCode = 130;
}
