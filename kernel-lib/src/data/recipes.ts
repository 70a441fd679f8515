/**
 * Recipes: how the files downloaded for a corpus become its input.txt, byte for byte. A manifest entry names one
 * (`recipe`); without one its downloads are concatenated. Each was checked once against the real upstream files
 * at their pinned commits (datasets/README.md says which) to give exactly the manifest's sha256.
 */
import * as Bunzip from 'seek-bzip';
import { CharRNNError } from '../errors';

export const RECIPES = {
  concatenate: (files: Buffer[]) => Buffer.concat(files),
  'war-and-peace': warAndPeace,
  'markdown-essays': (files: Buffer[]) =>
    Buffer.from(files.map((f) => markdownToText(f.toString('utf8'))).join('\n\n') + '\n'),
  bunzip2: (files: Buffer[]) => Buffer.concat(files.map(bunzip2)),
};
export type RecipeName = keyof typeof RECIPES;

/** input.txt from the downloaded files, in the manifest's order. */
export function applyRecipe(recipe: string | undefined, files: Buffer[]): Buffer {
  const name = recipe ?? 'concatenate';
  if (!Object.hasOwn(RECIPES, name))
    throw new CharRNNError(`unknown dataset recipe '${name}'; known: ${Object.keys(RECIPES).join(', ')}`);
  return RECIPES[name as RecipeName](files);
}

/**
 * The circulated warpeace_input.txt (CRLF) as char-rnn used it: without its UTF-8 byte-order mark and without the
 * unrelated lines someone appended after the novel, which ends with the line "conscious." and one blank line.
 */
function warAndPeace(files: Buffer[]): Buffer {
  let text = Buffer.concat(files);
  if (text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf) text = text.subarray(3);
  const end = text.lastIndexOf('\r\nconscious.\r\n\r\n');
  if (end < 0) throw new CharRNNError("the War and Peace download does not hold the novel's last line ('conscious.')");
  return text.subarray(0, end + '\r\nconscious.\r\n\r\n'.length);
}

/**
 * One essay's Markdown as plain text: links and images become their text, heading and (one level of) quote
 * markers go, bullets become "* " and numbered items "1. ", emphasis and code markers go, then backslash escapes
 * are undone; trailing spaces go and blank runs shrink to one blank line. The rules are the ones the corpus was
 * made with, so the result matches it byte for byte; they are no general Markdown renderer.
 */
export function markdownToText(markdown: string): string {
  // A link's URL may hold one level of parentheses (Wikipedia's "Jack_Lambert_(American_football_player)").
  const link = /!?\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)/g;
  const lines = markdown
    .replace(/\r\n/g, '\n')
    .replace(link, '$1')
    .split('\n')
    .map((line) => {
      line = line.replace(/^#+\s*/, '').replace(/^\s*>\s?/, '');
      line = line.replace(/^(\s*)[-*+]\s+/, '$1* ').replace(/^(\s*)(\d+)\.\s+/, '$1$2. ');
      const bullet = /^\s*\* /.exec(line)?.[0] ?? '';
      // Emphasis and code markers go, except an escaped one (\*) and the bullet just made.
      line = bullet + line.slice(bullet.length).replace(/(?<!\\)[*_`]/g, '');
      return line.replace(/\\([\\`*_{}[\]()#+\-.!>|~])/g, '$1').replace(/\s+$/, '');
    });
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function bunzip2(file: Buffer): Buffer {
  try {
    return Buffer.from(Bunzip.decode(file));
  } catch (e) {
    throw new CharRNNError(`the download is not a valid bzip2 file: ${(e as Error).message}`);
  }
}
