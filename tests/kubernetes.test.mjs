// The class on Kubernetes (labextension/app/class/kubernetes/): the image's Dockerfile and the Zero to JupyterHub
// values. No Docker daemon or cluster runs here, so this checks what can be checked without one: the Dockerfile's
// steps name files and commands this project has (`class.js install`, its one project-specific step, runs in
// class.test.mjs's set-up and the hub's install test), the values agree with the image, and, where the chart is at
// hand ($CHARRNN_Z2JH_CHART: a folder with chart 2.0.0's values.yaml and schema.yaml), they validate against its
// schema merged over its defaults, as helm does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'labextension', 'app', 'class', 'kubernetes');
const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
const chart = process.env.CHARRNN_Z2JH_CHART;

function python(script, ...args) {
  const r = spawnSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout + r.stderr };
}

const values = JSON.parse(
  python('import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', path.join(dir, 'config.yaml'))
    .out,
);

test("the Dockerfile's steps name files this project has, and the image starts our server", () => {
  for (const file of [...dockerfile.matchAll(/\bnode ((?:tests|labextension)\/[\w/.-]+)/g)].map((m) => m[1]))
    assert.ok(fs.existsSync(path.join(root, file)), `${file} is in the project`);
  assert.match(dockerfile, /^FROM debian:bookworm$/m);
  assert.match(dockerfile, /class\.js install --run-dir \/opt\/charrnn\/\.class/);
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)[1]);
  assert.deepEqual(cmd, values.singleuser.cmd, "the chart's command is the image's own");
  assert.equal(cmd[1], '/opt/charrnn/labextension/app/server.py');
});

test("the values agree with the image: the course folder, the home, the limits' names", () => {
  const env = /^ENV (.*)$/gm;
  const imageEnv = Object.fromEntries(
    [...dockerfile.matchAll(env)].flatMap((m) =>
      m[1]
        .split(' ')
        .filter((kv) => kv.includes('='))
        .map((kv) => kv.split('=')),
    ),
  );
  assert.equal(values.singleuser.extraEnv.CHARRNN_COURSE_DIR, imageEnv.CHARRNN_COURSE_DIR);
  assert.equal(values.singleuser.storage.homeMountPath, '/home/jovyan');
  assert.match(dockerfile, /useradd --create-home --uid 1000 jovyan/);
  assert.ok(values.singleuser.memory.limit && values.singleuser.cpu.limit, 'limits per student');
  assert.equal(values.cull.enabled, true);
  const gpu = values.singleuser.profileList.find((p) => /GPU/.test(p.display_name));
  assert.equal(gpu.kubespawner_override.extra_resource_limits['nvidia.com/gpu'], '1');
});

test(
  'the values validate against the chart schema over its defaults',
  { skip: !chart && "no chart here: set CHARRNN_Z2JH_CHART to a folder with the chart's values.yaml and schema.yaml" },
  () => {
    const script = `import sys, yaml, jsonschema
def merge(a, b):
    for k, v in b.items():
        a[k] = merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v
    return a
values = merge(yaml.safe_load(open(sys.argv[1] + "/values.yaml")), yaml.safe_load(open(sys.argv[2])))
schema = yaml.safe_load(open(sys.argv[1] + "/schema.yaml"))
errors = list(jsonschema.Draft7Validator(schema).iter_errors(values))
for e in errors: print("/".join(map(str, e.path)), e.message)
sys.exit(1 if errors else 0)`;
    const r = python(script, chart, path.join(dir, 'config.yaml'));
    assert.ok(r.ok, r.out);
  },
);
