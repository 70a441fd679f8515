// The Jupyter server `npm start` runs keeps its token out of sight of other local users: not on its command
// line (anyone can read it with `ps`), and not in the environment of the kernels it starts (a notebook that
// prints process.env would save it). The token still opens the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startServer } = require('../labextension/app/start.js');
const workDir = path.join(root, '.cache', 'server-token', String(process.pid));
let server;

before(async () => {
  fs.mkdirSync(workDir, { recursive: true });
  server = await startServer({ rootDir: workDir, stdio: 'ignore' });
});

after(async () => {
  await server?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** The processes whose parent is `pid`. */
function childrenOf(pid) {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && readProc(p, 'stat')?.split(') ')[1]?.split(' ')[1] === String(pid));
}

function readProc(pid, file) {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return undefined; // gone meanwhile
  }
}

test(
  "the server token is not on its command line, nor in its kernels' environment, and it opens the server",
  { skip: process.platform !== 'linux' && 'reads /proc' },
  async () => {
    const args = execFileSync('ps', ['-o', 'args=', '-p', String(server.child.pid)], { encoding: 'utf8' });
    assert.match(args, /server\.py/);
    assert.ok(!args.includes(server.token), `the token is visible in ps: ${args}`);

    assert.equal((await fetch(`${server.base}/api/status?token=${server.token}`)).status, 200);
    assert.equal((await fetch(`${server.base}/api/status?token=wrong`)).status, 403);

    const auth = { Authorization: `token ${server.token}` };
    const started = await fetch(`${server.base}/api/kernels`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'charrnn' }),
    });
    assert.equal(started.status, 201);
    const { id } = await started.json();
    try {
      let kernels = [];
      for (let i = 0; i < 100 && kernels.length === 0; i++) {
        kernels = childrenOf(server.child.pid).filter((p) => readProc(p, 'cmdline')?.includes('main.js'));
        if (kernels.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(kernels.length, 1, 'the kernel process');
      const environ = readProc(kernels[0], 'environ') ?? '';
      assert.ok(environ.includes('JUPYTER_PATH='), 'the kernel environment was read');
      assert.ok(!environ.includes(server.token), 'the token is in the kernel environment');
      assert.ok(!readProc(kernels[0], 'cmdline').includes(server.token));
    } finally {
      await fetch(`${server.base}/api/kernels/${id}`, { method: 'DELETE', headers: auth });
    }
  },
);
