#!/usr/bin/env node
/**
 * Validation excerpts: a pretrained model ships the first 20,000 characters of its own validation split, where its
 * corpus's licence allows passing the text on, with that licence beside it. So a notebook shows the model on the
 * text it is scored on (samples beside it, neuron search, the explorer) with no corpus and no network.
 * The maintainer adds one to a packed model:
 *   node kernel-lib/dist/pretrained/excerpt.js NAME CORPUS_FILE LICENCE_FILE
 * (CORPUS_FILE: the text on its card; LICENCE_FILE: the corpus licence's full text).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CharRNNError } from '../errors';
import { findDataset } from '../data/manifest';
import { manifestEntry, writeManifestEntry } from './pack';
import { EXCERPT_FILE, ModelCard, PRETRAINED_DIR, pretrainedDir, readCard } from './pretrained';

export const EXCERPT_LICENCE_FILE = 'validation-excerpt-LICENCE.txt';
export const EXCERPT_CHARS = 20_000;

/** Characters [from, to) of `text`, counted in code points as the model's vocabulary counts them. */
function codePoints(text: string, from: number, to: number): string {
  let i = 0;
  let start = -1;
  let unit = 0;
  for (const ch of text) {
    if (i === from) start = unit;
    if (i === to) break;
    unit += ch.length;
    i++;
  }
  return start < 0 ? '' : text.slice(start, unit);
}

/**
 * The first EXCERPT_CHARS characters (all, when the split is shorter) of a model's validation split of `text`, after
 * checking that `text` starts with what its card says it was trained on.
 */
export function validationExcerpt(card: ModelCard, text: string): string {
  const trained = codePoints(text, 0, card.corpus.chars);
  if (createHash('sha256').update(trained).digest('hex') !== card.corpus.sha256) {
    throw new CharRNNError(
      `this is not the text pretrained:${card.name} was trained on (the sha256 of its first ${card.corpus.chars} chars differs from its card's)`,
    );
  }
  const from = card.split.chars.train;
  return codePoints(trained, from, from + Math.min(EXCERPT_CHARS, card.split.chars.val));
}

/** Writes the excerpt and its licence into pretrained model `name` and records both in the manifest. */
export async function addExcerpt(
  name: string,
  corpusFile: string,
  licenceFile: string,
  root = PRETRAINED_DIR,
): Promise<string> {
  const dir = pretrainedDir(name, root);
  const card = readCard(dir)!;
  const excerpt = validationExcerpt(card, fs.readFileSync(corpusFile, 'utf8'));
  const source = findDataset(card.corpus.name);
  const count = Array.from(excerpt).length;
  const header = [
    `${EXCERPT_FILE} holds characters ${card.split.chars.train + 1} to ${card.split.chars.train + count} of the corpus '${card.corpus.name}',`,
    `the first ${count} characters of the validation split pretrained:${name} is scored on.`,
    `Source: ${source.url}`,
    `Licence: ${source.licence}. Its text follows.`,
  ].join('\n');
  fs.writeFileSync(path.join(dir, EXCERPT_FILE), excerpt);
  fs.writeFileSync(path.join(dir, EXCERPT_LICENCE_FILE), `${header}\n\n${fs.readFileSync(licenceFile, 'utf8')}`);
  await writeManifestEntry(root, name, manifestEntry(root, name, dir));
  return path.join(dir, EXCERPT_FILE);
}

if (require.main === module) {
  const [name, corpus, licence, ...extra] = process.argv.slice(2);
  if (!licence || extra.length) {
    console.error('usage: node kernel-lib/dist/pretrained/excerpt.js NAME CORPUS_FILE LICENCE_FILE');
    process.exit(2);
  }
  addExcerpt(name, corpus, licence).then(
    (file) => console.log(file),
    (e: Error) => {
      console.error(`error: ${e instanceof CharRNNError ? e.message : e.message.split('\n')[0]}`);
      process.exit(1);
    },
  );
}
