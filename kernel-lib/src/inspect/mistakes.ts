/**
 * Error analysis: where does the model go wrong? Positions where it gave the character that actually came next a
 * probability below 0.5, grouped by the class of that character (letter, digit, space, newline, punctuation, other).
 * Karpathy, Johnson and Fei-Fei (2015) find most LSTM errors at the first letters of words and after spaces.
 */
import type { MimeBundle } from '../display/bundle';
import { fmt, htmlGrid } from '../display/fallback';

export const CHAR_CLASSES = ['letter', 'digit', 'space', 'newline', 'punctuation', 'other'] as const;
export type CharClass = (typeof CHAR_CLASSES)[number];

export function charClass(ch: string): CharClass {
  if (ch === '\n' || ch === '\r') return 'newline';
  if (/^\s$/u.test(ch)) return 'space';
  if (/^\p{L}$/u.test(ch)) return 'letter';
  if (/^\p{N}$/u.test(ch)) return 'digit';
  if (/^\p{P}$/u.test(ch)) return 'punctuation';
  return 'other';
}

export interface ClassErrors {
  charClass: CharClass;
  /** Predicted chars of this class. */
  chars: number;
  /** Of those, the ones given p < threshold. */
  errors: number;
  /** errors / chars. */
  errorRate: number;
  /** This class's share of all errors. */
  shareOfErrors: number;
  /** Mean -ln p over this class's chars. */
  meanSurprise: number;
}

export class ErrorAnalysis {
  constructor(
    readonly threshold: number,
    /** Predicted chars in all. */
    readonly chars: number,
    readonly errors: number,
    /** One row per class that occurs, in CHAR_CLASSES order. */
    readonly classes: ClassErrors[],
  ) {}

  toMimeBundle(): MimeBundle {
    const header = [
      'next char',
      'chars',
      `p < ${this.threshold}`,
      'error rate',
      'share of errors',
      'mean surprise (nats)',
    ];
    const rows = this.classes.map((c) => [
      c.charClass,
      c.chars,
      c.errors,
      fmt(c.errorRate),
      fmt(c.shareOfErrors),
      fmt(c.meanSurprise),
    ]);
    const title = `charrnn error analysis: ${this.errors} of ${this.chars} characters got p < ${this.threshold}`;
    const plain = [title, header.join('\t'), ...rows.map((r) => r.join('\t'))].join('\n');
    return {
      data: {
        'text/html': `<div class="charrnn-fallback"><b>${title}</b>${htmlGrid(header, rows)}</div>`,
        'text/plain': plain,
      },
    };
  }
}

/**
 * Groups the predictions of a trace (or any chars with pNext[t] = probability given to chars[t + 1]) by the class of
 * the char that came next.
 */
export function errorAnalysis(trace: { chars: string[]; pNext: ArrayLike<number> }, threshold = 0.5): ErrorAnalysis {
  const stats = new Map<CharClass, { chars: number; errors: number; surprise: number }>();
  let errors = 0;
  const n = trace.chars.length - 1;
  for (let t = 0; t < n; t++) {
    const cls = charClass(trace.chars[t + 1]);
    const s = stats.get(cls) ?? stats.set(cls, { chars: 0, errors: 0, surprise: 0 }).get(cls)!;
    const p = trace.pNext[t];
    s.chars++;
    s.surprise -= Math.log(p);
    if (p < threshold) {
      s.errors++;
      errors++;
    }
  }
  const classes = CHAR_CLASSES.filter((c) => stats.has(c)).map((c) => {
    const s = stats.get(c)!;
    return {
      charClass: c,
      chars: s.chars,
      errors: s.errors,
      errorRate: s.errors / s.chars,
      shareOfErrors: errors ? s.errors / errors : 0,
      meanSurprise: s.surprise / s.chars,
    };
  });
  return new ErrorAnalysis(threshold, Math.max(0, n), errors, classes);
}
