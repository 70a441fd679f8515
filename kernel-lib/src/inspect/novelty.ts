/**
 * Sample novelty: is the model making things up or copying its training text? The fraction of generated lines
 * (e.g. names, one per line) that are not a line of the training text, and the fraction of generated substrings of
 * k characters that occur nowhere in it. The seed shows generated names "not in the training set".
 */
import type { MimeBundle } from '../display/bundle';
import { escapeHtml, htmlGrid } from '../display/fallback';

export interface NoveltyCount {
  total: number;
  novel: number;
  /** novel / total (NaN when there is nothing to count). */
  fraction: number;
}

/** Novel lines shown as examples. */
const EXAMPLES = 10;

export class Novelty {
  constructor(
    /** Non-empty generated lines. */
    readonly lines: NoveltyCount,
    /** Generated substrings of k chars (every position), per k. */
    readonly substrings: (NoveltyCount & { k: number })[],
    /** A few generated lines that are not in the training text. */
    readonly examples: string[],
  ) {}

  toMimeBundle(): MimeBundle {
    const pct = (c: NoveltyCount) => (Number.isNaN(c.fraction) ? '-' : `${(100 * c.fraction).toFixed(1)}%`);
    const rows = [
      ['lines', this.lines.novel, this.lines.total, pct(this.lines)],
      ...this.substrings.map((s) => [`${s.k}-char substrings`, s.novel, s.total, pct(s)]),
    ];
    const header = ['generated', 'not in training text', 'total', 'novel'];
    const title = 'charrnn sample novelty';
    const plain = [
      title,
      header.join('\t'),
      ...rows.map((r) => r.join('\t')),
      'novel lines, e.g.:',
      ...this.examples,
    ].join('\n');
    const html = `<b>${title}</b>${htmlGrid(header, rows)}<p>novel lines, e.g.:</p><pre>${escapeHtml(this.examples.join('\n'))}</pre>`;
    return { data: { 'text/html': `<div class="charrnn-fallback">${html}</div>`, 'text/plain': plain } };
  }
}

/** How much of `sample` (generated text) is new with respect to `training`. k counts characters (code points). */
export function sampleNovelty(sample: string, training: string, opts: { k?: number[] } = {}): Novelty {
  const ks = opts.k ?? [5, 10, 20];
  const trainingLines = new Set(training.split('\n'));
  const generated = sample.split('\n').filter((line) => line.length > 0);
  const novelLines = generated.filter((line) => !trainingLines.has(line));
  const lines = count(generated.length, novelLines.length);
  const sampleAt = codePointOffsets(sample);
  const trainingAt = codePointOffsets(training);
  const substrings = ks.map((k) => {
    const wanted = new Map<string, number>(); // distinct generated substring -> occurrences
    for (let i = 0; i + k < sampleAt.length; i++) {
      const s = sample.slice(sampleAt[i], sampleAt[i + k]);
      wanted.set(s, (wanted.get(s) ?? 0) + 1);
    }
    let total = 0;
    for (const n of wanted.values()) total += n;
    // One pass over the training text, removing what it contains; what is left is novel.
    for (let i = 0; i + k < trainingAt.length && wanted.size > 0; i++)
      wanted.delete(training.slice(trainingAt[i], trainingAt[i + k]));
    let novel = 0;
    for (const n of wanted.values()) novel += n;
    return { k, ...count(total, novel) };
  });
  return new Novelty(lines, substrings, novelLines.slice(0, EXAMPLES));
}

function count(total: number, novel: number): NoveltyCount {
  return { total, novel, fraction: total ? novel / total : NaN };
}

/** UTF-16 offset of each code point of `text`, and its length at the end: [chars + 1]. */
function codePointOffsets(text: string): Int32Array {
  const at: number[] = [];
  let i = 0;
  for (const ch of text) {
    at.push(i);
    i += ch.length;
  }
  at.push(i);
  return Int32Array.from(at);
}
