import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import { nativeStatus } from '../engine/native/addon';
import { Vocab } from '../text/vocab';
import { saveCheckpoint } from '../train/checkpoint';
import { EnginePath, Job, JobResult, SAMPLE_CONFIGS, TRAIN_CONFIGS, TrainConfig, benchText } from './jobs';
import { PEER_PYTHON, ensurePeer, runPeer } from './peer';

/**
 * `npm run bench`: training and sampling speed of our two paths (the TF.js engine on wasm, data-parallel over the
 * cores; the native BLAS engine) against PyTorch on the same machine, interleaved so that both see the same load.
 * Not a test.
 *   --quick          config a only, shorter timings
 *   --configs a,b    which training configs (default a,b,c)
 *   --rounds N       measure every job N times and keep the best (default 2; 1 with --quick)
 *   --out PATH       where the JSON goes (default kernel-lib/bench/results.json)
 */

const HERE = __dirname; // kernel-lib/dist/bench
const REPO = path.resolve(HERE, '..', '..', '..');
const CHILD = path.join(HERE, 'child.js');

interface Options {
  quick: boolean;
  configs: string[];
  rounds: number;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { quick: false, configs: ['a', 'b', 'c'], rounds: 2, out: path.resolve(REPO, 'kernel-lib', 'bench', 'results.json') };
  let roundsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--configs') opts.configs = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--rounds') [opts.rounds, roundsGiven] = [Number(argv[++i]), true];
    else if (a === '--out') opts.out = path.resolve(argv[++i] ?? '');
    else throw new CharRNNError(`unknown option ${a} (expected --quick, --configs a,b,c, --rounds N, --out PATH)`);
  }
  if (opts.quick && !argv.includes('--configs')) opts.configs = ['a'];
  if (opts.quick && !roundsGiven) opts.rounds = 1;
  const unknown = opts.configs.filter((c) => !TRAIN_CONFIGS.some((t) => t.name === c));
  if (unknown.length) throw new CharRNNError(`unknown config ${unknown.join(', ')} (expected a, b, c)`);
  if (!(opts.rounds >= 1)) throw new CharRNNError('--rounds must be at least 1');
  return opts;
}

function runChild(job: Job): { result?: JobResult; error?: string } {
  const r = spawnSync(process.execPath, [CHILD, JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { error: (r.stderr || 'failed').trim().split('\n').pop() };
  return { result: JSON.parse(r.stdout.trim().split('\n').pop() as string) };
}

/** The best of several runs (the machine is shared: slower runs measure the neighbours, not us). */
function best<T extends { charsPerSec?: number; chars_per_s?: number }>(runs: (T | undefined)[]): T | undefined {
  const speed = (r: T) => r.charsPerSec ?? r.chars_per_s ?? 0;
  return runs.filter((r): r is T => r !== undefined).sort((x, y) => speed(y) - speed(x))[0];
}

const leakFree = (counts: number[]) => counts.every((c) => c === counts[0]);

function machine() {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
}

/** Seconds from starting `charrnn sample` in a fresh process to its first `chars` sampled characters. */
function firstSample(ckpt: string, chars: number, engine: 'native' | 'tfjs'): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const args = [path.join(HERE, '..', 'cli', 'main.js'), 'sample', ckpt, '--length', String(chars), '--engine', engine];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0;
    let done = false;
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      seen += [...s].length;
      if (!done && seen >= chars) {
        done = true;
        resolve((performance.now() - start) / 1000);
      }
    });
    child.stderr.on('data', (s) => (err += s));
    child.on('exit', (code) => done || reject(new Error(`charrnn sample exited ${code}: ${err.trim().split('\n').pop()}`)));
  });
}

const fmt = (v: number | undefined, digits = 0) => (v === undefined ? 'n/a' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ratio = (a?: number, b?: number) => (a !== undefined && b ? a / b : undefined);

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  const build = require(path.join(REPO, 'kernel-lib', 'native', 'build.js')) as { buildNative: (o: object) => { ok: boolean; message: string } };
  log(`bench: ${build.buildNative({ log }).message}`);
  const native = nativeStatus();
  log(`bench: native path: ${native.detail}`);
  const wasm = await initBackend('wasm');
  log(`bench: wasm path: matrix products by ${wasm.matmul}`);
  const peer = ensurePeer(log);
  log(`bench: peer: ${peer.torch ? `PyTorch ${peer.torch} (${PEER_PYTHON})` : peer.missing}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'charrnn-bench-'));
  const text = benchText(REPO, scratch);
  log(`bench: text: ${text.what}`);
  const loadStart = os.loadavg();
  log(`bench: machine: ${machine().cpu}, ${machine().cores} cores, load average ${loadStart.map((l) => l.toFixed(1)).join(' ')}`);

  const paths: EnginePath[] = native.available ? ['native', 'wasm'] : ['wasm'];
  const timing = opts.quick ? { seconds: 2, warmup: 1, minIters: 2 } : { seconds: 8, warmup: 1, minIters: 2 };
  const base = { text: text.file, length: 1000, ...timing };

  // Training: per config and round, peer at 1 thread, our paths, peer at 2 threads (interleaved).
  const train = [];
  for (const name of opts.configs) {
    const c = TRAIN_CONFIGS.find((t) => t.name === name) as TrainConfig;
    const label = `${c.name} ${c.layers}x${c.hidden} B${c.batch} T${c.seq}`;
    const ours: Record<string, (JobResult | undefined)[]> = { native: [], wasm: [] };
    const errors: string[] = [];
    const peerRuns: Record<string, (Record<string, number> | undefined)[]> = { 1: [], 2: [] };
    const peerArgs = ['train', '--text', text.file, '--cell', c.cell, '--layers', `${c.layers}`, '--hidden', `${c.hidden}`, '--batch', `${c.batch}`, '--seq', `${c.seq}`,
      '--seconds', `${timing.seconds}`, '--warmup', `${timing.warmup}`, '--min-iters', `${timing.minIters}`];
    for (let round = 0; round < opts.rounds; round++) {
      for (const step of ['peer1', ...paths, 'peer2']) {
        log(`bench: train ${label}: ${step} (round ${round + 1}/${opts.rounds})`);
        if (step.startsWith('peer')) {
          if (!peer.torch) continue;
          const r = runPeer([...peerArgs, '--threads', step.slice(4)]);
          if (r.error) errors.push(`peer: ${r.error}`);
          peerRuns[step.slice(4)].push(r.result);
        } else {
          const r = runChild({ kind: 'train', path: step as EnginePath, cell: c.cell, layers: c.layers, hidden: c.hidden, batch: c.batch, seq: c.seq, ...base });
          if (r.error) errors.push(`${step}: ${r.error}`);
          ours[step].push(r.result);
        }
      }
    }
    const [n, w] = [best(ours.native), best(ours.wasm)];
    const [p1, p2] = [best(peerRuns[1]), best(peerRuns[2])];
    const peerBest = Math.max(p1?.chars_per_s ?? 0, p2?.chars_per_s ?? 0) || undefined;
    train.push({
      config: label,
      native: n?.charsPerSec, wasm: w?.charsPerSec,
      peer: peerBest, peer1Thread: p1?.chars_per_s, peer2Threads: p2?.chars_per_s,
      ratioNative: ratio(n?.charsPerSec, peerBest), ratioWasm: ratio(w?.charsPerSec, peerBest),
      peakRssMB: { native: n?.peakRssMB, wasm: w?.peakRssMB, peer: Math.max(p1?.peak_rss_mb ?? 0, p2?.peak_rss_mb ?? 0) || undefined },
      noLeak: [...ours.native, ...ours.wasm].every((r) => !r || leakFree(r.tensorCounts)),
      iterations: { native: n?.iters, wasm: w?.iters },
      nativeMsPerIteration: n && (1000 * c.batch * c.seq) / n.charsPerSec,
      weightReadMs: n?.weightReadMs,
      ...(errors.length ? { errors } : {}),
    });
  }

  // Sampling at batch 1, 1,000 chars.
  const sample = [];
  for (const c of SAMPLE_CONFIGS) {
    const ours: Record<string, (JobResult | undefined)[]> = { native: [], wasm: [] };
    const peerRuns: (Record<string, number> | undefined)[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      log(`bench: sample ${c.name} (round ${round + 1}/${opts.rounds})`);
      for (const threads of peer.torch ? [1, 2] : []) {
        peerRuns.push(runPeer(['sample', '--text', text.file, '--cell', c.cell, '--layers', `${c.layers}`, '--hidden', `${c.hidden}`, '--length', '1000', '--threads', `${threads}`]).result);
      }
      for (const p of paths) ours[p].push(runChild({ kind: 'sample', path: p, cell: c.cell, layers: c.layers, hidden: c.hidden, batch: 1, seq: 1, ...base }).result);
    }
    const [n, w, p] = [best(ours.native), best(ours.wasm), best(peerRuns)];
    sample.push({
      config: `${c.name} batch 1, 1000 chars`,
      native: n?.charsPerSec, wasm: w?.charsPerSec, peer: p?.chars_per_s,
      ratioNative: ratio(n?.charsPerSec, p?.chars_per_s), ratioWasm: ratio(w?.charsPerSec, p?.chars_per_s),
      noLeak: [...ours.native, ...ours.wasm].every((r) => !r || leakFree(r.tensorCounts)),
    });
  }

  // Fresh process to the first 200 sampled chars, with the CLI, from a 2x512 LSTM checkpoint, on each path.
  log('bench: first sample from a checkpoint');
  const vocab = Vocab.fromText(fs.readFileSync(text.file, 'utf8'));
  const model = CharRNN.create({ cell: 'lstm', vocabSize: vocab.size, hiddenSize: 512, numLayers: 2, dropout: 0 });
  const ckpt = path.join(scratch, 'ckpt');
  await saveCheckpoint(ckpt, { model, vocab });
  model.dispose();
  const firstSampleSeconds: Record<string, number> = {};
  for (const p of paths) {
    const engine = p === 'native' ? 'native' : 'tfjs';
    const times: number[] = [];
    for (let round = 0; round < Math.max(2, opts.rounds); round++) times.push(await firstSample(ckpt, 200, engine));
    firstSampleSeconds[p] = Math.min(...times);
  }
  fs.rmSync(scratch, { recursive: true, force: true });

  const loadEnd = os.loadavg();
  const results = {
    date: new Date().toISOString(),
    machine: { ...machine(), loadAverageStart: loadStart, loadAverageEnd: loadEnd },
    native: native.detail,
    wasmMatmul: wasm.matmul,
    peer: peer.torch ? `PyTorch ${peer.torch}, ${PEER_PYTHON}, best of torch.set_num_threads(1) and (2)` : peer.missing,
    text: text.what,
    mode: opts.quick ? 'quick' : 'full',
    rounds: opts.rounds,
    train,
    sample,
    firstSampleSeconds,
    firstSampleNote: 'charrnn sample CKPT --length 200 --engine native|tfjs from a 2x512 LSTM checkpoint; fresh node process, best of 2',
    tensors: tf.memory().numTensors,
  };

  const rows: string[][] = [['workload', 'ours native', 'ours wasm', 'peer', 'native/peer', 'wasm/peer']];
  for (const r of [...train.map((t) => ({ ...t, config: `train ${t.config}` })), ...sample.map((s) => ({ ...s, config: `sample ${s.config}` }))]) {
    rows.push([r.config, fmt(r.native), fmt(r.wasm), fmt(r.peer), fmt(r.ratioNative, 2), fmt(r.ratioWasm, 2)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  log('');
  log(`chars/s; peer = PyTorch ${peer.torch ?? '(missing)'}, best of 1 and 2 threads; best of ${opts.rounds} round(s)`);
  for (const r of rows) log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  for (const t of train) {
    log(`${t.config}: peak RSS native ${fmt(t.peakRssMB.native)} MB, wasm ${fmt(t.peakRssMB.wasm)} MB, peer ${fmt(t.peakRssMB.peer)} MB; tensors leak-free: ${t.noLeak}; ` +
      `reading the weights from TF.js ${fmt(t.weightReadMs, 1)} ms of a ${fmt(t.nativeMsPerIteration)} ms native iteration`);
  }
  log(`first 200 sampled chars from a 2x512 checkpoint, fresh process: ${Object.entries(firstSampleSeconds).map(([p, t]) => `${p} ${t.toFixed(2)} s`).join(', ')}`);
  log(`machine: ${results.machine.cpu}, ${results.machine.cores} cores; load average ${loadStart[0].toFixed(1)} at start, ${loadEnd[0].toFixed(1)} at end`);
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(results, null, 1) + '\n');
  log(`wrote ${opts.out}`);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
