import { BackendChoice, initBackend } from '../backend';
import { CharRNNError } from '../errors';
import { loadCorpus, splitCorpus } from '../text/corpus';
import { loadCheckpoint } from '../train/checkpoint';
import { evaluate } from '../train/evaluate';
import { trainOptions } from '../train/options';
import { Flag, onePositional, parseFlags } from './args';

const FLAGS: Record<string, Flag> = {
  input: { type: 'string' },
  split: { type: 'string', choices: ['train', 'val', 'test'] },
  backend: { type: 'string', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
};

/** charrnn eval CKPT_DIR --input FILE [--split S]: one JSON object with loss (nats), bpc, perplexity, chars. */
export async function run(argv: string[]): Promise<void> {
  const p = parseFlags(argv, FLAGS);
  const dir = onePositional(p, 'checkpoint directory (charrnn eval CKPT_DIR --input FILE)');
  if (!p.values.input) throw new CharRNNError('missing --input FILE');
  const split = (p.values.split as 'train' | 'val' | 'test') ?? 'test';
  await initBackend((p.values.backend as BackendChoice) ?? 'auto');
  const ckpt = loadCheckpoint(dir);
  const opts = trainOptions((ckpt.meta.training ?? {}) as object);
  const corpus = await loadCorpus(p.values.input as string, { vocab: ckpt.vocab });
  const data = splitCorpus(corpus.data, opts.trainFrac, opts.valFrac)[split];
  const result = evaluate(ckpt.model, data, { batchSize: opts.batchSize, seqLength: opts.seqLength });
  process.stdout.write(JSON.stringify({ split, ...result }) + '\n');
  ckpt.model.dispose();
}
