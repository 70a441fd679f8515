#!/usr/bin/env node
// Sets up what `npm test`, `npm start` and `npm run bench` need on a fresh Debian machine, and does nothing
// (quietly) when it is already there: npm packages, then the kernel-lib build.
// Usage: node tests/setup.js test|start|bench
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const mode = process.argv[2];
if (!['test', 'start', 'bench'].includes(mode)) {
  console.error('usage: node tests/setup.js test|start|bench');
  process.exit(2);
}

function run(cmd, args) {
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
}

function mtime(file) {
  try {
    return fs.statSync(path.join(root, file)).mtimeMs;
  } catch {
    return 0;
  }
}

// npm ci when node_modules is missing or older than the lock file.
if (mtime('node_modules/.package-lock.json') < mtime('package-lock.json')) {
  console.log('setup: installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

run('npx', ['tsc', '-p', 'kernel-lib']);
