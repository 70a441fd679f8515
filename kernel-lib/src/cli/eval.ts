import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { SPLITS, loadCorpus, splitCorpus } from '../text/corpus';
import { loadCheckpoint } from '../train/checkpoint';
import { READINGS, evaluateAsync } from '../train/evaluate';
import { trainOptions } from '../train/options';
import { BACKEND_FLAG, Command, ENGINE_FLAG, parseFlags } from './args';
import { checkpointArg } from './checkpoint-arg';

export const command = {
  usage: 'CKPT_DIR --input FILE [options]',
  summary:
    "Scores a checkpoint on a split of a text (cut by the run's own fractions): one JSON object with loss (nats per char), bpc, perplexity and chars. " +
    "--reading continuous reads the split as one stream with the state carried through (as n-gram models and most papers score), not as the run's cold batch streams.",
  flags: {
    input: { type: 'string', arg: 'FILE', help: 'the text, split as in training (required)' },
    split: { type: 'string', choices: SPLITS, default: 'test', help: 'which split to score' },
    reading: {
      type: 'string',
      choices: READINGS,
      default: 'batched',
      help: "batched: the run's batch size of streams, each starting cold (as the cards' figures); continuous: one stream",
    },
    streams: { type: 'int', min: 1, default: 1, help: 'continuous reading: long streams side by side, each warmed up' },
    warmup: {
      type: 'int',
      min: 0,
      default: 1000,
      help: 'continuous reading with --streams > 1: chars read before each',
    },
    backend: BACKEND_FLAG,
    engine: ENGINE_FLAG,
  },
} satisfies Command;

/** charrnn eval CKPT_DIR --input FILE [--split S] [--reading R]: one JSON object with loss (nats), bpc, perplexity, chars. */
export async function run(argv: string[]): Promise<void> {
  const p = parseFlags(argv, command);
  const dir = checkpointArg(p, 'checkpoint directory (charrnn eval CKPT_DIR --input FILE)');
  if (!p.values.input) throw new CharRNNError('missing --input FILE');
  const split = p.values.split;
  await initBackend(p.values.backend);
  const ckpt = loadCheckpoint(dir);
  if (ckpt.recovered) process.stderr.write(`charrnn: ${ckpt.recovered}\n`);
  const opts = trainOptions((ckpt.meta.training ?? {}) as object);
  const corpus = await loadCorpus(p.values.input, { vocab: ckpt.vocab });
  const data = splitCorpus(corpus.data, opts.trainFrac, opts.valFrac)[split];
  const continuous = p.values.reading === 'continuous';
  const result = await evaluateAsync(ckpt.model, data, {
    reading: p.values.reading,
    batchSize: continuous ? p.values.streams : opts.batchSize,
    warmup: continuous && p.values.streams > 1 ? p.values.warmup : 0,
    seqLength: opts.seqLength,
    engine: p.values.engine,
  });
  process.stdout.write(JSON.stringify({ split, reading: p.values.reading, ...result }) + '\n');
  ckpt.model.dispose();
}
