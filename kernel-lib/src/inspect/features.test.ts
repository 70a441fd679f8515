import test from 'node:test';
import assert from 'node:assert/strict';
import {
  bracketDepth,
  featureValues,
  insideComment,
  insideIfBody,
  insideQuotes,
  insideUrl,
  insideWikiLink,
  positionInLine,
} from './features';

/** The chars of `text` where a 0/1 feature is on, as a string (off chars become '.'). */
function on(fn: (chars: string[]) => ArrayLike<number>, text: string): string {
  const chars = Array.from(text);
  const v = fn(chars);
  return chars.map((ch, t) => (v[t] ? ch : '.')).join('');
}

test('inside quotes: the opening quote is inside, the closing one is not; curly quotes too', () => {
  assert.equal(on(insideQuotes, 'a "bc" d “ef” g'), '.."bc....“ef...');
});

test('position in line counts columns from 0 and restarts after each newline', () => {
  assert.deepEqual(Array.from(positionInLine(Array.from('ab\ncde\n\nf'))), [0, 1, 2, 0, 1, 2, 3, 0, 0]);
});

test('bracket depth nests (), [] and {} and never goes below 0', () => {
  assert.deepEqual(Array.from(bracketDepth(Array.from('a(b[c]{d})e)f'))), [0, 1, 1, 2, 2, 1, 2, 2, 1, 0, 0, 0, 0]);
});

test('C comments: // to the end of the line, /* */ with delimiters, not inside strings', () => {
  assert.equal(
    on(insideComment, 'x = 1; // note\ny = "//no"; /* a\nb */ z'),
    '.......// note............./* a\nb */..',
  );
  assert.equal(on(insideComment, "c = '\"'; // yes"), '.........// yes');
});

test('inside [[ ]]: from the second [ to the first ] of the closer', () => {
  assert.equal(on(insideWikiLink, 'see [[Paris|the city]] and [x]'), '.....[Paris|the city].........');
});

test('inside a URL: http(s):// and www. up to whitespace or a closing bracket', () => {
  assert.equal(
    on(insideUrl, 'go to [http://www.yahoo.com] or www.b.org/x?y=1 now'),
    '.......http://www.yahoo.com.....www.b.org/x?y=1....',
  );
});

test('inside an if body: braces to the matching brace, or one statement', () => {
  assert.equal(
    on(insideIfBody, 'if (a(b)) { x(); { y; } } z; if (c) w = 1; v;'),
    '..........{ x(); { y; } ............w = 1....',
  );
});

test('features count code points, and user features are checked', () => {
  assert.deepEqual(Array.from(positionInLine(Array.from('😀a\nb'))), [0, 1, 2, 0]);
  assert.equal(on(insideUrl, '😀 http://x.io 😀'), '..http://x.io..');
  assert.deepEqual(
    Array.from(featureValues((chars) => chars.map((c) => (c === 'a' ? 1 : 0)), 'banana')),
    [0, 1, 0, 1, 0, 1],
  );
  assert.throws(() => featureValues(() => [1, 2], 'abc'), /2 values for 3 characters/);
  assert.throws(() => featureValues('no such feature', 'abc'), /unknown feature/);
});
