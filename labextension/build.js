#!/usr/bin/env node
// Builds the prebuilt (federated) extension into dist/ with @jupyterlab/builder, offline.
// build-labextension wants --core-path to be a folder holding JupyterLab's core package.json; @jupyterlab/core-meta
// ships that file as core.package.json, so it is copied into a cache folder under that name first.
// Usage: node build.js [--development]
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = __dirname;
const coreJson = require.resolve('@jupyterlab/core-meta/core.package.json', { paths: [here] });
const coreDir = path.join(
  path.dirname(require.resolve('@jupyterlab/builder/package.json', { paths: [here] })),
  '..',
  '..',
  '.cache',
  'charrnn-jupyterlab-core',
);
fs.mkdirSync(coreDir, { recursive: true });
fs.copyFileSync(coreJson, path.join(coreDir, 'package.json'));

const bin = require.resolve('@jupyterlab/builder/lib/build-labextension.js', { paths: [here] });
execFileSync(process.execPath, [bin, '--core-path', coreDir, ...process.argv.slice(2), here], {
  stdio: 'inherit',
  cwd: here,
});
