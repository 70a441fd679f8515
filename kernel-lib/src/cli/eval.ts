import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { SPLITS, loadCorpus, splitCorpus } from '../text/corpus';
import { loadCheckpoint } from '../train/checkpoint';
import { evaluateAsync } from '../train/evaluate';
import { trainOptions } from '../train/options';
import { BACKEND_FLAG, Command, ENGINE_FLAG, parseFlags } from './args';
import { checkpointArg } from './checkpoint-arg';

export const command = {
  usage: 'CKPT_DIR --input FILE [options]',
  summary:
    "Scores a checkpoint on a split of a text (cut by the run's own fractions): one JSON object with loss (nats per char), bpc, perplexity and chars.",
  flags: {
    input: { type: 'string', arg: 'FILE', help: 'the text, split as in training (required)' },
    split: { type: 'string', choices: SPLITS, default: 'test', help: 'which split to score' },
    backend: BACKEND_FLAG,
    engine: ENGINE_FLAG,
  },
} satisfies Command;

/** charrnn eval CKPT_DIR --input FILE [--split S]: one JSON object with loss (nats), bpc, perplexity, chars. */
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
  const result = await evaluateAsync(ckpt.model, data, {
    batchSize: opts.batchSize,
    seqLength: opts.seqLength,
    engine: p.values.engine,
  });
  process.stdout.write(JSON.stringify({ split, ...result }) + '\n');
  ckpt.model.dispose();
}
