import test from 'node:test';
import assert from 'node:assert/strict';
import { NGramModel } from './ngram';
import { Rng } from '../rng';
import { corpusFromText } from '../text/corpus';
import { ngramBaseline } from './baseline';

function randomIds(rng: Rng, n: number, v: number): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(rng.next() * v));
}

/** Interpolated modified Kneser-Ney written the slow, obvious way over string-keyed maps, to check the trie against. */
function referenceKN(train: Int32Array, v: number, order: number) {
  const s = String.fromCharCode(...Array.from(train, (x) => 65 + x));
  const raw = new Map<string, number>();
  for (let n = 1; n <= order; n++)
    for (let i = 0; i + n <= s.length; i++) raw.set(s.slice(i, i + n), (raw.get(s.slice(i, i + n)) ?? 0) + 1);
  const left = new Map<string, Set<string>>();
  for (const g of raw.keys())
    if (g.length >= 2) (left.get(g.slice(1)) ?? left.set(g.slice(1), new Set()).get(g.slice(1))!).add(g[0]);
  const count = (g: string) => (g.length === order ? (raw.get(g) ?? 0) : (left.get(g)?.size ?? 0));
  const discount: number[][] = [[]];
  for (let n = 1; n <= order; n++) {
    const nc = [0, 0, 0, 0, 0];
    for (const g of raw.keys()) if (g.length === n && count(g) <= 4) nc[count(g)]++;
    const y = nc[1] + 2 * nc[2] > 0 ? nc[1] / (nc[1] + 2 * nc[2]) : 0.5;
    const est = [
      nc[1] > 0 ? 1 - (2 * y * nc[2]) / nc[1] : 0.5,
      nc[2] > 0 ? 2 - (3 * y * nc[3]) / nc[2] : 1,
      nc[3] > 0 ? 3 - (4 * y * nc[4]) / nc[3] : 1.5,
    ];
    discount.push(est.map((d, i) => Math.min(i + 1, Math.max(0.1, d))));
  }
  return (history: Int32Array, w: number): number => {
    const hs = String.fromCharCode(...Array.from(history, (x) => 65 + x));
    let p = 1 / v;
    for (let k = 0; k <= Math.min(order - 1, hs.length); k++) {
      const h = hs.slice(hs.length - k);
      if (k > 0 && !raw.has(h)) break;
      const d = discount[k + 1];
      let total = 0,
        backoff = 0;
      for (let x = 0; x < v; x++) {
        const cx = count(h + String.fromCharCode(65 + x));
        total += cx;
        if (cx > 0) backoff += d[Math.min(cx, 3) - 1];
      }
      if (total === 0) break;
      const c = count(h + String.fromCharCode(65 + w));
      p = ((c > 0 ? c - d[Math.min(c, 3) - 1] : 0) + backoff * p) / total;
    }
    return p;
  };
}

test('the compressed-trie Kneser-Ney model gives exactly the probabilities of a plain map-based one', () => {
  const rng = new Rng(7);
  for (const [n, v, order] of [
    [200, 3, 1],
    [300, 2, 3],
    [400, 4, 5],
    [500, 3, 8],
    [60, 5, 20],
  ]) {
    const train = randomIds(rng, n, v);
    // Repeat a stretch so that long contexts repeat too.
    train.set(train.subarray(0, n / 4), n / 2);
    const model = new NGramModel(train, v, order);
    const ref = referenceKN(train, v, order);
    const heldOut = Int32Array.from([...train.subarray(10, 40), ...randomIds(rng, 40, v)]);
    for (let t = 0; t < heldOut.length; t++) {
      for (let w = 0; w < v; w++) {
        const want = ref(heldOut.subarray(Math.max(0, t - order + 1), t), w);
        const got = model.prob(heldOut, t, w);
        assert.ok(Math.abs(got - want) < 1e-12, `n=${n} v=${v} order=${order} t=${t} w=${w}: ${got} vs ${want}`);
      }
    }
  }
});

test('next-char distributions sum to 1 after seen, half-seen and unseen contexts', () => {
  const rng = new Rng(3);
  const train = randomIds(rng, 2000, 6);
  const model = new NGramModel(train, 8, 7); // two chars of the vocabulary never occur in training
  for (const ctx of [
    train.subarray(100, 110),
    Int32Array.from([7, 7, 6, 1, 2]),
    Int32Array.from([]),
    train.subarray(1990),
  ]) {
    const dist = model.distribution(ctx);
    const sum = dist.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-12, `sum ${sum}`);
    assert.ok(dist.every((p) => p > 0));
  }
});

test('a periodic text is predicted almost perfectly once the context covers the period', () => {
  const period = Int32Array.from([0, 1, 2, 1, 3, 0, 2, 2, 4]);
  const text = Int32Array.from({ length: 9000 }, (_, i) => period[i % period.length]);
  const model = new NGramModel(text.subarray(0, 8000), 5, 6);
  const loss = model.loss(text.subarray(8000));
  assert.ok(loss.nats < 0.01, `periodic loss ${loss.nats}`);
  // A bigram cannot: after 2 comes 1, 2 or 4.
  assert.ok(new NGramModel(text.subarray(0, 8000), 5, 2).loss(text.subarray(8000)).nats > 0.2);
});

test('uniform random text costs about log V at every order once discounts are tuned on held-out text', () => {
  const rng = new Rng(11);
  const v = 16;
  const train = randomIds(rng, 50000, v);
  const val = randomIds(rng, 5000, v);
  const heldOut = randomIds(rng, 5000, v);
  for (const order of [1, 3, 10, 20]) {
    const model = new NGramModel(train, v, order);
    const before = model.loss(heldOut).nats;
    model.tuneDiscounts(val);
    const loss = model.loss(heldOut);
    // Any count-based estimate pays for its noise: about (V - 1) / (2 x count per context) = 0.04 at order 3.
    assert.ok(
      loss.nats > Math.log(v) - 0.02 && loss.nats < Math.log(v) + 0.05,
      `order ${order}: ${loss.nats} vs ${Math.log(v)}`,
    );
    assert.ok(Math.abs(loss.bpc - 4) < 0.075);
    // Counts-of-counts discounts overfit once contexts are seen only a few times (order >= 4 here).
    if (order >= 10) assert.ok(before > loss.nats + 0.03, `untuned order ${order}: ${before} vs tuned ${loss.nats}`);
  }
});

test('text seen once is stored as leaves, not one node per substring', () => {
  const rng = new Rng(5);
  const train = randomIds(rng, 20000, 60);
  const model = new NGramModel(train, 60, 20);
  // 20 x 20000 substrings, nearly all distinct; the trie keeps about one node per position.
  assert.ok(model.counts.size < 2.5 * train.length, `${model.counts.size} nodes`);
});

test('bad orders and counts past the memory limit are user errors', () => {
  assert.throws(() => new NGramModel(Int32Array.from([1, 2]), 3, 0), /order must be/);
  assert.throws(() => new NGramModel(Int32Array.from([1, 2]), 3, 21), /order must be/);
  assert.throws(() => new NGramModel(new Int32Array(0), 3, 2), /empty/);
  assert.throws(() => new NGramModel(Int32Array.from([0, 3, 1]), 3, 2), /char id 3 at 1 is outside the vocabulary/);
  const rng = new Rng(2);
  assert.throws(
    () => new NGramModel(randomIds(rng, 100000, 50), 50, 20, { maxBytes: 4e6 }),
    /20-grams of 100,000 chars needs more than 4 MiB/,
  );
});

test('the baseline scores each order on val and test and displays as the ngram MIME type next to RNN losses', () => {
  const corpus = corpusFromText('abracadabra, said the cadaver. '.repeat(60));
  const base = ngramBaseline(corpus, { orders: [1, 4, 12], dataset: 'toy' }).withRnn('lstm 1x8', 0.5);
  assert.deepEqual(
    base.results.map((r) => r.order),
    [1, 4, 12],
  );
  assert.ok(base.results.every((r) => r.tuned && r.val.chars === 93 && r.test.chars === 93));
  assert.ok(base.results[0].test.nats > 2 && base.results[2].test.nats < 0.05);
  const view = base.toMimeBundle().data['application/vnd.charrnn.ngram+json'] as {
    dataset: string;
    ngram: { order: number; loss: number }[];
    rnn: unknown[];
  };
  assert.equal(view.dataset, 'toy test');
  assert.deepEqual(
    view.ngram.map((n) => n.order),
    [1, 4, 12],
  );
  assert.equal(view.ngram[1].loss, base.results[1].test.nats);
  assert.deepEqual(view.rnn, [{ label: 'lstm 1x8', loss: 0.5 }]);
});
