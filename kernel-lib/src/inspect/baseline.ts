/**
 * The n-gram baseline of a corpus: n-gram models of a few orders trained on its train split, discounts tuned on the
 * validation split, scored on validation and test in nats and bits per char, next to RNN losses on the same text.
 */
import type { MimeBundle } from '../display/bundle';
import { ngramBundle } from '../display/ngram';
import { VIEW_VERSIONS, type NgramView } from '@charrnn/schema';
import { splitCorpus } from '../text/corpus';
import type { CharIds } from '../text/vocab';
import { Loss, NGramModel } from './ngram';

export interface BaselineOptions {
  /** Default [1, 2, 3, 5, 10, 20]. */
  orders?: number[];
  /** Split fractions as in training (defaults 0.9 and 0.05; the rest is test). */
  trainFrac?: number;
  valFrac?: number;
  /** Fit the discounts on the validation split (default true); its loss is then optimistic, test is not. */
  tune?: boolean;
  /** Name of the data for displays, e.g. 'warpeace'. */
  dataset?: string;
  /** Memory limit of each order's counts (see NGramModel). */
  maxBytes?: number;
}

export interface OrderResult {
  order: number;
  val: Loss;
  test: Loss;
  /** Whether the discounts were fitted on the validation split. */
  tuned: boolean;
  trainChars: number;
  /** Trie nodes and the bytes of their typed arrays. */
  nodes: number;
  trieBytes: number;
  /** Seconds to count, tune and score. */
  seconds: number;
}

export class NGramBaseline {
  constructor(
    readonly dataset: string,
    readonly results: OrderResult[],
    /** RNN losses (nats/char) on the same test text, for comparison. */
    readonly rnn: { label: string; loss: number; params?: number }[] = [],
  ) {}

  /** A copy with an RNN's test loss added to the comparison. */
  withRnn(label: string, loss: number, params?: number): NGramBaseline {
    return new NGramBaseline(this.dataset, this.results, [...this.rnn, { label, loss, ...(params ? { params } : {}) }]);
  }

  toView(): NgramView {
    return {
      version: VIEW_VERSIONS.ngram,
      dataset: `${this.dataset} test`,
      ngram: this.results.map((r) => ({ order: r.order, loss: r.test.nats })),
      rnn: this.rnn,
    };
  }

  toMimeBundle(): MimeBundle {
    return ngramBundle(this.toView());
  }
}

/** One n-gram model of the given order on a split corpus. */
export function ngramResult(
  train: CharIds,
  val: CharIds,
  test: CharIds,
  vocabSize: number,
  order: number,
  tune = true,
  maxBytes?: number,
): OrderResult {
  const start = Date.now();
  const model = new NGramModel(train, vocabSize, order, { maxBytes });
  const tuned = tune && val.length > 0;
  if (tuned) model.tuneDiscounts(val);
  const [v, t] = [model.loss(val), model.loss(test)];
  return {
    order,
    val: v,
    test: t,
    tuned,
    trainChars: train.length,
    nodes: model.counts.size,
    trieBytes: model.counts.bytes,
    seconds: (Date.now() - start) / 1000,
  };
}

/** N-gram models of several orders on a corpus (its ids and vocabulary size). */
export function ngramBaseline(
  corpus: { data: CharIds; vocab: { size: number } },
  opts: BaselineOptions = {},
): NGramBaseline {
  const { train, val, test } = splitCorpus(corpus.data, opts.trainFrac, opts.valFrac);
  const orders = opts.orders ?? [1, 2, 3, 5, 10, 20];
  const results = orders.map((n) =>
    ngramResult(train, val, test, corpus.vocab.size, n, opts.tune ?? true, opts.maxBytes),
  );
  return new NGramBaseline(opts.dataset ?? 'corpus', results);
}
