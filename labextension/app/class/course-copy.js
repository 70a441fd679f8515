#!/usr/bin/env node
// Copies the released course (the students' copies that class.js writes with `course release`) into one student's
// folder, run as that student. A new file lands; a file the student has not touched is updated; a file they edited
// stays as it is, and the new version lands beside it as NAME.course-<first 8 hex of its sha256>.ipynb. What was
// delivered is recorded in <folder>/.course.json (path: sha256): that is how "edited" is told from "not updated".
// Usage: node course-copy.js COURSE_DIR TARGET_DIR
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const RECORD = '.course.json';

/** The files under `dir`, as paths relative to it, dot files and folders left out. */
function filesUnder(dir, prefix = '') {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.'))
    .flatMap((entry) => {
      const rel = path.join(prefix, entry.name);
      return entry.isDirectory() ? filesUnder(dir, rel) : entry.isFile() ? [rel] : [];
    })
    .sort();
}

function sha256(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Written aside, then renamed over: a student (or a crash) never sees half a notebook. */
function writeCopy(src, dst) {
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  const tmp = `${dst}.${process.pid}.tmp`;
  fs.copyFileSync(src, tmp);
  fs.renameSync(tmp, dst);
}

function readRecord(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {}; // first delivery, or a record the student broke: every differing file then counts as edited
  }
}

/** Delivers `from` into `to`; returns what happened to each file that changed, as lines for the log. */
function copyCourse(from, to) {
  const recordFile = path.join(to, RECORD);
  const record = readRecord(recordFile);
  const lines = [];
  for (const rel of filesUnder(from)) {
    const src = path.join(from, rel);
    const dst = path.join(to, rel);
    const fresh = sha256(src);
    const have = fs.existsSync(dst) ? sha256(dst) : null;
    if (have === fresh) {
      record[rel] = fresh;
    } else if (have === null || have === record[rel]) {
      writeCopy(src, dst);
      lines.push(`${have === null ? 'added' : 'updated'} ${rel}`);
      record[rel] = fresh;
    } else if (record[rel] !== fresh) {
      const { dir, name, ext } = path.parse(rel);
      const beside = path.join(dir, `${name}.course-${fresh.slice(0, 8)}${ext}`);
      if (!fs.existsSync(path.join(to, beside))) writeCopy(src, path.join(to, beside));
      lines.push(`kept the edited ${rel}; the new version is beside it, ${beside}`);
    }
  }
  fs.writeFileSync(`${recordFile}.tmp`, JSON.stringify(record, null, 1) + '\n');
  fs.renameSync(`${recordFile}.tmp`, recordFile);
  return lines;
}

module.exports = { copyCourse };

if (require.main === module) {
  const [from, to] = process.argv.slice(2);
  if (!from || !to) {
    console.error('usage: node course-copy.js COURSE_DIR TARGET_DIR');
    process.exit(2);
  }
  try {
    for (const line of copyCourse(from, to)) console.log(`course: ${line} in ${to}`);
  } catch (e) {
    console.error(`course: cannot copy ${from} into ${to}: ${e.message}`);
    process.exit(1);
  }
}
