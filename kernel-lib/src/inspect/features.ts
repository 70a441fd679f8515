/**
 * Per-character features of a text, to search for cells that track them (neurons.ts): the seed's interpretable
 * cells (inside quotes, position in line, bracket depth, inside a comment, inside [[ ]], inside a URL, inside an
 * if-statement body), and any function the user writes with the same signature.
 *
 * A feature gives one number per character (Unicode code point), aligned with the activations: value t describes
 * the state after reading char t, e.g. an opening quote is already "inside quotes" and a closing one is not.
 */
import { CharRNNError } from '../errors';

/** Maps the characters of a text (code points, one string each) to one number per character. */
export type FeatureFn = (chars: string[]) => ArrayLike<number>;

/** 1 from an opening double quote to the char before its closing one; curly quotes open and close explicitly. */
export function insideQuotes(chars: string[]): Float64Array {
  const out = new Float64Array(chars.length);
  let inside = false;
  chars.forEach((ch, t) => {
    if (ch === '"') inside = !inside;
    else if (ch === '\u201c') inside = true;
    else if (ch === '\u201d') inside = false;
    out[t] = inside ? 1 : 0;
  });
  return out;
}

/** Column of each char in its line, 0-based (a newline is the last column of its line). */
export function positionInLine(chars: string[]): Float64Array {
  const out = new Float64Array(chars.length);
  let col = 0;
  chars.forEach((ch, t) => {
    out[t] = col;
    col = ch === '\n' ? 0 : col + 1;
  });
  return out;
}

/** Nesting depth of (), [] and {} after each char; a stray closer does not go below 0. */
export function bracketDepth(chars: string[]): Float64Array {
  const out = new Float64Array(chars.length);
  let depth = 0;
  chars.forEach((ch, t) => {
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth = Math.max(0, depth - 1);
    out[t] = depth;
  });
  return out;
}

/**
 * 1 inside C-style comments, delimiters included: // to the end of the line, /* to * /. Comment openers inside
 * "strings" and 'c'haracter literals do not count.
 */
export function insideComment(chars: string[]): Float64Array {
  const out = new Float64Array(chars.length);
  let state: 'code' | 'line' | 'block' | '"' | "'" = 'code';
  for (let t = 0; t < chars.length; t++) {
    const [ch, next] = [chars[t], chars[t + 1]];
    if (state === 'code') {
      if (ch === '/' && (next === '/' || next === '*')) {
        state = next === '/' ? 'line' : 'block';
        out[t] = out[t + 1] = 1;
        t++;
      } else if (ch === '"' || ch === "'") state = ch;
    } else if (state === 'line') {
      if (ch === '\n') state = 'code';
      else out[t] = 1;
    } else if (state === 'block') {
      out[t] = 1;
      if (ch === '*' && next === '/') {
        out[t + 1] = 1;
        state = 'code';
        t++;
      }
    } else if (ch === '\\')
      t++; // an escaped char inside a string or char literal
    else if (ch === state || ch === '\n') state = 'code';
  }
  return out;
}

/** 1 inside a wiki link [[ ... ]]: from its second '[' to the char before its last ']'. */
export function insideWikiLink(chars: string[]): Float64Array {
  return spans(chars, /\[\[[^\]\n]*\]\]/g, 1, 1);
}

/** 1 on URLs: http://, https:// or www. up to whitespace or a closing bracket, quote or angle bracket. */
export function insideUrl(chars: string[]): Float64Array {
  return spans(chars, /(?:https?:\/\/|www\.)[^\s\]\)|<>"']+/g, 0, 0);
}

/**
 * 1 in the body of C-like if statements: `if (cond) { ... }` up to the matching brace, or `if (cond) stmt;` up to
 * the semicolon. Nested ifs are inside their outer body anyway. Braces in strings and comments are not skipped.
 */
export function insideIfBody(chars: string[]): Float64Array {
  const out = new Float64Array(chars.length);
  const text = chars.join('');
  const at = codePointIndex(text);
  for (const m of text.matchAll(/\bif\s*\(/g)) {
    let t = at[m.index! + m[0].length]; // just after '('
    for (let depth = 1; t < chars.length && depth > 0; t++) depth += chars[t] === '(' ? 1 : chars[t] === ')' ? -1 : 0;
    while (t < chars.length && /\s/.test(chars[t])) t++;
    if (t >= chars.length) continue;
    if (chars[t] === '{') {
      let depth = 0;
      for (; t < chars.length; t++) {
        depth += chars[t] === '{' ? 1 : chars[t] === '}' ? -1 : 0;
        if (depth === 0) break;
        out[t] = 1;
      }
    } else {
      for (; t < chars.length && chars[t] !== ';'; t++) out[t] = 1;
    }
  }
  return out;
}

/** The built-in features by name, as the seed describes its cells. */
export const FEATURES: Record<string, FeatureFn> = {
  'inside quotes': insideQuotes,
  'position in line': positionInLine,
  'bracket depth': bracketDepth,
  'inside comment': insideComment,
  'inside [[ ]]': insideWikiLink,
  'inside URL': insideUrl,
  'inside if body': insideIfBody,
};

/** A feature's values over a text, checked to be one finite number per character. */
export function featureValues(feature: FeatureFn | string, text: string | string[]): Float64Array {
  const fn = typeof feature === 'string' ? FEATURES[feature] : feature;
  if (!fn) throw new CharRNNError(`unknown feature '${feature}' (built in: ${Object.keys(FEATURES).join(', ')})`);
  const chars = typeof text === 'string' ? Array.from(text) : text;
  const values = Float64Array.from(fn(chars));
  if (values.length !== chars.length) {
    throw new CharRNNError(
      `feature gave ${values.length} values for ${chars.length} characters (one per character expected)`,
    );
  }
  if (!values.every(Number.isFinite)) throw new CharRNNError('feature values must be finite numbers');
  return values;
}

/** 1 on the code points of each regex match, less `skipStart` chars at its start and `skipEnd` at its end. */
function spans(chars: string[], re: RegExp, skipStart: number, skipEnd: number): Float64Array {
  const out = new Float64Array(chars.length);
  const text = chars.join('');
  const at = codePointIndex(text);
  for (const m of text.matchAll(re)) out.fill(1, at[m.index!] + skipStart, at[m.index! + m[0].length] - skipEnd);
  return out;
}

/** For each UTF-16 offset of `text` (and its end), the index of the code point it falls in. */
function codePointIndex(text: string): Int32Array {
  const at = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    at[i] = cp;
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdbff || i + 1 === text.length) cp++;
    else at[++i] = cp++;
  }
  at[text.length] = cp;
  return at;
}
