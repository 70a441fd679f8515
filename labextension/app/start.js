#!/usr/bin/env node
// `npm start` (after tests/setup.js has installed and built everything): registers the charrnn kernel and
// our prebuilt extension in project-local Jupyter folders (.jupyter/, nothing in ~), then serves
// JupyterLab on 127.0.0.1 with a token, opening notebooks/. Ctrl-C stops the server and its kernels.
// Usage: node labextension/app/start.js [--port N] [--no-browser]
'use strict';
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const jupyterDir = path.join(root, '.jupyter');
// Debian's Python, which has jupyter_server (a pyenv python3 on PATH may not); CHARRNN_PYTHON picks another
// one with jupyter_server and jupyterlab_server (tested: Debian bookworm's 1.23 and 2.16).
const PYTHON = process.env.CHARRNN_PYTHON || '/usr/bin/python3';

/** Environment with Jupyter's data, config and runtime folders inside the project. */
function jupyterEnv(base = process.env) {
  const data = path.join(jupyterDir, 'data');
  return {
    ...base,
    JUPYTER_PATH: data,
    JUPYTER_DATA_DIR: data,
    JUPYTER_CONFIG_DIR: path.join(jupyterDir, 'config'),
    JUPYTER_RUNTIME_DIR: path.join(jupyterDir, 'runtime'),
  };
}

/**
 * Puts the kernelspec and a link to the built extension into a Jupyter data folder, where Jupyter looks
 * for them: the project's .jupyter/data by default, or an existing Jupyter's (see install.js).
 */
function register(dataDir = path.join(jupyterDir, 'data')) {
  const { writeKernelspec, KERNEL_NAME } = require(path.join(root, 'kernel-lib', 'dist', 'kernel', 'kernelspec.js'));
  writeKernelspec(dataDir);
  const extPkg = require(path.join(root, 'labextension', 'package.json'));
  const built = path.join(root, 'labextension', extPkg.jupyterlab.outputDir);
  const link = path.join(dataDir, 'labextensions', ...extPkg.name.split('/'));
  const current = fs.existsSync(link) && fs.lstatSync(link).isSymbolicLink() ? fs.readlinkSync(link) : null;
  if (current !== built) {
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(built, link, 'dir');
  }
  return KERNEL_NAME;
}

function freePort(preferred = 0) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(freePort(0)));
    srv.listen(preferred, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url, child, what = 'the Jupyter server') {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer at ${url}`);
}

/**
 * Starts the server and resolves once it answers. `url` opens JupyterLab (token included);
 * `stop()` shuts down the server and its kernels. Tests pass their own rootDir (it must lie inside this
 * repository, so that notebooks there import @charrnn/kernel) and stdio.
 */
async function startServer({
  port,
  token = randomBytes(24).toString('hex'),
  rootDir = path.join(root, 'notebooks'),
  openBrowser = false,
  stdio = 'inherit',
  env,
} = {}) {
  const kernel = register();
  port = port ?? (await freePort());
  const args = [
    path.join(__dirname, 'server.py'),
    '--ServerApp.ip=127.0.0.1',
    `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0',
    `--ServerApp.root_dir=${rootDir}`,
    `--ServerApp.open_browser=${openBrowser ? 'True' : 'False'}`,
    '--ServerApp.answer_yes=True', // Ctrl-C stops at once, no "Shutdown this server?" prompt
    `--KernelSpecManager.allowed_kernelspecs=${kernel}`,
    `--MappingKernelManager.default_kernel_name=${kernel}`,
  ];
  if (process.getuid?.() === 0) args.push('--ServerApp.allow_root=True');
  // Its own process group: a terminal's Ctrl-C reaches only us, and we stop the server with SIGTERM, the
  // signal on which jupyter_server shuts its kernels down (on SIGINT without a tty it just dies).
  // The token goes in the environment, which other users cannot read (a command line is public in `ps`).
  const childEnv = { ...jupyterEnv(env), JUPYTER_TOKEN: token };
  const child = spawn(PYTHON, args, { cwd: root, env: childEnv, stdio: ['ignore', stdio, stdio], detached: true });
  process.on('exit', () => child.exitCode === null && child.kill('SIGTERM'));
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${base}/api/status?token=${token}`, child);
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { url: `${base}/lab?token=${token}`, base, token, port, child, stop };
}

async function main() {
  const argv = process.argv.slice(2);
  const portArg = argv.indexOf('--port');
  const port = portArg >= 0 ? Number(argv[portArg + 1]) : await freePort(8888);
  const server = await startServer({ port, openBrowser: !argv.includes('--no-browser') });
  console.log(`\n  charrnn JupyterLab is running: ${server.url}\n  Ctrl-C stops it.\n`);
  // Ctrl-C: wait for the server to stop its kernels, then exit.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(signal, () => server.stop().then(() => process.exit(0)));
  server.child.on('exit', (code) => process.exit(code ?? 0));
}

module.exports = { startServer, jupyterEnv, register, freePort, waitUntilUp };

if (require.main === module) {
  main().catch((e) => {
    console.error(`npm start: ${e.message}`);
    process.exit(1);
  });
}
