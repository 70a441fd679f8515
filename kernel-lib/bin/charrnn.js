#!/usr/bin/env node
// The `charrnn` command. A file of its own, kept in git, so that `npm ci` links it into node_modules/.bin before
// anything is built (npm links no bin whose file is missing, and dist/ is made by the build).
'use strict';
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
try {
  require.resolve(main);
} catch {
  process.stderr.write(
    'charrnn: not built yet: run `npm run build -w @charrnn/kernel` (npm test and npm start build it too)\n',
  );
  process.exit(1);
}
require(main);
