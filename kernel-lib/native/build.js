#!/usr/bin/env node
// Builds the optional native addon (charrnn_native.node: the engine's products through the system BLAS, and its
// fused cell and loss loops). On Linux it needs OpenBLAS's headers (Debian: libopenblas-dev, installed here with
// apt-get when running as root); on macOS it links Accelerate. The C is compiled with -march=native: the binary is
// made for the CPU of the machine that builds it, which is why it is built at install time and never shipped.
// When it cannot build, the library keeps working on the wasm path; this says why in one line.
//
// Usage: node kernel-lib/native/build.js [--force]     From code: require('.../native/build.js').buildNative()
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = __dirname;
const addonPath = path.join(here, 'build', 'Release', 'charrnn_native.node');

/** Newest modification time among the files the addon is built from. */
function sourcesTime() {
  const files = ['binding.gyp', ...fs.readdirSync(path.join(here, 'src')).map((f) => path.join('src', f))];
  return Math.max(...files.map((f) => fs.statSync(path.join(here, f)).mtimeMs));
}

function isBuilt() {
  try {
    return fs.statSync(addonPath).mtimeMs >= sourcesTime();
  } catch {
    return false;
  }
}

/** Files in /usr/include, /usr/lib and their multiarch subfolders (e.g. x86_64-linux-gnu) with this name. */
function systemFiles(top, name) {
  const dirs = [top, `/usr/local/${top.slice(5)}`, '/usr/lib64', path.join(top, 'openblas')];
  try {
    dirs.push(...fs.readdirSync(top).map((d) => path.join(top, d)));
  } catch {
    // no such folder: nothing to find there
  }
  return dirs.map((d) => path.join(d, name)).filter((f) => fs.existsSync(f));
}

/** OpenBLAS's CBLAS header and the library to link (libopenblas-dev on Debian, openblas-devel on Fedora). */
function hasOpenBlas() {
  return systemFiles('/usr/include', 'cblas.h').length > 0 && systemFiles('/usr/lib', 'libopenblas.so').length > 0;
}

/** Installs Debian's libopenblas-dev when running as root on a Debian-like system; else says what to install. */
function ensureOpenBlas(log) {
  if (process.platform === 'darwin' || hasOpenBlas()) return undefined;
  const hint =
    'install OpenBLAS for building (Debian/Ubuntu: apt-get install libopenblas-dev; Fedora: dnf install openblas-devel)';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || spawnSync('apt-get', ['--version']).status !== 0) return hint;
  log('native: installing libopenblas-dev with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', 'libopenblas-dev'], { env, encoding: 'utf8' }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-q'], { env });
    if (!install()) return `apt-get install libopenblas-dev failed; ${hint}`;
  }
  return hasOpenBlas() ? undefined : hint;
}

/** node-gyp: the one npm runs scripts with, else npm's bundled copy, else one installed in node_modules. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js', { paths: [here] }));
  } catch {
    // not installed as a package either
  }
  return candidates.find((c) => c && fs.existsSync(c));
}

/**
 * Builds the addon unless it is up to date. Returns { ok, message }: message is one line, the reason when !ok.
 * opts.force rebuilds anyway; opts.log receives progress lines (default console.log).
 */
function buildNative(opts = {}) {
  const log = opts.log || console.log;
  if (process.env.CHARRNN_NATIVE === '0') return { ok: false, message: 'native path off (CHARRNN_NATIVE=0)' };
  if (!opts.force && isBuilt()) return { ok: true, message: `native addon up to date (${addonPath})` };
  const missing = ensureOpenBlas(log);
  if (missing) return { ok: false, message: `native path off: ${missing}` };
  const gyp = findNodeGyp();
  if (!gyp)
    return { ok: false, message: 'native path off: node-gyp not found (it ships with npm; or npm install node-gyp)' };
  const args = [gyp, 'rebuild'];
  // Node's own headers, when this Node was installed with them (Debian's nodejs: /usr/include/node), so
  // node-gyp needs no download.
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  log('native: building the BLAS addon with node-gyp');
  const r = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8' });
  if (r.status !== 0) {
    const lines = `${r.stdout}\n${r.stderr}`
      .split('\n')
      .filter((l) => /error/i.test(l) && !/^gyp ERR! (stack|System|command|cwd|node)/.test(l));
    return {
      ok: false,
      message: `native path off: the addon did not build (${(lines[0] || 'node-gyp failed').trim()})`,
    };
  }
  try {
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(addonPath)})`], { stdio: 'pipe' });
  } catch (e) {
    return {
      ok: false,
      message: `native path off: the addon built but does not load (${
        String(e.stderr)
          .split('\n')
          .find((l) => l.trim()) || e.message
      })`,
    };
  }
  return { ok: true, message: `native addon built (${addonPath})` };
}

/**
 * What setup prints when the addon is not there: a box nobody scrolls past, since everything then runs on the
 * slower engine and the native engine's tests are skipped. One line when it was turned off on purpose.
 */
function notBuiltWarning(message) {
  if (process.env.CHARRNN_NATIVE === '0') return message;
  const bar = '!'.repeat(78);
  return [
    bar,
    '!! WARNING: the native engine (the BLAS addon) is not built.',
    `!! ${message}`,
    "!! Training runs on the slower TF.js engine, and the native engine's tests are reported as skipped.",
    '!! Build it with: node kernel-lib/native/build.js',
    bar,
  ].join('\n');
}

module.exports = { buildNative, addonPath, notBuiltWarning };

if (require.main === module) {
  const result = buildNative({ force: process.argv.includes('--force') });
  if (result.ok) console.log(result.message);
  else console.error(notBuiltWarning(result.message));
}
