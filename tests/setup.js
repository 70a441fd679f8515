#!/usr/bin/env node
// Sets up what `npm test`, `npm start` and `npm run bench` need on a fresh Debian machine, and does nothing
// (quietly) when it is already there: Debian packages (Jupyter server, nbclient, chromium), npm packages,
// the kernel-lib build, then for start, class and test the prebuilt extension, the JupyterLab app and the exported model
// page's script, each rebuilt only when its inputs changed (a hash of them is kept in .cache/builds/).
// Usage: node tests/setup.js test|start|class|bench
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const mode = process.argv[2];
if (!['test', 'start', 'class', 'bench'].includes(mode)) {
  console.error('usage: node tests/setup.js test|start|class|bench');
  process.exit(2);
}

function run(cmd, args, env = process.env) {
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env });
}

function mtime(file) {
  try {
    return fs.statSync(path.join(root, file)).mtimeMs;
  } catch {
    return 0;
  }
}

// Debian packages: the Jupyter server for JupyterLab, nbclient to run notebooks headless, chromium for the
// browser test (it also ships SwiftShader, a CPU Vulkan, which with the Vulkan loader libvulkan1 runs the WebGPU
// engine's tests on a machine without a GPU), JupyterHub for `npm run class` and its test, PyTorch for the checks
// that our exports load in it. Installed with apt-get when we are root, else named in one message.
const DEBIAN = {
  start: ['python3-jupyter-server', 'python3-jupyterlab-server'],
  class: ['python3-jupyter-server', 'python3-jupyterlab-server', 'jupyterhub'],
  test: [
    'python3-jupyter-server',
    'python3-jupyterlab-server',
    'python3-nbclient',
    'jupyter-client',
    'chromium',
    'libvulkan1',
    'jupyterhub',
    'python3-torch',
  ],
  bench: [],
};
function installed(pkg) {
  const q = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return q.status === 0 && q.stdout.includes('install ok installed');
}
const missing = DEBIAN[mode].filter((pkg) => !installed(pkg));
if (missing.length > 0) {
  if (process.getuid?.() !== 0) {
    console.error(
      `setup: missing Debian packages; install them with:\n  sudo apt-get install --no-install-recommends ${missing.join(' ')}`,
    );
    process.exit(1);
  }
  console.log(`setup: installing Debian packages: ${missing.join(' ')}`);
  const quiet = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], quiet);
  run(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', ...missing],
    quiet,
  );
}

// npm ci when node_modules is missing or older than the lock file.
const npmInstall = mtime('node_modules/.package-lock.json') < mtime('package-lock.json');
if (npmInstall) {
  console.log('setup: installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// ONNX Runtime for the test that runs our ONNX exports (tests/onnx.test.mjs), in .cache/ rather than among the
// project's packages: onnxruntime-node's install script fetches CUDA libraries from nuget.org on every Linux x64
// install unless told to skip, which would cost every user of `npm ci` hundreds of MB (and fails offline). Its CPU
// runtime is in the npm package itself.
const ORT = { version: '1.23.2', dir: path.join(root, '.cache', 'onnxruntime') };
if (mode === 'test' && !fs.existsSync(path.join(ORT.dir, 'node_modules', 'onnxruntime-node', 'package.json'))) {
  console.log(`setup: installing onnxruntime-node ${ORT.version} for the ONNX test`);
  fs.mkdirSync(ORT.dir, { recursive: true });
  const args = [
    'install',
    '--no-audit',
    '--no-fund',
    '--no-save',
    '--prefix',
    ORT.dir,
    `onnxruntime-node@${ORT.version}`,
  ];
  run('npm', args, { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' });
}

// The library's own build (`npm run build -w @charrnn/kernel` runs the same): tsc -b builds first the schema
// package it references (@charrnn/schema: the views and colours the library and the extension share, which both
// import from its dist/), then the library, each only when an input is newer than its build info (a second when
// nothing changed, a few seconds when little did). The build info lives in dist/, so deleting dist/ forces a
// full build. tsc -b compares our sources' times only, not those of the packages' types: after npm ci, --force.
run('npx', ['tsc', '-b', 'kernel-lib', ...(npmInstall ? ['--force'] : [])]);

// The optional native engine (BLAS products, fused cells), built for this machine's CPU; without it, wasm.
const { buildNative, notBuiltWarning } = require(path.join(root, 'kernel-lib', 'native', 'build.js'));
const native = buildNative();
if (!native.ok) console.error(notBuiltWarning(native.message));

/** sha256 over the contents of these files and of every file under these folders. */
function hashOf(paths) {
  const hash = createHash('sha256');
  const add = (p) => {
    const full = path.join(root, p);
    if (!fs.existsSync(full)) return;
    if (fs.statSync(full).isDirectory()) {
      for (const name of fs.readdirSync(full).sort()) add(path.join(p, name));
    } else {
      hash.update(p).update(fs.readFileSync(full));
    }
  };
  paths.forEach(add);
  return hash.digest('hex');
}

/** Runs `build` unless the inputs' hash matches the one stored after the last successful build. */
function buildIfChanged(name, inputs, output, build) {
  const stamp = path.join(root, '.cache', 'builds', `${name}.sha256`);
  const hash = hashOf(inputs);
  const previous = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8') : '';
  if (previous === hash && fs.existsSync(path.join(root, output))) return;
  console.log(`setup: building ${name}`);
  build();
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, hash);
}

if (mode !== 'bench') {
  const ext = require(path.join(root, 'labextension', 'package.json'));
  buildIfChanged(
    'labextension',
    [
      'package-lock.json',
      'kernel-lib/schema/src',
      'labextension/package.json',
      'labextension/tsconfig.json',
      'labextension/build.js',
      'labextension/webpack.config.js',
      'labextension/src',
      'labextension/style',
    ],
    path.join('labextension', ext.jupyterlab.outputDir, 'package.json'),
    () => run('npm', ['run', '--silent', 'build', '-w', ext.name]),
  );
  buildIfChanged(
    'jupyterlab-app',
    [
      'package-lock.json',
      'labextension/app/package.json',
      'labextension/app/webpack.config.js',
      'labextension/app/bootstrap.js',
      'labextension/app/index.js',
    ],
    'labextension/app/build/static/bundle.js',
    () => run('npx', ['webpack', '--config', 'labextension/app/webpack.config.js', '--no-stats']),
  );
  // The exported model page's script (charrnn export-page inlines it): the library's sampling and inspection code
  // with our widgets, TF.js and styles, bundled for the browser.
  buildIfChanged(
    'model-page',
    [
      'package-lock.json',
      'kernel-lib/schema/src',
      'kernel-lib/src',
      'labextension/tsconfig.json',
      'labextension/src',
      'labextension/style',
      'labextension/page',
    ],
    'kernel-lib/dist/page/bundle.js',
    () => {
      run('npx', ['tsc', '-p', 'labextension']);
      run('npx', ['webpack', '--config', 'labextension/page/webpack.config.js', '--no-stats']);
    },
  );
}
