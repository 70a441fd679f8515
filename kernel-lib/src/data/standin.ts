import { Rng } from '../rng';

/**
 * A stand-in corpus for tests, CI and machines without the dataset mirror: a few hundred KB of text with the
 * structure char-rnn learns (speakers in capitals, sentences, blank lines; or one name per line; or C-like code
 * with braces, comments and strings), generated from small word lists written for this project, so it is
 * deterministic for a seed and free of anyone's copyright.
 */
export type StandInStyle = 'prose' | 'names' | 'code';

export interface StandInOptions {
  style?: StandInStyle;
  /** Size in characters, rounded up to a whole turn, name or function. Default 300,000. */
  chars?: number;
  seed?: number;
}

const SPEAKERS = ['ALDER', 'BRIAR', 'CORVIN', 'DELPHA', 'EMBER', 'FENWICK', 'GARNET', 'HOLLIS'];
const NOUNS = [
  'river',
  'stone',
  'lantern',
  'harbour',
  'garden',
  'letter',
  'winter',
  'bell',
  'road',
  'candle',
  'tower',
  'field',
  'mirror',
  'song',
  'door',
];
const ADJECTIVES = ['quiet', 'old', 'bright', 'narrow', 'golden', 'cold', 'distant', 'small', 'hollow', 'patient'];
const VERBS = [
  'keeps',
  'remembers',
  'follows',
  'carries',
  'hides',
  'opens',
  'finds',
  'waits for',
  'answers',
  'crosses',
];
const PREPOSITIONS = ['under', 'beyond', 'beside', 'across', 'before', 'within'];
const SYLLABLES = [
  'al',
  'be',
  'cor',
  'da',
  'el',
  'fi',
  'ga',
  'hal',
  'is',
  'jo',
  'ka',
  'li',
  'mar',
  'na',
  'or',
  'pe',
  'ri',
  'sa',
  'ta',
  'vi',
  'wen',
  'ya',
  'zo',
];
const ENDINGS = ['a', 'e', 'en', 'ia', 'on', 'ra', 'y', 'ie', 'as', 'el'];
const TYPES = ['int ', 'long ', 'char *', 'struct node *', 'unsigned int ']; // each ends where the name starts
const IDENTS = ['count', 'len', 'buf', 'next', 'head', 'flags', 'index', 'size', 'value', 'state'];

/** A deterministic stand-in text (see StandInStyle). */
export function standInCorpus(opts: StandInOptions = {}): string {
  const rng = new Rng(opts.seed ?? 1234);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng.next() * xs.length)];
  const write = { prose: () => scene(rng, pick), names: () => name(rng, pick), code: () => func(rng, pick) }[
    opts.style ?? 'prose'
  ];
  const target = opts.chars ?? 300_000;
  const parts: string[] = [];
  for (let n = 0; n < target;) {
    const part = write();
    parts.push(part);
    n += part.length;
  }
  return parts.join('');
}

type Pick = <T>(xs: T[]) => T;

function sentence(rng: Rng, pick: Pick): string {
  let s = `the ${rng.next() < 0.5 ? pick(ADJECTIVES) + ' ' : ''}${pick(NOUNS)} ${pick(VERBS)} the ${pick(NOUNS)}`;
  if (rng.next() < 0.4) s += ` ${pick(PREPOSITIONS)} the ${pick(ADJECTIVES)} ${pick(NOUNS)}`;
  const end = pick(['.', '.', '.', '!', '?', ';']);
  return s[0].toUpperCase() + s.slice(1) + end;
}

/** A speaker's turn: a name in capitals, then two to four lines. */
function scene(rng: Rng, pick: Pick): string {
  const lines = Array.from({ length: 2 + Math.floor(rng.next() * 3) }, () => sentence(rng, pick));
  return `${pick(SPEAKERS)}:\n${lines.join('\n')}\n\n`;
}

/** A made-up name of two or three syllables and an ending, one per line. */
function name(rng: Rng, pick: Pick): string {
  const n = 1 + Math.floor(rng.next() * 2);
  const stem = Array.from({ length: n }, () => pick(SYLLABLES)).join('');
  const word = stem + pick(ENDINGS);
  return word[0].toUpperCase() + word.slice(1) + '\n';
}

/** A small C-like function: a comment, a loop, an if-body with a string, nested braces. */
function func(rng: Rng, pick: Pick): string {
  const fn = `${pick(IDENTS)}_${pick(IDENTS)}`;
  const a = pick(IDENTS);
  const b = pick(IDENTS);
  const limit = Math.floor(rng.next() * 64);
  return [
    `/* ${sentence(rng, pick).toLowerCase()} */`,
    `static ${pick(TYPES)}${fn}(${pick(TYPES)}${a}, int ${b})`,
    '{',
    `\tint i;`,
    '',
    `\tfor (i = 0; i < ${b}; i++) {`,
    `\t\tif (${a}[i] > ${limit}) {`,
    `\t\t\tprintk("${fn}: ${pick(NOUNS)} %d\\n", i);`,
    `\t\t\treturn -${pick(['EINVAL', 'ENOMEM', 'EBUSY'])};`,
    '\t\t}',
    '\t}',
    `\treturn ${rng.next() < 0.5 ? '0' : a};`,
    '}',
    '',
    '',
  ].join('\n');
}
