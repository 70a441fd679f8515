// The course copy into a student's folder (labextension/app/class/course-copy.js): new files land, untouched ones
// are updated, an edited one stays and the new version lands beside it, and nothing is ever half written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { copyCourse } = require('../labextension/app/class/course-copy.js');

function folders() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'course-copy-'));
  const course = path.join(tmp, 'course');
  const home = path.join(tmp, 'home', 'course');
  fs.mkdirSync(path.join(course, 'exercises'), { recursive: true });
  fs.writeFileSync(path.join(course, '01.ipynb'), 'one v1');
  fs.writeFileSync(path.join(course, '02.ipynb'), 'two v1');
  fs.writeFileSync(path.join(course, 'exercises', '01-x.ipynb'), 'ex v1');
  return { tmp, course, home };
}

const read = (...p) => fs.readFileSync(path.join(...p), 'utf8');

test('the first copy delivers every file, subfolders included, and a second one changes nothing', () => {
  const { tmp, course, home } = folders();
  assert.deepEqual(copyCourse(course, home), [
    'added 01.ipynb',
    'added 02.ipynb',
    `added ${path.join('exercises', '01-x.ipynb')}`,
  ]);
  assert.equal(read(home, 'exercises', '01-x.ipynb'), 'ex v1');
  assert.deepEqual(copyCourse(course, home), []);
  fs.rmSync(tmp, { recursive: true });
});

test('an update replaces what the student did not touch and lands beside what they edited', () => {
  const { tmp, course, home } = folders();
  copyCourse(course, home);
  fs.writeFileSync(path.join(home, '02.ipynb'), 'two, my answers');
  fs.writeFileSync(path.join(course, '01.ipynb'), 'one v2');
  fs.writeFileSync(path.join(course, '02.ipynb'), 'two v2');
  const lines = copyCourse(course, home);
  assert.equal(read(home, '01.ipynb'), 'one v2');
  assert.equal(read(home, '02.ipynb'), 'two, my answers');
  const beside = fs.readdirSync(home).find((f) => f.startsWith('02.course-'));
  assert.match(beside, /^02\.course-[0-9a-f]{8}\.ipynb$/);
  assert.equal(read(home, beside), 'two v2');
  assert.deepEqual(lines, ['updated 01.ipynb', `kept the edited 02.ipynb; the new version is beside it, ${beside}`]);
  // Pushed again, the edited file keeps its place and the copy beside it is not written twice.
  assert.deepEqual(copyCourse(course, home), [`kept the edited 02.ipynb; the new version is beside it, ${beside}`]);
  assert.equal(fs.readdirSync(home).filter((f) => f.startsWith('02.')).length, 2);
  fs.rmSync(tmp, { recursive: true });
});

test('a deleted notebook comes back; an edit with no new version in the course is left alone', () => {
  const { tmp, course, home } = folders();
  copyCourse(course, home);
  fs.rmSync(path.join(home, '01.ipynb'));
  fs.writeFileSync(path.join(home, '02.ipynb'), 'mine');
  assert.deepEqual(copyCourse(course, home), ['added 01.ipynb']);
  assert.equal(read(home, '02.ipynb'), 'mine');
  fs.rmSync(tmp, { recursive: true });
});

test('a file the student made before any delivery, under a course name, counts as theirs', () => {
  const { tmp, course, home } = folders();
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(path.join(home, '01.ipynb'), 'my own 01');
  const lines = copyCourse(course, home);
  assert.equal(read(home, '01.ipynb'), 'my own 01');
  assert.match(lines[0], /^kept the edited 01\.ipynb/);
  fs.rmSync(tmp, { recursive: true });
});
