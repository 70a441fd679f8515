#!/usr/bin/env node
// `npm run class`: a class on this machine. Debian's JupyterHub (installed by tests/setup.js class) serves each
// student, in a system account of their own, our JupyterLab with our kernel, the course copied into their home,
// memory and cores limited per student. Run as root (accounts, PAM logins, servers started as each student).
'use strict';
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { randomBytes, randomInt } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { freePort, register, waitUntilUp } = require('../start.js');
const { hubConfig, serverLines } = require('./hub-config.js');

const root = path.resolve(__dirname, '..', '..', '..');
const PYTHON = process.env.CHARRNN_PYTHON || '/usr/bin/python3';
const SYSTEM_JUPYTER = '/usr/local/share/jupyter'; // on every user's Jupyter path, writable only by root
const GiB = 2 ** 30;
const USAGE = `usage: npm run class -- [start] --roster FILE [options] | add NAME... | remove NAME... | push | install
  start (default)  makes an account for each roster name that has none (its password printed once), installs our
                   kernel and extension system-wide, releases the course, and serves the hub until Ctrl-C
  add NAME...      adds students to the class (accounts made, passwords printed once); no restart needed
  remove NAME...   takes students out of the class: login locked, server stopped, sessions ended, home kept
  push             copies the course into every student's ~/course; a notebook a student edited stays, and the
                   new version lands beside it
  install          for a hub of your own: installs our kernel and extension system-wide, releases the course, and
                   prints the lines that give its students our JupyterLab with the course
options:
  --roster FILE         one user name a line; # comments and blank lines are skipped
  --teacher NAME        the hub's admin, an account like the students' (default: teacher)
  --password-file FILE  one class password (its first line) for new accounts; default: a generated one each
  --ip ADDRESS          where students connect (default 127.0.0.1); any other address needs --ssl-cert and
                        --ssl-key, or --insecure-http
  --port N              default 8000
  --memory SIZE         per student, e.g. 2G; --cpus N: per student, e.g. 0.5 (defaults sized from this machine)
  --idle-minutes N      an idle kernel, or a server with none, stops after this long (default 60); files stay
  --prefix P            accounts are named P + name (default charrnn-)
  --run-dir DIR         the hub's config, database and released course (default .class/ in the project)`;

/** A mistake in the teacher's input or the machine's state: one line on stderr, exit 1, no stack trace. */
class ClassError extends Error {
  name = 'ClassError';
}

function options(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      roster: { type: 'string' },
      teacher: { type: 'string', default: 'teacher' },
      'password-file': { type: 'string' },
      ip: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8000' },
      'ssl-cert': { type: 'string' },
      'ssl-key': { type: 'string' },
      'insecure-http': { type: 'boolean', default: false },
      memory: { type: 'string' },
      cpus: { type: 'string' },
      'idle-minutes': { type: 'string', default: '60' },
      prefix: { type: 'string', default: 'charrnn-' },
      'run-dir': { type: 'string', default: path.join(root, '.class') },
      help: { type: 'boolean', default: false },
    },
  });
  const [command = 'start', ...names] = positionals;
  return { command, names, ...values, runDir: path.resolve(values['run-dir']) };
}

/** `prefix + name` after checking that it makes a safe system user name. */
function accountName(prefix, name, where) {
  const user = `${prefix}${name}`;
  if (!/^[a-z][a-z0-9_-]*$/.test(user) || user.length > 32)
    throw new ClassError(
      `${where}'${name}' cannot be a user name: lower-case letters, digits, - and _, starting with a letter, at most 32 characters with the prefix '${prefix}'`,
    );
  return user;
}

function readRoster(file, prefix) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ClassError(`cannot read the roster ${file}: ${e.code ?? e.message}`);
  }
  const names = text
    .split('\n')
    .map((line, i) => [line.replace(/#.*/, '').trim(), i + 1])
    .filter(([name]) => name !== '')
    .map(([name, line]) => accountName(prefix, name, `${file} line ${line}: `));
  if (names.length === 0) throw new ClassError(`the roster ${file} names no students`);
  return [...new Set(names)];
}

function sh(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.error) throw new ClassError(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new ClassError(`${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

const exists = (user) => spawnSync('id', ['-u', user]).status === 0;

/** Members of a system group, by name ([] when there is no such group). */
function members(group) {
  const r = spawnSync('getent', ['group', group], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split(':')[3].split(',').filter(Boolean) : [];
}

/** Readable and unambiguous: no 0/O, 1/l/I. */
function newPassword() {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  return Array.from({ length: 12 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/**
 * Puts `user` in the class: a new account (home readable by them alone) with a password, or an existing one back in
 * the group and unlocked. Returns the new password, or undefined when the account was there already.
 */
function enrol(user, group, classPassword) {
  sh('groupadd', ['-f', group]);
  if (exists(user)) {
    sh('usermod', ['-a', '-G', group, '-U', user]);
    return undefined;
  }
  sh('useradd', ['--create-home', '--shell', '/bin/bash', '--comment', 'charrnn class', '-G', group, user]);
  fs.chmodSync(homeOf(user), 0o700); // students cannot read each other's work
  const password = classPassword ?? newPassword();
  sh('chpasswd', [], `${user}:${password}\n`);
  return password;
}

function homeOf(user) {
  return sh('getent', ['passwd', user]).trim().split(':')[5];
}

function classPassword(file) {
  if (file === undefined) return undefined;
  const password = fs.readFileSync(file, 'utf8').split('\n')[0].trim();
  if (password.length < 8) throw new ClassError(`the class password in ${file} is shorter than 8 characters`);
  return password;
}

/** Enrols each user; prints the new accounts' passwords once, as a table for the teacher. */
function enrolAll(users, o) {
  const password = classPassword(o['password-file']);
  const rows = users.map((user) => [user, enrol(user, `${o.prefix}class`, password)]).filter(([, p]) => p);
  if (rows.length === 0) return;
  console.log(`new accounts (passwords are shown this once${password ? ': the class password' : ''}):`);
  for (const [user, p] of rows) console.log(`  ${user.padEnd(24)} ${password ? '(class password)' : p}`);
}

/** The students' copies of the course (solutions stubbed, outputs cleared) in runDir/course, readable by all. */
async function releaseCourse(runDir) {
  const { release } = await import(path.join(root, 'notebooks', 'tools', 'release.mjs'));
  const course = path.join(runDir, 'course');
  const next = `${course}.next`;
  fs.rmSync(next, { recursive: true, force: true });
  release(path.join(root, 'notebooks'), next);
  release(path.join(root, 'notebooks', 'exercises'), path.join(next, 'exercises'));
  fs.rmSync(course, { recursive: true, force: true });
  fs.renameSync(next, course);
  return course;
}

/** Refuses a run folder the students' servers could not reach: each folder above it must let others through. */
function checkReachable(dir) {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d))
    if ((fs.statSync(d).mode & 0o001) === 0)
      throw new ClassError(
        `the students cannot reach the run folder ${dir}: ${d} is closed to other users (chmod o+x, or --run-dir elsewhere)`,
      );
}

/** The run folder, open to the students' servers, which read the released course in it; returns the course. */
async function prepareRunDir(runDir) {
  fs.mkdirSync(runDir, { recursive: true });
  fs.chmodSync(runDir, 0o755);
  checkReachable(runDir);
  return releaseCourse(runDir);
}

/** Copies the course into each user's ~/course, as that user (course-copy.js), and prints what changed. */
function push(users, course) {
  for (const user of users) {
    const [uid, gid] = ['-u', '-g'].map((f) => Number(sh('id', [f, user])));
    const home = homeOf(user);
    const out = execFileSync(
      process.execPath,
      [path.join(__dirname, 'course-copy.js'), course, path.join(home, 'course')],
      { uid, gid, cwd: home, env: { HOME: home, PATH: process.env.PATH }, encoding: 'utf8' },
    );
    process.stdout.write(out.replace(/^course: /gm, `${user}: `));
  }
}

function size(text, flag) {
  const m = /^(\d+(?:\.\d+)?)([KMG])$/i.exec(text ?? '');
  if (!m) throw new ClassError(`${flag} must be a size such as 2G or 512M, got '${text}'`);
  return Math.round(Number(m[1]) * 1024 ** ' KMG'.indexOf(m[2].toUpperCase()));
}

function positive(text, flag) {
  const n = Number(text);
  if (!(n > 0)) throw new ClassError(`${flag} must be a positive number, got '${text}'`);
  return n;
}

/** Memory and cores per student: the teacher's, else this machine's shared by the class (2 GiB kept back). */
function limits(o, students) {
  const memory = o.memory
    ? size(o.memory, '--memory')
    : Math.min(4 * GiB, Math.floor((os.totalmem() - 2 * GiB) / students / 2 ** 20) * 2 ** 20);
  const cpus = o.cpus
    ? positive(o.cpus, '--cpus')
    : Math.max(0.1, Math.round((os.availableParallelism() / students) * 10) / 10);
  return { memory, cpus };
}

/** Where students connect; refuses a non-loopback address without TLS unless the teacher said --insecure-http. */
function bindUrl(o) {
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(o.ip);
  const ssl = o['ssl-cert'] || o['ssl-key'] ? { cert: o['ssl-cert'], key: o['ssl-key'] } : null;
  if (ssl && !(ssl.cert && ssl.key)) throw new ClassError('--ssl-cert and --ssl-key go together');
  if (!loopback && !ssl && !o['insecure-http'])
    throw new ClassError(
      `refusing to serve passwords on ${o.ip} without TLS: give --ssl-cert and --ssl-key, or --insecure-http on a network you trust`,
    );
  const host = o.ip.includes(':') ? `[${o.ip}]` : o.ip;
  return {
    url: `${ssl ? 'https' : 'http'}://${host}:${positive(o.port, '--port')}/`,
    ssl,
    insecure: !loopback && !ssl,
  };
}

// What a student's kernel takes from the teacher's environment: where corpora come from.
const PASSED_ON = ['CHARRNN_DATASETS_MIRROR', 'CHARRNN_DOWNLOADS_URL'];

/** How a hub starts our server for a student (hub-config.js's serverLines). */
function serverSettings(course) {
  return {
    python: PYTHON,
    serverPy: path.join(__dirname, '..', 'server.py'),
    node: process.execPath,
    courseDir: course,
    environment: Object.fromEntries(PASSED_ON.filter((k) => process.env[k]).map((k) => [k, process.env[k]])),
  };
}

/** For an existing hub: our kernel and extension system-wide, the course released, and the lines for its config. */
async function install(o) {
  const kernel = register(SYSTEM_JUPYTER);
  const course = await prepareRunDir(o.runDir);
  console.log(
    `installed the "${kernel}" kernel and @charrnn/labextension in ${SYSTEM_JUPYTER}; the course is in ${course}`,
  );
  console.log(`A hub whose servers run a JupyterLab 4 of their own now offers our kernel and widgets as they are.`);
  console.log(`For our JupyterLab with the course in each home, add to the hub's jupyterhub_config.py:
`);
  console.log(serverLines(serverSettings(course)));
}

/**
 * Enrols the roster, installs our kernel and extension system-wide, releases the course, writes the hub's config
 * and starts the hub; resolves once it answers. `stop()` stops it (and with it the students' servers).
 */
async function startClass(o, { stdio = 'inherit' } = {}) {
  if (!o.roster) throw new ClassError('the class needs a roster: --roster FILE, one student user name a line');
  const students = readRoster(o.roster, o.prefix);
  const teacher = accountName(o.prefix, o.teacher, '--teacher ');
  const bind = bindUrl(o);
  const { memory, cpus } = limits(o, students.length);
  const idleSeconds = Math.round(positive(o['idle-minutes'], '--idle-minutes') * 60);
  enrolAll([teacher, ...students], o);
  register(SYSTEM_JUPYTER);
  const course = await prepareRunDir(o.runDir);
  const [hubPort, proxyApiPort] = [await freePort(), await freePort()];
  const config = hubConfig({
    runDir: o.runDir,
    bindUrl: bind.url,
    ssl: bind.ssl,
    hubPort,
    proxyApiPort,
    proxyCommand: [process.execPath, require.resolve('configurable-http-proxy/bin/configurable-http-proxy')],
    group: `${o.prefix}class`,
    teacher,
    ...serverSettings(course),
    memory,
    cpus,
    idleSeconds,
    systemd: fs.existsSync('/run/systemd/system'),
    serviceTokenFile: serviceToken(o.runDir).file,
  });
  const configFile = path.join(o.runDir, 'jupyterhub_config.py');
  fs.writeFileSync(configFile, config);
  // A clean environment: none of npm's variables, nor a project-local Jupyter path, reach the students' servers.
  const env = { PATH: process.env.PATH, LANG: process.env.LANG ?? 'C.UTF-8', HOME: process.env.HOME };
  const child = spawn(PYTHON, ['-m', 'jupyterhub', '-f', configFile], {
    cwd: o.runDir,
    env,
    stdio: ['ignore', stdio, stdio],
    detached: true,
  });
  process.on('exit', () => child.exitCode === null && child.kill('SIGTERM'));
  await waitUntilUp(`http://127.0.0.1:${hubPort}/hub/api/`, child, 'the hub').catch((e) => {
    throw new ClassError(`${e.message} (its log above says why)`);
  });
  // Where `remove` finds the running hub's API.
  fs.writeFileSync(
    path.join(o.runDir, 'hub.json'),
    JSON.stringify({ api: `http://127.0.0.1:${hubPort}/hub/api` }) + '\n',
  );
  console.log(`\n  charrnn class: ${bind.url}  (${students.length} students, teacher ${teacher})`);
  console.log(
    `  per student: ${(memory / GiB).toFixed(1)} GiB memory, ${cpus} cores` +
      ` (${os.availableParallelism()} cores and ${(os.totalmem() / GiB).toFixed(0)} GiB here; --memory and --cpus change them)`,
  );
  if (!fs.existsSync('/run/systemd/system'))
    console.log('  systemd is not running here: our kernel honours the limits, the system does not enforce them');
  if (bind.insecure) console.log(`  WARNING: plain http on ${o.ip}: passwords and work cross the network unencrypted`);
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { url: bind.url, hubPort, child, stop, students, teacher, course };
}

/** The token of the hub's charrnn-class service (hub-config.js), made on the first start; readable by root alone. */
function serviceToken(runDir) {
  const file = path.join(runDir, 'class-api-token');
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  return { file, token: fs.readFileSync(file, 'utf8').trim() };
}

/**
 * Takes students out of the class: out of the group, login locked, and, while the hub runs, their hub user deleted,
 * which stops their server and ends the sessions they are logged in with. Their homes stay.
 */
async function remove(users, group, runDir) {
  const api = fs.existsSync(path.join(runDir, 'hub.json'))
    ? JSON.parse(fs.readFileSync(path.join(runDir, 'hub.json'), 'utf8')).api
    : undefined;
  for (const user of users.filter((u) => members(group).includes(u))) {
    sh('gpasswd', ['-d', user, group]);
    sh('usermod', ['-L', user]);
    const ended = api && (await endSessions(api, serviceToken(runDir).token, user));
    console.log(
      `${user}: out of the class, login locked${ended ? ', server stopped and sessions ended' : ''}; ` +
        `the home ${homeOf(user)} is kept (userdel -r ${user} deletes it)`,
    );
  }
}

/** Deletes the hub's record of `user` (their server stopped first); false when the hub is not running. */
async function endSessions(api, token, user) {
  try {
    const r = await fetch(`${api}/users/${user}`, { method: 'DELETE', headers: { Authorization: `token ${token}` } });
    if (r.status === 404) return true; // never logged in: nothing to end
    if (!r.ok) throw new ClassError(`the hub refused to end ${user}'s sessions: HTTP ${r.status} ${await r.text()}`);
    return true;
  } catch (e) {
    if (e instanceof ClassError) throw e;
    return false; // the hub is not running: the locked login is enough
  }
}

async function main(argv) {
  const o = options(argv);
  if (o.help) return console.log(USAGE);
  if (process.getuid?.() !== 0)
    throw new ClassError('run it as root: it makes the accounts and starts each server as its student');
  const group = `${o.prefix}class`;
  const named = () => o.names.map((n) => accountName(o.prefix, n, ''));
  if (o.command === 'add' && o.names.length > 0) return enrolAll(named(), o);
  if (o.command === 'remove' && o.names.length > 0) return remove(named(), group, o.runDir);
  if (o.command === 'install' && o.names.length === 0) return install(o);
  if (o.command === 'push' && o.names.length === 0) return push(members(group), await releaseCourse(o.runDir));
  if (o.command !== 'start' || o.names.length > 0) throw new ClassError(USAGE);
  const hub = await startClass(o);
  console.log("  Ctrl-C stops the hub and the students' servers; their files stay.\n");
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(signal, () => hub.stop().then(() => process.exit(0)));
  hub.child.on('exit', (code) => process.exit(code ?? 0));
}

module.exports = { ClassError, accountName, bindUrl, limits, members, options, push, readRoster, startClass };

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    if (!(e instanceof ClassError) && !e.code?.startsWith('ERR_PARSE_ARGS')) throw e;
    console.error(`class: ${e.message}`);
    process.exit(1);
  });
}
