import { CharRNNError } from '../errors';
import { ngramResult } from '../inspect/baseline';
import { MAX_ORDER } from '../inspect/ngram';
import { loadCorpus, splitCorpus } from '../text/corpus';
import { Flag, parseFlags } from './args';

const FLAGS: Record<string, Flag> = {
  input: { type: 'string' },
  order: { type: 'int', min: 1 },
  'train-frac': { type: 'number' },
  'val-frac': { type: 'number' },
  'no-tune': { type: 'boolean' },
};

/**
 * charrnn ngram --input FILE --order N [--train-frac F --val-frac F] [--no-tune]: counts an n-gram model
 * (interpolated modified Kneser-Ney) on the train split, fits its discounts on the validation split, and prints one
 * JSON object with the validation and test losses in nats and bits per char.
 */
export async function run(argv: string[]): Promise<void> {
  const p = parseFlags(argv, FLAGS);
  if (p.positionals.length) throw new CharRNNError(`unexpected arguments: ${p.positionals.join(' ')}`);
  if (!p.values.input) throw new CharRNNError('missing --input FILE');
  const order = (p.values.order as number | undefined) ?? 5;
  if (order > MAX_ORDER) throw new CharRNNError(`--order must be at most ${MAX_ORDER}, got ${order}`);
  const corpus = await loadCorpus(p.values.input as string);
  const { train, val, test } = splitCorpus(corpus.data, p.values['train-frac'] as number | undefined, p.values['val-frac'] as number | undefined);
  const r = ngramResult(train, val, test, corpus.vocab.size, order, !p.values['no-tune']);
  const loss = (l: typeof r.val) => ({ chars: l.chars, nats: round(l.nats), bpc: round(l.bpc) });
  process.stdout.write(JSON.stringify({
    input: p.values.input,
    order,
    smoothing: 'interpolated modified Kneser-Ney',
    discounts: r.tuned ? 'fitted on val' : 'counts of counts',
    vocabSize: corpus.vocab.size,
    trainChars: r.trainChars,
    val: loss(r.val),
    test: loss(r.test),
    nodes: r.nodes,
    trieMB: round(r.trieBytes / 2 ** 20),
    seconds: r.seconds,
  }) + '\n');
}

function round(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 10000) / 10000 : null;
}
