import { CharRNNError } from '../errors';
import { ngramResult } from '../inspect/baseline';
import { MAX_ORDER } from '../inspect/ngram';
import { loadCorpus, splitCorpus } from '../text/corpus';
import { DEFAULT_TRAIN_OPTIONS } from '../train/options';
import { Command, parseFlags } from './args';

export const command = {
  usage: '--input FILE [options]',
  summary:
    'Scores an n-gram baseline (interpolated modified Kneser-Ney) on a text: one JSON object with validation and test losses.',
  flags: {
    input: { type: 'string', arg: 'FILE', help: 'the text (required)' },
    order: { type: 'int', min: 1, max: MAX_ORDER, default: 5, help: 'characters of context plus one' },
    'train-frac': {
      type: 'number',
      above: 0,
      max: 1,
      default: DEFAULT_TRAIN_OPTIONS.trainFrac,
      arg: 'F',
      help: 'leading fraction of the text to count',
    },
    'val-frac': {
      type: 'number',
      min: 0,
      max: 1,
      default: DEFAULT_TRAIN_OPTIONS.valFrac,
      arg: 'F',
      help: 'fraction after it for fitting the discounts (the rest is test)',
    },
    'no-tune': { type: 'boolean', help: 'use the discounts from counts of counts instead of fitting them' },
  },
} satisfies Command;

/**
 * charrnn ngram --input FILE --order N [--train-frac F --val-frac F] [--no-tune]: counts an n-gram model
 * (interpolated modified Kneser-Ney) on the train split, fits its discounts on the validation split, and prints one
 * JSON object with the validation and test losses in nats and bits per char.
 */
export async function run(argv: string[]): Promise<void> {
  const p = parseFlags(argv, command);
  if (p.positionals.length) throw new CharRNNError(`unexpected arguments: ${p.positionals.join(' ')}`);
  if (!p.values.input) throw new CharRNNError('missing --input FILE');
  const order = p.values.order;
  const corpus = await loadCorpus(p.values.input);
  const { train, val, test } = splitCorpus(corpus.data, p.values['train-frac'], p.values['val-frac']);
  const r = ngramResult(train, val, test, corpus.vocab.size, order, !p.values['no-tune']);
  const loss = (l: typeof r.val) => ({ chars: l.chars, nats: round(l.nats), bpc: round(l.bpc) });
  process.stdout.write(
    JSON.stringify({
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
    }) + '\n',
  );
}

function round(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 10000) / 10000 : null;
}
