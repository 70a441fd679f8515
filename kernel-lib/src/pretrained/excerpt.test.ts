import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CharRNNError } from '../errors';
import { defaultDataDir, defaultMirror } from '../data/datasets';
import { EXCERPT_CHARS, EXCERPT_LICENCE_FILE, validationExcerpt } from './excerpt';
import { ModelCard, PRETRAINED_DIR, readCard, readExcerpt, readManifest } from './pretrained';

// The one corpus whose licence does not let us pass its text on: the essays are Paul Graham's, under no licence.
const NOT_REDISTRIBUTABLE = ['paulgraham'];

function card(text: string, train: number, val: number, chars = Array.from(text).length): ModelCard {
  const sha256 = createHash('sha256').update(Array.from(text).slice(0, chars).join('')).digest('hex');
  return {
    name: 'tiny',
    corpus: { name: 'tiny', sha256, chars },
    split: { chars: { train, val, test: chars - train - val } },
  } as ModelCard;
}

test('the excerpt is the start of the validation split, counted in characters (code points), from the trained text only', () => {
  const text = 'ab😀cdéfghij';
  assert.equal(validationExcerpt(card(text, 2, 3), text), '😀cd');
  // A model trained on the start of a corpus (the Linux and LaTeX models): the rest of the file does not count.
  assert.equal(validationExcerpt(card(text, 2, 3, 6), text + 'more'), '😀cd');
  assert.throws(
    () => validationExcerpt(card(text, 2, 3), 'another text'),
    (e: Error) => e instanceof CharRNNError && /not the text pretrained:tiny was trained on/.test(e.message),
  );
});

const models = Object.keys(readManifest().models);

for (const name of models) {
  const dir = path.join(PRETRAINED_DIR, name);
  const c = readCard(dir)!;
  test(`pretrained ${name}: ${NOT_REDISTRIBUTABLE.includes(c.corpus.name) ? 'ships no excerpt (its licence)' : 'ships its validation excerpt with its licence, in its vocabulary'}`, async (t) => {
    const excerpt = readExcerpt(dir);
    if (NOT_REDISTRIBUTABLE.includes(c.corpus.name)) {
      assert.equal(excerpt, undefined);
      return;
    }
    assert.ok(excerpt, `${name} has no excerpt`);
    assert.equal(Array.from(excerpt).length, Math.min(EXCERPT_CHARS, c.split.chars.val));
    assert.match(
      fs.readFileSync(path.join(dir, EXCERPT_LICENCE_FILE), 'utf8'),
      /^validation-excerpt\.txt holds characters \d+ to \d+ of the corpus/,
    );
    const vocab = new Set<string>(JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')).vocab);
    assert.deepEqual(
      [...new Set(excerpt)].filter((ch) => !vocab.has(ch)),
      [],
    );
    const corpus = [defaultDataDir(), defaultMirror()]
      .map((d) => d && path.join(d, c.corpus.name, 'input.txt'))
      .find((f) => f && fs.existsSync(f));
    if (!corpus) return t.skip(`corpus ${c.corpus.name} is not here to compare the excerpt with`);
    assert.equal(validationExcerpt(c, fs.readFileSync(corpus, 'utf8')), excerpt);
  });
}
