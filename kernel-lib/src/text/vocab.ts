import { CharRNNError } from '../errors';

/** Encoded text: one id per character. Uint16 while the vocabulary has <= 65536 chars, else Uint32. */
export type CharIds = Uint16Array | Uint32Array;

/** How many unknown characters an error message lists before it says "and N more". */
const MAX_SHOWN = 10;

/** A typed array that can hold ids of a vocabulary of `size` chars. */
export function idArray(size: number, length: number): CharIds {
  return size <= 65536 ? new Uint16Array(length) : new Uint32Array(length);
}

/** A character as an error message shows it: printable chars quoted, the rest as U+XXXX. */
export function showChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch) ? `'${ch}' (${hex})` : hex;
}

/** "'é' (U+00E9), U+0009 and 3 more": a short list of chars for an error message. */
export function showChars(chars: string[]): string {
  const shown = chars.slice(0, MAX_SHOWN).map(showChar).join(', ');
  return chars.length > MAX_SHOWN ? `${shown} and ${chars.length - MAX_SHOWN} more` : shown;
}

/**
 * The vocabulary of a character-level model: the sorted set of Unicode code points of its corpus.
 * Code points, not bytes (char-rnn's byte vocabulary split UTF-8 chars and sampled invalid text) and not
 * UTF-16 units (an emoji is one char here, two units in a JS string). Char id = index in `chars`.
 */
export class Vocab {
  /** The characters, sorted by code point; index = char id. */
  readonly chars: string[];
  // Code point -> id, -1 when absent; length = largest code point + 1.
  private readonly ids: Int32Array;

  private constructor(chars: string[]) {
    this.chars = chars;
    const max = chars.length ? chars[chars.length - 1].codePointAt(0)! : -1;
    this.ids = new Int32Array(max + 1).fill(-1);
    chars.forEach((ch, i) => (this.ids[ch.codePointAt(0)!] = i));
  }

  /** The vocabulary of a text: its distinct code points, sorted. */
  static fromText(text: string): Vocab {
    const seen = new Set<number>();
    for (const ch of text) seen.add(ch.codePointAt(0)!);
    return Vocab.fromCodePoints([...seen]);
  }

  /** A vocabulary from distinct code points in any order. */
  static fromCodePoints(codePoints: Iterable<number>): Vocab {
    const sorted = Int32Array.from(codePoints).sort();
    return new Vocab(Array.from(sorted, (cp) => String.fromCodePoint(cp)));
  }

  /** A vocabulary saved with a checkpoint (`toJSON()`); checks it is a sorted list of distinct single chars. */
  static fromChars(chars: string[]): Vocab {
    if (!Array.isArray(chars) || chars.length === 0)
      throw new CharRNNError('vocabulary must be a non-empty list of characters');
    let prev = -1;
    for (const ch of chars) {
      if (typeof ch !== 'string' || ch.length === 0 || [...ch].length !== 1) {
        throw new CharRNNError(`vocabulary entry ${JSON.stringify(ch)} is not a single character`);
      }
      const cp = ch.codePointAt(0)!;
      if (cp <= prev)
        throw new CharRNNError(`vocabulary is not sorted by code point with distinct entries at ${showChar(ch)}`);
      prev = cp;
    }
    return new Vocab([...chars]);
  }

  get size(): number {
    return this.chars.length;
  }

  has(ch: string): boolean {
    return this.idOf(ch.codePointAt(0)!) >= 0;
  }

  /** Id of a code point, -1 when it is not in the vocabulary. */
  idOf(codePoint: number): number {
    return codePoint < this.ids.length ? this.ids[codePoint] : -1;
  }

  /** Text -> ids. Throws a CharRNNError naming the chars that are not in the vocabulary. */
  encode(text: string): CharIds {
    const out = idArray(this.size, text.length);
    let n = 0;
    for (const ch of text) {
      const id = this.idOf(ch.codePointAt(0)!);
      if (id < 0)
        throw new CharRNNError(`text has characters not in the vocabulary: ${showChars(this.unknownChars(text))}`);
      out[n++] = id;
    }
    return out.subarray(0, n);
  }

  /** Ids -> text. */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const ch = this.chars[ids[i]];
      if (ch === undefined) throw new CharRNNError(`char id ${ids[i]} is outside the vocabulary (size ${this.size})`);
      s += ch;
    }
    return s;
  }

  /** The distinct chars of `text` that are not in the vocabulary, in order of first appearance. */
  unknownChars(text: string): string[] {
    const unknown = new Set<string>();
    for (const ch of text) if (!this.has(ch)) unknown.add(ch);
    return [...unknown];
  }

  toJSON(): string[] {
    return [...this.chars];
  }
}
