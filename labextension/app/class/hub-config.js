// The jupyterhub_config.py that `npm run class` writes into its run folder on every start, each setting with why.
// Debian's jupyterhub 3.0 reads it; the values come from class.js (the teacher's options, the machine's sizes).
'use strict';

/** A JavaScript value as a Python literal (strings, numbers, booleans, lists, sets of strings). */
function py(value) {
  if (value instanceof Set) return value.size === 0 ? 'set()' : `{${[...value].map(py).join(', ')}}`;
  if (Array.isArray(value)) return `[${value.map(py).join(', ')}]`;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'object' && value !== null)
    return `{${Object.entries(value)
      .map(([k, v]) => `${py(k)}: ${py(v)}`)
      .join(', ')}}`;
  return JSON.stringify(value); // a JSON string or number is a Python one too
}

/** Our kernel alone, as under `npm start`. */
const KERNEL_ARGS = [
  '--KernelSpecManager.allowed_kernelspecs=charrnn',
  '--MappingKernelManager.default_kernel_name=charrnn',
];

/**
 * The spawner settings that make a hub's servers ours, the course in each home: the class's config has them, and
 * `npm run class -- install` prints them for an existing hub's. `s`: { python, serverPy, node, courseDir, environment }.
 */
function serverLines(s, extraArgs = []) {
  return `c.Spawner.cmd = ${py([s.python, s.serverPy])}
c.Spawner.args = ${py([...KERNEL_ARGS, ...extraArgs])}
c.Spawner.default_url = '/lab/tree/course'
# The released course, copied into ~/course on each start without overwriting what a student edited (server.py),
# and what the kernel needs from the teacher's environment (a corpora mirror, a downloads address).
c.Spawner.environment = ${py({ CHARRNN_COURSE_DIR: s.courseDir, CHARRNN_NODE: s.node, ...s.environment })}`;
}

/**
 * The config's text. `s`: { runDir, bindUrl, ssl: {cert, key} | null, hubPort, proxyApiPort, proxyCommand, group,
 * serviceTokenFile,
 * teacher, memory (bytes), cpus, idleSeconds, systemd } and serverLines's.
 */
function hubConfig(s) {
  const serverCmd = [s.python, s.serverPy];
  const scope = ['systemd-run', '--scope', '--quiet', '--collect', '-p', `MemoryMax=${s.memory}`];
  scope.push('-p', `CPUQuota=${Math.round(s.cpus * 100)}%`);
  return `# Written by \`npm run class\` on each start; change the class with its options (npm run class -- --help),
# not here. Debian's jupyterhub 3.0 reads it: python3 -m jupyterhub -f ${s.runDir}/jupyterhub_config.py
c = get_config()  # noqa: F821 (jupyterhub defines it)

# Where students connect. 127.0.0.1 unless the teacher gave --ip; any other address needs TLS (--ssl-cert and
# --ssl-key) or --insecure-http, which class.js then announces on every start.
c.JupyterHub.bind_url = ${py(s.bindUrl)}
${s.ssl ? `c.JupyterHub.ssl_cert = ${py(s.ssl.cert)}\nc.JupyterHub.ssl_key = ${py(s.ssl.key)}` : '# No TLS files given.'}

# The hub's own API and the proxy's API, on loopback ports of their own (free when the class started).
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = ${s.hubPort}
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${s.proxyApiPort}'
# npm's configurable-http-proxy, pinned in labextension/app/package.json: Debian's package of it fails under
# NodeSource's Node ("Cannot find module 'commander'").
c.ConfigurableHTTPProxy.command = ${py(s.proxyCommand)}

# The hub's database and cookie secret stay in the run folder: a restart keeps every account's record and login.
c.JupyterHub.db_url = ${py(`sqlite:///${s.runDir}/jupyterhub.sqlite`)}
c.JupyterHub.cookie_secret_file = ${py(`${s.runDir}/jupyterhub_cookie_secret`)}
c.JupyterHub.pid_file = ${py(`${s.runDir}/jupyterhub.pid`)}

# Logins: the system's passwords through PAM (the hub's default). Whoever is in the group ${s.group} may log in,
# so \`npm run class -- add NAME\` and \`remove NAME\` need no restart; the teacher is the hub's admin.
c.JupyterHub.authenticator_class = 'pam'
c.LocalAuthenticator.allowed_groups = ${py(new Set([s.group]))}
c.Authenticator.admin_users = ${py(new Set([s.teacher]))}
# The class command's own way in while the hub runs (\`remove\` ends a student's sessions and server): a service
# whose token is in the run folder, readable by root alone, allowed to manage users and their servers only.
c.JupyterHub.services = [{"name": "charrnn-class", "api_token": open(${py(s.serviceTokenFile)}).read().strip()}]
c.JupyterHub.load_roles = [{"name": "charrnn-class", "scopes": ["admin:users", "admin:servers"], "services": ["charrnn-class"]}]

# Each student's server: our JupyterLab with our kernel only (installed system-wide in /usr/local/share/jupyter),
# started by the local spawner as that student, in their home, on the course's folder.
${
  s.systemd
    ? `# systemd runs here: each server in its own scope with the limits below, started as root by systemd-run,
# which switches to the student (--uid), so the spawner does not switch itself.
from jupyterhub.spawner import LocalProcessSpawner


class ScopedSpawner(LocalProcessSpawner):
    def make_preexec_fn(self, name):
        return None  # systemd-run --uid switches to the student

    async def start(self):
        self.cmd = ${py(scope)} + ['--uid', self.user.name] + ${py(serverCmd)}
        return await super().start()


c.JupyterHub.spawner_class = ScopedSpawner`
    : `# No systemd here (it is not process 1): the limits below are honoured by our kernel, not enforced by the system.
c.JupyterHub.spawner_class = 'localprocess'`
}
c.Spawner.notebook_dir = '~'
# Idle culling, jupyter_server's own (the last three arguments): a kernel idle this long is shut down, and a server
# with no kernels and no activity this long stops itself; the notebooks and checkpoints stay in the home.
${serverLines(s, [
  `--MappingKernelManager.cull_idle_timeout=${s.idleSeconds}`,
  `--MappingKernelManager.cull_interval=${Math.max(10, Math.min(300, Math.round(s.idleSeconds / 4)))}`,
  `--ServerApp.shutdown_no_activity_timeout=${s.idleSeconds}`,
])}
# Limits per student. The spawner hands them to the server as MEM_LIMIT and CPU_LIMIT, which server.py turns into
# the kernel's memory cap (CHARRNN_MAX_MEMORY: a run that cannot fit is refused with its estimate) and thread count.
c.Spawner.mem_limit = ${s.memory}
c.Spawner.cpu_limit = ${s.cpus}
# A class logging in at once on a small machine: servers may take a while to come up.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
`;
}

module.exports = { hubConfig, serverLines };
