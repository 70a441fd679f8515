#!/usr/bin/env node
// For people who already run JupyterLab 4 (from pip): installs the charrnn kernel and our prebuilt extension
// into that Jupyter's data folder, as links into this repository (rebuilds show up after a reload).
// Run after `npm start` or `npm test` has built everything once.
// Usage: node labextension/app/install.js "$(jupyter --data-dir)"
'use strict';
const { register } = require('./start.js');

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: node labextension/app/install.js <jupyter data dir, e.g. "$(jupyter --data-dir)">');
  process.exit(2);
}
const kernel = register(dataDir);
console.log(`installed the "${kernel}" kernel and @charrnn/labextension into ${dataDir}`);
