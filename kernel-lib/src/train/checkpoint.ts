import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import { ModelConfig } from '../model/config';
import { Vocab } from '../text/vocab';

/**
 * Checkpoints: one directory per checkpoint (format in kernel-lib/CHECKPOINT.md).
 *   checkpoint.json   format, version, model config, vocab, training options, history, training state
 *   model.json        TF.js weights manifest of the model weights (tf.io.loadWeights reads it in a browser)
 *   weights.bin       the model weights
 *   train-state.bin   optimizer slots and the hidden state carried between batches (manifest in checkpoint.json)
 * A training run keeps `latest/` and `best/` checkpoints in its checkpoint dir. A directory is written under a
 * temporary name and swapped in by renames, so a crash never leaves a checkpoint that loads wrong.
 */
export const CHECKPOINT_FORMAT = 'charrnn-checkpoint';
export const CHECKPOINT_VERSION = 1;

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
  savedAt: string;
}

export interface Checkpoint {
  dir: string;
  meta: CheckpointMeta;
  model: CharRNN;
  vocab: Vocab;
  /** Optimizer slots and carried state by name, owned by the caller. */
  trainTensors: Record<string, tf.Tensor>;
}

export interface SaveInput {
  model: CharRNN;
  vocab: Vocab;
  training?: Record<string, unknown>;
  history?: History;
  state?: Record<string, unknown>;
  trainTensors?: Record<string, tf.Tensor>;
  backend?: string;
}

async function encode(tensors: Record<string, tf.Tensor>): Promise<{ data: Buffer; specs: tf.io.WeightsManifestEntry[] }> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return { data: Buffer.from(data), specs };
}

function writeFileSynced(file: string, data: string | Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a checkpoint directory at `dir` atomically, replacing any checkpoint there only once the new one is complete. */
export async function saveCheckpoint(dir: string, input: SaveInput): Promise<void> {
  const model = await encode(input.model.params);
  const train = input.trainTensors && Object.keys(input.trainTensors).length ? await encode(input.trainTensors) : undefined;
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
    savedAt: new Date().toISOString(),
  };
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = `${path.resolve(dir)}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  writeFileSynced(path.join(tmp, 'weights.bin'), model.data);
  const manifest = { format: 'charrnn-weights', weightsManifest: [{ paths: ['weights.bin'], weights: model.specs }] };
  writeFileSynced(path.join(tmp, 'model.json'), JSON.stringify(manifest, null, 1));
  if (train) writeFileSynced(path.join(tmp, 'train-state.bin'), train.data);
  writeFileSynced(path.join(tmp, 'checkpoint.json'), JSON.stringify(meta, null, 1));
  // Swap: the old checkpoint moves aside before the new one takes its name; a crash in between leaves
  // `<dir>.old-*`, which loadCheckpoint falls back to.
  const old = `${path.resolve(dir)}.old-${process.pid}`;
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

/** The checkpoint directory that `where` names: itself, its `latest/`, or a swap left half-done by a crash. */
export function resolveCheckpointDir(where: string): string {
  const candidates = [where, path.join(where, 'latest')];
  for (const c of candidates) if (fs.existsSync(path.join(c, 'checkpoint.json'))) return c;
  for (const c of candidates) {
    const parent = path.dirname(path.resolve(c));
    const base = path.basename(c);
    const leftovers = fs.existsSync(parent) ? fs.readdirSync(parent).filter((n) => n.startsWith(`${base}.old-`)) : [];
    for (const n of leftovers) if (fs.existsSync(path.join(parent, n, 'checkpoint.json'))) return path.join(parent, n);
  }
  throw new CharRNNError(`no checkpoint found at ${where} (expected ${path.join(where, 'checkpoint.json')})`);
}

function readJson(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CharRNNError(`cannot read ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
}

function decode(file: string, specs: tf.io.WeightsManifestEntry[]): Record<string, tf.Tensor> {
  const buf = fs.readFileSync(file);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (buf.byteLength !== expected) {
    throw new CharRNNError(`${file} has ${buf.byteLength} bytes, the manifest describes ${expected}`);
  }
  const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return tf.io.decodeWeights(data, specs) as Record<string, tf.Tensor>;
}

/** Reads just checkpoint.json (for `charrnn info`), validating its format. */
export function readCheckpointMeta(where: string): { dir: string; meta: CheckpointMeta } {
  const dir = resolveCheckpointDir(where);
  const meta = readJson(path.join(dir, 'checkpoint.json')) as CheckpointMeta;
  if (meta.format !== CHECKPOINT_FORMAT) throw new CharRNNError(`${dir} is not a charrnn checkpoint`);
  if (meta.version > CHECKPOINT_VERSION) {
    throw new CharRNNError(`${dir} has checkpoint format version ${meta.version}; this charrnn reads up to ${CHECKPOINT_VERSION}`);
  }
  return { dir, meta };
}

/** Loads a checkpoint: model weights, vocab, metadata, and the training tensors when present. */
export function loadCheckpoint(where: string): Checkpoint {
  const { dir, meta } = readCheckpointMeta(where);
  const vocab = Vocab.fromChars(meta.vocab);
  const manifest = readJson(path.join(dir, 'model.json'));
  const group = manifest?.weightsManifest?.[0];
  if (!group) throw new CharRNNError(`${dir}/model.json has no weightsManifest`);
  const weights = decode(path.join(dir, group.paths[0]), group.weights);
  const model = CharRNN.create(meta.model);
  try {
    for (const name of Object.keys(model.params)) {
      const w = weights[name];
      if (!w || w.shape.join() !== model.params[name].shape.join()) {
        throw new CharRNNError(`${dir}: weight ${name} is ${w ? `[${w.shape}]` : 'missing'}, expected [${model.params[name].shape}]`);
      }
      model.params[name].assign(w);
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    Object.values(weights).forEach((t) => t.dispose());
  }
  const trainTensors = meta.trainStateManifest ? decode(path.join(dir, 'train-state.bin'), meta.trainStateManifest) : {};
  return { dir, meta, model, vocab, trainTensors };
}
