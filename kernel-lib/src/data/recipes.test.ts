import test from 'node:test';
import assert from 'node:assert/strict';
import { CharRNNError } from '../errors';
import { applyRecipe, markdownToText } from './recipes';

test('markdownToText follows the essays corpus rules: links, headings, quotes, bullets, emphasis, escapes, blank runs', () => {
  const md = [
    '# How to Start',
    '',
    'See [the 4%](http://time.com/79572/a-study/) and [Jack Lambert](http://en.wikipedia.org/wiki/Jack_Lambert_(player)).',
    '![a chart](chart.png)',
    '> > <quotation>',
    '- one *first* item',
    '+ two',
    '12.   twelve',
    'Use `code`, **bold**, _it_ and \\*stars\\* and 3\\_000 \\[1\\]   ',
    '',
    '',
    '',
    'End.',
  ].join('\r\n');
  assert.equal(
    markdownToText(md),
    [
      'How to Start',
      '',
      'See the 4% and Jack Lambert.',
      'a chart',
      '> <quotation>',
      '* one first item',
      '* two',
      '12. twelve',
      'Use code, bold, it and *stars* and 3_000 [1]',
      '',
      'End.',
    ].join('\n'),
  );
});

test('the essays recipe joins the essays with one blank line and ends with a newline', () => {
  assert.equal(
    applyRecipe('markdown-essays', [Buffer.from('# A\n\ntext  \n'), Buffer.from('B\n')]).toString(),
    'A\n\ntext\n\nB\n',
  );
});

test("the War and Peace recipe drops the byte-order mark and what follows the novel's last line", () => {
  const book =
    '\ufeff"Well, Prince, so Genoa\r\nare not\r\nconscious.\r\n\r\nMy alarm rang too early again.\r\nAnd that\'s that!';
  assert.equal(
    applyRecipe('war-and-peace', [Buffer.from(book)]).toString(),
    '"Well, Prince, so Genoa\r\nare not\r\nconscious.\r\n\r\n',
  );
  assert.throws(
    () => applyRecipe('war-and-peace', [Buffer.from('another book\r\n')]),
    (e: Error) => e instanceof CharRNNError && /conscious/.test(e.message),
  );
});

test('the bunzip2 recipe decompresses, and a file that is not bzip2 is a clear CharRNNError', () => {
  // `printf '<mediawiki>\n  <page><title>Anarchism</title></page>\n</mediawiki>\n' | bzip2 -9 | base64`
  const bz2 = Buffer.from(
    'QlpoOTFBWSZTWZMMU88AAAXdgAAQQACABSAALu9cgCAAUKNGQNGmRoJU9CgNDTE9SKJooz2aH7qlRrl4MaFsJcnhbBckzJ0InP0pq6u7Dn4u5IpwoSEmGKee',
    'base64',
  );
  assert.equal(
    applyRecipe('bunzip2', [bz2]).toString(),
    '<mediawiki>\n  <page><title>Anarchism</title></page>\n</mediawiki>\n',
  );
  assert.throws(
    () => applyRecipe('bunzip2', [Buffer.from('<html>404</html>')]),
    (e: Error) => e instanceof CharRNNError && /not a valid bzip2 file/.test(e.message),
  );
});

test('no recipe concatenates; an unknown one is named with the known ones', () => {
  assert.equal(applyRecipe(undefined, [Buffer.from('a'), Buffer.from('b')]).toString(), 'ab');
  assert.throws(
    () => applyRecipe('gunzip', []),
    /unknown dataset recipe 'gunzip'; known: concatenate, war-and-peace, markdown-essays, bunzip2/,
  );
});
