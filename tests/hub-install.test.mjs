// For a hub the administrator already runs: `npm run class -- install` adds our kernel and extension system-wide and
// prints the spawner lines; with those lines added to a hub config of their own (Debian's jupyterhub 3.0 here, its
// own PAM login and users), a user logs in and gets our JupyterLab, our kernel and the course. Loopback only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const { freePort, waitUntilUp } = require(path.join(root, 'labextension/app/start.js'));
const USER = 'crinstall-user';
const PASSWORD = 'install-test-password';
const skip =
  process.getuid?.() !== 0
    ? 'needs root: the test makes a system account'
    : !fs.existsSync('/usr/lib/python3/dist-packages/jupyterhub') && "Debian's jupyterhub is not installed";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-hub-install-'));
fs.chmodSync(tmp, 0o755);
let hub;
let port;

before(async () => {
  if (skip) return;
  spawnSync('userdel', ['-r', '-f', USER], { stdio: 'ignore' });
  execFileSync('useradd', ['--create-home', USER]);
  execFileSync('chpasswd', { input: `${USER}:${PASSWORD}\n` });
  const printed = execFileSync(
    process.execPath,
    [path.join(root, 'labextension/app/class/class.js'), 'install', '--run-dir', path.join(tmp, 'charrnn')],
    { encoding: 'utf8' },
  );
  const lines = printed.slice(printed.indexOf('c.Spawner.cmd'));
  [port] = [await freePort()];
  const [hubPort, apiPort] = [await freePort(), await freePort()];
  // The administrator's own config: their login, users and ports; ours is only the pasted lines.
  const config = `c = get_config()
c.JupyterHub.bind_url = 'http://127.0.0.1:${port}/'
c.JupyterHub.hub_port = ${hubPort}
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${apiPort}'
c.ConfigurableHTTPProxy.command = ${JSON.stringify([process.execPath, require.resolve('configurable-http-proxy/bin/configurable-http-proxy')])}
c.JupyterHub.db_url = 'sqlite:///${tmp}/hub.sqlite'
c.JupyterHub.cookie_secret_file = '${tmp}/cookie_secret'
c.Authenticator.allowed_users = {'${USER}'}
${lines}`;
  fs.writeFileSync(path.join(tmp, 'jupyterhub_config.py'), config);
  const log = fs.openSync(path.join(tmp, 'hub.log'), 'a');
  hub = spawn('/usr/bin/python3', ['-m', 'jupyterhub', '-f', path.join(tmp, 'jupyterhub_config.py')], {
    cwd: tmp,
    env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
    stdio: ['ignore', log, log],
  });
  await waitUntilUp(`http://127.0.0.1:${hubPort}/hub/api/`, hub, 'the hub');
});

after(async () => {
  if (hub && hub.exitCode === null) {
    const exited = new Promise((resolve) => hub.once('exit', resolve));
    hub.kill('SIGTERM');
    await exited;
  }
  if (!skip) spawnSync('userdel', ['-r', '-f', USER], { stdio: 'ignore' });
  fs.rmSync(tmp, { recursive: true, force: true });
});

test(
  "an existing hub's user gets our JupyterLab, our kernel and the course after `class -- install`",
  { skip, timeout: 240_000 },
  async () => {
    const { request } = require('playwright-core');
    const api = await request.newContext({ baseURL: `http://127.0.0.1:${port}` });
    const login = await api.post('/hub/login', { form: { username: USER, password: PASSWORD } });
    assert.ok(login.ok(), `login: HTTP ${login.status()}`);
    let lab;
    for (let i = 0; i < 120 && !lab; i++) {
      const r = await api.get(`/user/${USER}/lab`);
      if (r.ok() && r.url().includes(`/user/${USER}/lab`)) lab = await r.text();
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.ok(
      lab,
      `the server never served /user/${USER}/lab: ${fs.readFileSync(path.join(tmp, 'hub.log'), 'utf8').slice(-2000)}`,
    );
    assert.match(lab, /charrnn · JupyterLab/);
    assert.match(lab, /"hubPrefix": "\/hub\/"/);
    const specs = await (await api.get(`/user/${USER}/api/kernelspecs`)).json();
    assert.deepEqual(Object.keys(specs.kernelspecs), ['charrnn']);
    const home = execFileSync('getent', ['passwd', USER], { encoding: 'utf8' }).split(':')[5];
    assert.ok(fs.existsSync(path.join(home, 'course', '03-shakespeare.ipynb')), 'the course is in the home');
    const extension = await api
      .get(`/user/${USER}/lab/extensions/@charrnn/labextension/package.json`)
      .catch(() => undefined);
    assert.equal(extension?.status(), 200, 'our extension is served');
    await api.dispose();
  },
);
