import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import { requireBackend } from '../model/cell';
import { checkConfig, ModelConfig, paramCount, paramShapes } from '../model/config';
import { writeAll } from '../text/atomic';
import { encodeFloat16 } from './float16';
import { Vocab } from '../text/vocab';

/**
 * Checkpoints: one directory per checkpoint (format in kernel-lib/CHECKPOINT.md).
 *   checkpoint.json   format, version, model config, vocab, training options, history, training state
 *   model.json        TF.js weights manifest of the model weights (tf.io.loadWeights reads it in a browser)
 *   weights.bin       the model weights
 *   train-state.bin   optimizer slots and the hidden state carried between batches (manifest in checkpoint.json)
 * A training run keeps `latest/` and `best/` checkpoints in its checkpoint dir. A directory is written under a
 * temporary name and swapped in by renames, so a crash never leaves a checkpoint that loads wrong; checkpoint.json
 * records the sha256 of each .bin file, and everything is checked on load before anything is allocated.
 */
export const CHECKPOINT_FORMAT = 'charrnn-checkpoint';
/** 2 added `sha256`; version 1 checkpoints (without it) still load, unverified. */
export const CHECKPOINT_VERSION = 2;
/** More iterations than any run makes: a larger state.iter means a damaged checkpoint.json. */
const MAX_ITER = 1e9;

export interface History {
  /** [iteration, train loss in nats] per logged iteration. */
  train: [number, number][];
  /** [iteration, validation loss in nats] per evaluation. */
  val: [number, number][];
}

export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  model: ModelConfig;
  vocab: string[];
  /** The options the run was started with (see TrainOptions). */
  training?: Record<string, unknown>;
  history: History;
  /** Where training stands, for exact resume. */
  state?: Record<string, unknown>;
  /** Weights manifest of train-state.bin. */
  trainStateManifest?: tf.io.WeightsManifestEntry[];
  backend?: string;
  /** The engine and what it ran on, as its describe() says: "WebGPU engine on nvidia hopper (NVIDIA H200)". */
  engine?: string;
  savedAt: string;
  /** sha256 (hex) of each .bin file by name; since version 2. */
  sha256?: Record<string, string>;
}

export interface Checkpoint {
  dir: string;
  meta: CheckpointMeta;
  model: CharRNN;
  vocab: Vocab;
  /** Optimizer slots and carried state by name, owned by the caller. */
  trainTensors: Record<string, tf.Tensor>;
  /** Set when a crash had interrupted a save at the place asked for: says which copy was loaded instead. */
  recovered?: string;
}

export interface SaveInput {
  model: CharRNN;
  vocab: Vocab;
  training?: Record<string, unknown>;
  history?: History;
  state?: Record<string, unknown>;
  trainTensors?: Record<string, tf.Tensor>;
  backend?: string;
  engine?: string;
  /** 'float16' stores the model weights at half the size (the pretrained models); default float32. */
  weightsDtype?: 'float32' | 'float16';
}

async function encode(
  tensors: Record<string, tf.Tensor>,
): Promise<{ data: Buffer; specs: tf.io.WeightsManifestEntry[] }> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return { data: Buffer.from(data), specs };
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Writes all of `data` (writeAll loops: one write may take less than asked) and syncs it to disk. */
function writeFileSynced(file: string, data: Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    writeAll(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes the renames in `dir` durable. Where folders cannot be opened or synced (Windows, some filesystems) there is nothing to do. */
function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch {
    // EINVAL / EPERM: this filesystem does not sync folders.
  } finally {
    fs.closeSync(fd);
  }
}

/** "no space left on device (ENOSPC)" from a Node error, for one-line messages. */
function cause(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (!err?.code) return String(err?.message ?? err);
  return `${err.message.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '')} (${err.code})`;
}

/** `<dir>.old-<pid>` and `<dir>.tmp-<pid>`: what saves interrupted by a crash leave beside `dir`. */
function leftovers(dir: string): string[] {
  const parent = path.dirname(dir);
  const base = path.basename(path.resolve(dir));
  if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory()) return [];
  const pattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(old|tmp)-\\d+$`);
  return fs
    .readdirSync(parent)
    .filter((n) => pattern.test(n))
    .map((n) => path.join(parent, n));
}

/**
 * Checks, before a run's first step, that checkpoints can be written in `dir`: creates it when missing and writes a
 * probe file, so a read-only, non-creatable or file path is refused now rather than at the first save.
 */
export function checkCheckpointDir(dir: string): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new CharRNNError(`the checkpoint folder ${dir} is a file; choose another --checkpoint-dir`);
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (e) {
    throw new CharRNNError(`cannot write checkpoints in ${dir}: ${cause(e)}; choose another --checkpoint-dir`);
  }
}

/**
 * Writes a checkpoint directory at `dir` atomically, replacing any checkpoint there only once the new one is
 * complete. When a save fails (a full disk, a read-only filesystem) its partial files are removed, the previous
 * checkpoint stays as it was, and the error is one line naming the folder and the cause.
 */
export async function saveCheckpoint(dir: string, input: SaveInput): Promise<void> {
  const model = input.weightsDtype === 'float16' ? encodeFloat16(input.model.params) : await encode(input.model.params);
  const train =
    input.trainTensors && Object.keys(input.trainTensors).length ? await encode(input.trainTensors) : undefined;
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: input.model.config,
    vocab: input.vocab.toJSON(),
    training: input.training,
    history: input.history ?? { train: [], val: [] },
    state: input.state,
    trainStateManifest: train?.specs,
    backend: input.backend,
    engine: input.engine,
    savedAt: new Date().toISOString(),
    sha256: { 'weights.bin': sha256(model.data), ...(train ? { 'train-state.bin': sha256(train.data) } : {}) },
  };
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const tmp = `${target}.tmp-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  try {
    fs.mkdirSync(parent, { recursive: true });
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp);
    writeFileSynced(path.join(tmp, 'weights.bin'), model.data);
    const manifest = { format: 'charrnn-weights', weightsManifest: [{ paths: ['weights.bin'], weights: model.specs }] };
    writeFileSynced(path.join(tmp, 'model.json'), Buffer.from(JSON.stringify(manifest, null, 1)));
    if (train) writeFileSynced(path.join(tmp, 'train-state.bin'), train.data);
    // checkpoint.json last: a copy holding it is complete.
    writeFileSynced(path.join(tmp, 'checkpoint.json'), Buffer.from(JSON.stringify(meta, null, 1)));
    syncDir(tmp);
    // Swap: the old checkpoint moves aside before the new one takes its name; a crash in between leaves
    // `<dir>.old-*` and `<dir>.tmp-*`, and readers take the newest complete one. (A copy already at `old` was left
    // by an earlier crash of a process with this pid; `target` is complete, so it can go.)
    if (fs.existsSync(target)) {
      fs.rmSync(old, { recursive: true, force: true });
      fs.renameSync(target, old);
    }
    fs.renameSync(tmp, target);
    syncDir(parent);
  } catch (e) {
    // No partial files left behind (they would keep a full disk full), the previous checkpoint back in its place.
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(target) && fs.existsSync(old)) fs.renameSync(old, target);
    } catch {
      // Readers still find the previous checkpoint under `<dir>.old-*`.
    }
    throw new CharRNNError(`cannot save the checkpoint ${dir}: ${cause(e)}`);
  }
  // A good checkpoint is in place: the copies of this and earlier interrupted saves are of no more use.
  for (const d of leftovers(target)) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      // The next save tries again.
    }
  }
}

function readJson(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file is missing' : (e as Error).message.split('\n')[0];
    throw new CharRNNError(`cannot read ${file}: ${why}`);
  }
}

/** Validates a parsed checkpoint.json: every field a reader relies on, with one line naming the first bad one. */
function checkMeta(file: string, m: any): CheckpointMeta {
  const bad = (what: string) => new CharRNNError(`${file}: ${what}`);
  if (m === null || typeof m !== 'object' || m.format !== CHECKPOINT_FORMAT) {
    throw bad(`not a charrnn checkpoint (expected "format": "${CHECKPOINT_FORMAT}")`);
  }
  if (Number.isInteger(m.version) && m.version > CHECKPOINT_VERSION) {
    throw bad(
      `format version ${m.version} is newer than this charrnn reads (1 to ${CHECKPOINT_VERSION}); update charrnn`,
    );
  }
  if (!Number.isInteger(m.version) || m.version < 1) {
    throw bad(`format version ${JSON.stringify(m.version)} is not one charrnn writes (1 to ${CHECKPOINT_VERSION})`);
  }
  if (m.model === null || typeof m.model !== 'object') throw bad('no "model" config');
  try {
    checkConfig(m.model);
    Vocab.fromChars(m.vocab);
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (m.vocab.length !== m.model.vocabSize) {
    throw bad(`the vocabulary has ${m.vocab.length} chars but model.vocabSize is ${m.model.vocabSize}`);
  }
  if (!Array.isArray(m.history?.train) || !Array.isArray(m.history?.val))
    throw bad('"history" must be {"train": [...], "val": [...]}');
  if (m.state !== undefined) {
    const iter = m.state?.iter;
    if (!(Number.isSafeInteger(iter) && iter >= 0 && iter <= MAX_ITER)) {
      throw bad(`state.iter ${JSON.stringify(iter)} is not an iteration count (0 to ${MAX_ITER})`);
    }
  }
  if (m.trainStateManifest !== undefined && !Array.isArray(m.trainStateManifest))
    throw bad('"trainStateManifest" must be a list');
  if (m.version >= 2) {
    for (const name of ['weights.bin', ...(m.trainStateManifest ? ['train-state.bin'] : [])]) {
      if (!/^[0-9a-f]{64}$/.test(m.sha256?.[name])) throw bad(`no sha256 recorded for ${name}`);
    }
  }
  return m;
}

/**
 * The bytes of a weights file of checkpoint `dir`, checked against its manifest entries and the sha256 recorded at
 * save: the name must stay inside `dir`, every entry be float32 (stored as is or as float16), the size match.
 */
function readWeightsFile(dir: string, name: unknown, specs: unknown, meta: CheckpointMeta): ArrayBuffer {
  const inside =
    typeof name === 'string' && !path.isAbsolute(name) && !path.relative(dir, path.resolve(dir, name)).startsWith('..');
  if (!inside || path.resolve(dir, name) === path.resolve(dir)) {
    throw new CharRNNError(`${dir}: weights file ${JSON.stringify(name)} is outside the checkpoint folder`);
  }
  const file = path.join(dir, name);
  if (!Array.isArray(specs)) throw new CharRNNError(`${dir}: no manifest of ${name}`);
  for (const s of specs as tf.io.WeightsManifestEntry[]) {
    if (
      typeof s?.name !== 'string' ||
      !Array.isArray(s.shape) ||
      !s.shape.every((d) => Number.isSafeInteger(d) && d >= 0)
    ) {
      throw new CharRNNError(`${dir}: bad manifest entry for ${name}: ${JSON.stringify(s).slice(0, 80)}`);
    }
    const stored = s.quantization?.dtype ?? s.dtype;
    if (s.dtype !== 'float32' || !['float32', 'float16'].includes(stored)) {
      throw new CharRNNError(
        `${dir}: weight ${s.name} is stored as ${stored}; charrnn checkpoints hold float32 (stored as float32 or float16)`,
      );
    }
  }
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new CharRNNError(
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${file} is missing` : `cannot read ${file}: ${cause(e)}`,
    );
  }
  const bytesPer = (s: tf.io.WeightsManifestEntry) => (s.quantization ? 2 : 4);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a: number, b: number) => a * b, 1) * bytesPer(s), 0);
  if (buf.byteLength !== expected) {
    throw new CharRNNError(`${file} has ${buf.byteLength} bytes, the manifest describes ${expected}`);
  }
  if (meta.sha256 && sha256(buf) !== meta.sha256[name]) {
    throw new CharRNNError(`${file} is damaged: its sha256 differs from the one recorded in checkpoint.json`);
  }
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}

/** The tensors of a weights file of checkpoint `dir` (see readWeightsFile), every value finite. */
function readWeights(
  dir: string,
  name: string,
  specs: tf.io.WeightsManifestEntry[],
  meta: CheckpointMeta,
): Record<string, tf.Tensor> {
  requireBackend();
  const tensors = tf.io.decodeWeights(readWeightsFile(dir, name, specs, meta), specs) as Record<string, tf.Tensor>;
  const bad = Object.values(tensors).reduce(
    (n, t) => n + (t.dataSync() as Float32Array).filter((v) => !Number.isFinite(v)).length,
    0,
  );
  if (bad > 0) {
    tf.dispose(Object.values(tensors));
    throw new CharRNNError(
      `${path.join(dir, name)} holds ${bad} NaN or infinite values (the run had diverged when it was saved); it cannot be used`,
    );
  }
  return tensors;
}

/** Refuses, before anything is allocated, a model whose weights cannot fit: loading holds them three times over. */
function checkFits(dir: string, c: ModelConfig): void {
  const bytes = 3 * 4 * paramCount(c);
  const gb = (n: number) => `${(n / 1e9).toLocaleString('en-US', { maximumSignificantDigits: 3 })} GB`;
  if (bytes > os.totalmem()) {
    const weights = (paramCount(c) / 1e6).toLocaleString('en-US', { maximumSignificantDigits: 3 });
    throw new CharRNNError(
      `${dir}: its model (${c.numLayers} x ${c.hiddenSize} ${c.cell}, ${weights} million weights) needs about ` +
        `${gb(bytes)} of memory to load, more than this machine's ${gb(os.totalmem())}`,
    );
  }
}

/** Model weights' names and shapes in model.json against those the config implies, before any file is read. */
function checkShapes(dir: string, specs: tf.io.WeightsManifestEntry[], c: ModelConfig): void {
  const expected = paramShapes(c);
  const found = new Map(specs.map((s) => [s.name, s.shape]));
  for (const [name, shape] of Object.entries(expected)) {
    const got = found.get(name);
    if (got?.join() !== shape.join()) {
      const what = `${c.numLayers} x ${c.hiddenSize} ${c.cell}, vocab ${c.vocabSize}`;
      throw new CharRNNError(
        `${dir}: weight ${name} is ${got ? `[${got}]` : 'missing'} in model.json, but checkpoint.json's model (${what}) needs [${shape}]`,
      );
    }
  }
  const extra = specs.find((s) => !(s.name in expected));
  if (extra)
    throw new CharRNNError(`${dir}: model.json has a weight ${extra.name} that checkpoint.json's model does not`);
}

function readMeta(dir: string): CheckpointMeta {
  const file = path.join(dir, 'checkpoint.json');
  return checkMeta(file, readJson(file));
}

const iterOf = (meta: CheckpointMeta) => (meta.state?.iter as number | undefined) ?? 0;

/**
 * The checkpoint that `where` names: itself or its `latest/`. When a crash interrupted a save there between its two
 * renames, the folder is missing and copies lie beside it: the newest complete one, by the iteration recorded in it,
 * is taken, and `recovered` says so.
 */
function findCheckpoint(where: string): { dir: string; meta: CheckpointMeta; recovered?: string } {
  if (fs.existsSync(where) && !fs.statSync(where).isDirectory()) {
    throw new CharRNNError(`${where} is a file; a checkpoint is a folder holding checkpoint.json`);
  }
  for (const dir of [where, path.join(where, 'latest')]) {
    if (fs.existsSync(path.join(dir, 'checkpoint.json'))) return { dir, meta: readMeta(dir) };
    const complete = leftovers(dir).flatMap((copy) => {
      try {
        const meta = readMeta(copy);
        const manifest = readJson(path.join(copy, 'model.json'));
        const group = manifest?.weightsManifest?.[0];
        readWeightsFile(copy, group?.paths?.[0], group?.weights, meta);
        if (meta.trainStateManifest) readWeightsFile(copy, 'train-state.bin', meta.trainStateManifest, meta);
        return [{ dir: copy, meta }];
      } catch {
        return [];
      }
    });
    const newest = complete.sort((a, b) => iterOf(b.meta) - iterOf(a.meta))[0];
    if (newest) {
      const recovered = `${dir} was left half-saved by a crash; using ${newest.dir}, the newest complete copy (iteration ${iterOf(newest.meta)})`;
      return { ...newest, recovered };
    }
  }
  throw new CharRNNError(`no checkpoint found at ${where} (expected ${path.join(where, 'checkpoint.json')})`);
}

/** The checkpoint directory that `where` names: itself, its `latest/`, or a copy left by a crash mid-save. */
export function resolveCheckpointDir(where: string): string {
  return findCheckpoint(where).dir;
}

/** Reads just checkpoint.json (for `charrnn info`), validated; `recovered` as in Checkpoint. */
export function readCheckpointMeta(where: string): { dir: string; meta: CheckpointMeta; recovered?: string } {
  return findCheckpoint(where);
}

/**
 * Loads a checkpoint: model weights, vocab, metadata, and the training tensors when present. Everything is checked
 * (format, config, shapes, sizes, sha256, memory needed) before the model is allocated.
 */
export function loadCheckpoint(where: string): Checkpoint {
  const { dir, meta, recovered } = findCheckpoint(where);
  checkFits(dir, meta.model);
  const vocab = Vocab.fromChars(meta.vocab);
  const manifest = readJson(path.join(dir, 'model.json'));
  const group = manifest?.weightsManifest?.[0];
  if (!Array.isArray(group?.paths) || group.paths.length !== 1 || !Array.isArray(group.weights)) {
    throw new CharRNNError(`${dir}/model.json must list one weights file and its weights`);
  }
  checkShapes(dir, group.weights, meta.model);
  const weights = readWeights(dir, group.paths[0], group.weights, meta);
  let trainTensors: Record<string, tf.Tensor> = {};
  try {
    if (meta.trainStateManifest) trainTensors = readWeights(dir, 'train-state.bin', meta.trainStateManifest, meta);
  } catch (e) {
    tf.dispose(Object.values(weights));
    throw e;
  }
  const model = CharRNN.create(meta.model);
  for (const name of Object.keys(model.params)) model.params[name].assign(weights[name]);
  tf.dispose(Object.values(weights));
  return { dir, meta, model, vocab, trainTensors, recovered };
}
