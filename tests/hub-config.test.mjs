// What `npm run class` decides before any hub runs: the roster's names, where students connect, the limits, and
// the jupyterhub_config.py it writes (run here through Debian's Python the way JupyterHub loads it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { accountName, bindUrl, limits, options, readRoster } = require('../labextension/app/class/class.js');
const { hubConfig } = require('../labextension/app/class/hub-config.js');
const haveHub = fs.existsSync('/usr/lib/python3/dist-packages/jupyterhub');

function tmpFile(name, text) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hub-config-')), name);
  fs.writeFileSync(file, text);
  return file;
}

test('the roster: one name a line, comments and blanks skipped, repeats once, a bad name refused with its line', () => {
  const file = tmpFile('roster.txt', '# class of 2026\nalice\n\nbob  # second row\nalice\n');
  assert.deepEqual(readRoster(file, 'charrnn-'), ['charrnn-alice', 'charrnn-bob']);
  const bad = tmpFile('roster.txt', 'alice\nBob Smith\n');
  assert.throws(() => readRoster(bad, 'charrnn-'), {
    name: 'ClassError',
    message: /line 2: 'Bob Smith' cannot be a user name/,
  });
  assert.throws(() => readRoster(tmpFile('r.txt', '# nobody\n'), 'charrnn-'), { message: /names no students/ });
  assert.throws(() => readRoster('/nonexistent/roster', 'charrnn-'), { message: /cannot read the roster .*ENOENT/ });
  assert.throws(() => accountName('charrnn-', 'x'.repeat(30), ''), { message: /at most 32 characters/ });
});

test('students connect on loopback by default; another address needs TLS or --insecure-http', () => {
  const o = (argv) => options(argv);
  assert.deepEqual(bindUrl(o([])), { url: 'http://127.0.0.1:8000/', ssl: null, insecure: false });
  assert.throws(() => bindUrl(o(['--ip', '0.0.0.0'])), {
    name: 'ClassError',
    message: /refusing to serve passwords on 0\.0\.0\.0 without TLS/,
  });
  assert.equal(bindUrl(o(['--ip', '0.0.0.0', '--insecure-http'])).insecure, true);
  const tls = bindUrl(o(['--ip', '10.0.0.5', '--ssl-cert', 'c.pem', '--ssl-key', 'k.pem', '--port', '443']));
  assert.deepEqual(tls, { url: 'https://10.0.0.5:443/', ssl: { cert: 'c.pem', key: 'k.pem' }, insecure: false });
  assert.throws(() => bindUrl(o(['--ssl-cert', 'c.pem'])), { message: /go together/ });
});

test("limits: the teacher's, else this machine's memory and cores shared by the class", () => {
  assert.deepEqual(limits(options(['--memory', '1536M', '--cpus', '0.5']), 30), { memory: 1536 * 2 ** 20, cpus: 0.5 });
  const shared = limits(options([]), 10);
  assert.ok(shared.memory <= 4 * 2 ** 30 && shared.memory <= (os.totalmem() - 2 * 2 ** 30) / 10, String(shared.memory));
  assert.equal(shared.cpus, Math.max(0.1, Math.round((os.availableParallelism() / 10) * 10) / 10));
  assert.throws(() => limits(options(['--memory', 'lots']), 10), {
    message: /--memory must be a size such as 2G or 512M, got 'lots'/,
  });
  assert.throws(() => limits(options(['--cpus=-1']), 10), { message: /--cpus must be a positive number/ });
});

const settings = {
  runDir: '/srv/class',
  bindUrl: 'http://127.0.0.1:8000/',
  ssl: null,
  hubPort: 40001,
  proxyApiPort: 40002,
  proxyCommand: ['/usr/bin/node', '/opt/chp'],
  group: 'charrnn-class',
  teacher: 'charrnn-teacher',
  python: '/usr/bin/python3',
  serverPy: '/opt/charrnn/labextension/app/server.py',
  node: '/usr/bin/node',
  courseDir: '/srv/class/course',
  environment: { CHARRNN_DATASETS_MIRROR: "/srv/it's/corpora" },
  memory: 2 ** 31,
  cpus: 0.5,
  idleSeconds: 3600,
  systemd: false,
  serviceTokenFile: tmpFile('class-api-token', 'secret-token\n'),
};

/** Loads a config as JupyterHub does (exec with get_config) and returns the settings that matter, as JSON. */
function load(text) {
  const file = tmpFile('jupyterhub_config.py', text);
  const script = `import json
from traitlets.config import Config
c = Config()
exec(open(${JSON.stringify(file)}).read(), {"get_config": lambda: c})
sp = c.JupyterHub.spawner_class
print(json.dumps({
  "bind_url": c.JupyterHub.bind_url, "groups": sorted(c.LocalAuthenticator.allowed_groups),
  "admins": sorted(c.Authenticator.admin_users), "cmd": c.Spawner.cmd, "args": c.Spawner.args,
  "env": c.Spawner.environment, "mem": c.Spawner.mem_limit, "cpu": c.Spawner.cpu_limit,
  "spawner": sp if isinstance(sp, str) else [b.__name__ for b in sp.__mro__][:2],
  "preexec": None if isinstance(sp, str) else repr(sp.make_preexec_fn(None, "x")),
  "db": c.JupyterHub.db_url, "services": c.JupyterHub.services, "roles": c.JupyterHub.load_roles}))`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test(
  'the written config loads in Python with every value in place',
  { skip: !haveHub && "Debian's jupyterhub is not installed" },
  () => {
    const c = load(hubConfig(settings));
    assert.equal(c.bind_url, 'http://127.0.0.1:8000/');
    assert.deepEqual(c.groups, ['charrnn-class']);
    assert.deepEqual(c.admins, ['charrnn-teacher']);
    assert.deepEqual(c.cmd, ['/usr/bin/python3', '/opt/charrnn/labextension/app/server.py']);
    assert.ok(c.args.includes('--KernelSpecManager.allowed_kernelspecs=charrnn'), c.args.join(' '));
    assert.ok(c.args.includes('--MappingKernelManager.cull_idle_timeout=3600'), c.args.join(' '));
    assert.deepEqual(c.env, {
      CHARRNN_COURSE_DIR: '/srv/class/course',
      CHARRNN_NODE: '/usr/bin/node',
      CHARRNN_DATASETS_MIRROR: "/srv/it's/corpora",
    });
    assert.equal(c.mem, 2 ** 31);
    assert.equal(c.cpu, 0.5);
    assert.equal(c.spawner, 'localprocess');
    assert.equal(c.db, 'sqlite:////srv/class/jupyterhub.sqlite');
    assert.deepEqual(c.services, [{ name: 'charrnn-class', api_token: 'secret-token' }]);
    assert.deepEqual(c.roles[0].scopes, ['admin:users', 'admin:servers']);
  },
);

test(
  'with systemd, each server runs in a scope that switches to the student itself',
  { skip: !haveHub && "Debian's jupyterhub is not installed" },
  () => {
    const text = hubConfig({ ...settings, systemd: true });
    assert.match(text, /'systemd-run', '--scope'|"systemd-run", "--scope"/);
    assert.match(text, /MemoryMax=2147483648/);
    assert.match(text, /CPUQuota=50%/);
    const c = load(text);
    assert.deepEqual(c.spawner, ['ScopedSpawner', 'LocalProcessSpawner']);
    assert.equal(c.preexec, 'None');
  },
);
