import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { CharRNN } from '../model/charrnn';
import { describeGpu, probeGpu } from '../engine/webgpu/device';
import { nativeStatus } from '../engine/native/addon';
import { Vocab } from '../text/vocab';
import { saveCheckpoint } from '../train/checkpoint';
import {
  EPOCH_CONFIG,
  EnginePath,
  GPU_SAMPLE_STREAMS,
  GPU_TRAIN_CONFIGS,
  Job,
  JobResult,
  SAMPLE_CONFIGS,
  TRAIN_CONFIGS,
  TrainConfig,
  benchText,
  warAndPeace,
} from './jobs';
import { PEER_PYTHON, cudaPeer, ensurePeer, runPeer } from './peer';

/**
 * `npm run bench`: training and sampling speed of our paths (the TF.js engine on wasm, data-parallel over the
 * cores; the native BLAS engine; the WebGPU engine on a hardware GPU) against PyTorch on the same machine,
 * interleaved so that both see the same load. Not a test.
 * GPU rows: WebGPU runs on whatever adapter is present, named in the output. A software one (SwiftShader, llvmpipe)
 * gets a correctness check only (one batch against the TF.js engine), no speed figures. Where PyTorch has CUDA the
 * peer also runs on the GPU (cuDNN's nn.LSTM), and with a hardware adapter the GPU-only workloads run too (config d,
 * B 512, and one epoch of War and Peace with 3x512), with the issue's ratios.
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
  const opts: Options = {
    quick: false,
    configs: ['a', 'b', 'c'],
    rounds: 2,
    out: path.resolve(REPO, 'kernel-lib', 'bench', 'results.json'),
  };
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
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

/** Seconds from starting `charrnn sample` in a fresh process to its first `chars` sampled characters. */
function firstSample(ckpt: string, chars: number, engine: 'native' | 'tfjs' | 'webgpu'): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const args = [
      path.join(HERE, '..', 'cli', 'main.js'),
      'sample',
      ckpt,
      '--length',
      String(chars),
      '--engine',
      engine,
    ];
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
    child.on(
      'exit',
      (code) => done || reject(new Error(`charrnn sample exited ${code}: ${err.trim().split('\n').pop()}`)),
    );
  });
}

const fmt = (v: number | undefined, digits = 0) =>
  v === undefined ? 'n/a' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a?: number, b?: number) => (a !== undefined && b ? a / b : undefined);

type Timing = { seconds: number; warmup: number; minIters: number };
type Peer = Record<string, number> | undefined;

/**
 * On a software adapter (or none): one batch of a small model on WebGPU against the TF.js engine, and a few
 * sampling steps of 4 streams: correctness only, no speed figures (a CPU emulation of a GPU says nothing of one).
 */
function gpuCheck(text: string, log: (line: string) => void) {
  log('bench: WebGPU correctness check (software adapter)');
  const r = runChild({
    kind: 'check',
    path: 'webgpu',
    text,
    cell: 'lstm',
    layers: 2,
    hidden: 32,
    batch: 4,
    seq: 16,
    seconds: 0,
    warmup: 0,
    minIters: 1,
    length: 8,
    streams: 4,
  });
  const what =
    'WebGPU: correctness only (no hardware adapter; a software one says nothing of GPU speed): 2x32 LSTM, B 4, T 16';
  const line = r.result?.check
    ? `${what} on ${r.result.adapter}: loss differs from the TF.js engine's by ${r.result.check.loss.toExponential(1)}, gradients by ${r.result.check.grads.toExponential(1)} of their scale, sampling logits (4 streams) by ${r.result.check.logits.toExponential(1)}`
    : `${what}: not run (${r.error})`;
  return {
    mode: 'correctness only: no hardware adapter, no speed figures',
    adapter: r.result?.adapter,
    check: r.result?.check,
    error: r.error,
    lines: [line],
  };
}

/**
 * On a hardware adapter: the GPU-only workloads (config d, one epoch of War and Peace) on WebGPU and, where torch
 * has CUDA, cuDNN; sampling 256 streams at once on both; the issue's targets as ratios from this one run.
 */
async function gpuRows(
  opts: Options,
  timing: Timing,
  base: { text: string; length: number } & Timing,
  cuda: { gpu?: string },
  log: (line: string) => void,
) {
  const rows: {
    workload: string;
    webgpu?: number;
    cudnn?: number;
    ratio?: number;
    adapter?: string;
    errors: string[];
  }[] = [];
  const measure = async (workload: string, job: Job, peerArgs: string[]) => {
    const errors: string[] = [];
    const ours: (JobResult | undefined)[] = [];
    const peers: Peer[] = [];
    for (let round = 0; round < (job.epochs ? 1 : opts.rounds); round++) {
      log(`bench: ${workload} (round ${round + 1})`);
      const r = runChild(job);
      if (r.error) errors.push(`webgpu: ${r.error}`);
      ours.push(r.result);
      if (!cuda.gpu) continue;
      const p = runPeer([...peerArgs, '--device', 'cuda']);
      if (p.error) errors.push(`cuDNN: ${p.error}`);
      peers.push(p.result);
    }
    const [g, p] = [best(ours), best(peers)];
    rows.push({
      workload,
      webgpu: g?.charsPerSec,
      cudnn: p?.chars_per_s,
      ratio: ratio(g?.charsPerSec, p?.chars_per_s),
      adapter: g?.adapter,
      errors,
    });
  };
  const shape = (c: Pick<TrainConfig, 'cell' | 'layers' | 'hidden'>) => [
    '--cell',
    c.cell,
    '--layers',
    `${c.layers}`,
    '--hidden',
    `${c.hidden}`,
  ];
  const trainJob = (c: TrainConfig, text: string, epochs = 0): Job => ({
    kind: 'train',
    path: 'webgpu',
    cell: c.cell,
    layers: c.layers,
    hidden: c.hidden,
    batch: c.batch,
    seq: c.seq,
    ...base,
    text,
    epochs,
  });
  const peerTrain = (c: TrainConfig, text: string, epochs = 0) => [
    'train',
    '--text',
    text,
    ...shape(c),
    '--batch',
    `${c.batch}`,
    '--seq',
    `${c.seq}`,
    '--seconds',
    `${timing.seconds}`,
    '--warmup',
    `${timing.warmup}`,
    '--min-iters',
    `${timing.minIters}`,
    '--epochs',
    `${epochs}`,
  ];
  for (const c of GPU_TRAIN_CONFIGS)
    await measure(
      `train ${c.name} ${c.layers}x${c.hidden} B${c.batch} T${c.seq}`,
      trainJob(c, base.text),
      peerTrain(c, base.text),
    );
  const wp = warAndPeace(REPO);
  if (wp)
    await measure(
      `train one epoch of War and Peace, ${EPOCH_CONFIG.layers}x${EPOCH_CONFIG.hidden} B${EPOCH_CONFIG.batch} T${EPOCH_CONFIG.seq}`,
      trainJob(EPOCH_CONFIG, wp, 1),
      peerTrain(EPOCH_CONFIG, wp, 1),
    );
  const s = SAMPLE_CONFIGS[SAMPLE_CONFIGS.length - 1];
  await measure(
    `sample ${s.name}, ${GPU_SAMPLE_STREAMS} streams at once, 1000 chars each`,
    {
      kind: 'sample',
      path: 'webgpu',
      cell: s.cell,
      layers: s.layers,
      hidden: s.hidden,
      batch: GPU_SAMPLE_STREAMS,
      seq: 1,
      ...base,
      streams: GPU_SAMPLE_STREAMS,
    },
    ['sample', '--text', base.text, ...shape(s), '--length', '1000', '--streams', `${GPU_SAMPLE_STREAMS}`],
  );
  const adapter = rows.find((r) => r.adapter)?.adapter;
  const lines = [
    `WebGPU on ${adapter ?? 'the hardware adapter'} against PyTorch cuDNN ${cuda.gpu ? `on ${cuda.gpu}` : '(skipped: no CUDA in this torch)'}, chars/s:`,
    ...rows.map(
      (r) =>
        `  ${r.workload}: webgpu ${fmt(r.webgpu)}, cuDNN ${fmt(r.cudnn)}, ratio ${fmt(r.ratio, 2)}${r.errors.length ? ` (${r.errors.join('; ')})` : ''}`,
    ),
  ];
  return { mode: 'timed', adapter, rows, lines };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  const build = require(path.join(REPO, 'kernel-lib', 'native', 'build.js')) as {
    buildNative: (o: object) => { ok: boolean; message: string };
  };
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
  const cuda = peer.torch ? cudaPeer() : { why: 'no PyTorch' };
  log(`bench: CUDA peer: ${cuda.gpu ? `cuDNN ${cuda.cudnn} on ${cuda.gpu}` : `skipped (${cuda.why})`}`);
  const probe = await probeGpu();
  const hardware = probe.adapter && !probe.adapter.software ? probe.adapter : undefined;
  log(
    `bench: WebGPU: ${hardware ? `timed on ${describeGpu(hardware)}` : `no hardware adapter (${probe.adapter ? describeGpu(probe.adapter) : probe.why}): a correctness check on a software adapter if there is one, no speed figures`}`,
  );
  const loadStart = os.loadavg();
  log(
    `bench: machine: ${machine().cpu}, ${machine().cores} cores, load average ${loadStart.map((l) => l.toFixed(1)).join(' ')}`,
  );

  const paths: EnginePath[] = [
    ...(native.available ? ['native' as const] : []),
    'wasm',
    ...(hardware ? ['webgpu' as const] : []),
  ];
  const timing = opts.quick ? { seconds: 2, warmup: 1, minIters: 2 } : { seconds: 8, warmup: 1, minIters: 2 };
  const base = { text: text.file, length: 1000, ...timing };

  // Training: per config and round, peer at 1 thread, our paths, peer at 2 threads (interleaved).
  const train = [];
  for (const name of opts.configs) {
    const c = TRAIN_CONFIGS.find((t) => t.name === name) as TrainConfig;
    const label = `${c.name} ${c.layers}x${c.hidden} B${c.batch} T${c.seq}`;
    const ours: Record<string, (JobResult | undefined)[]> = { native: [], wasm: [], webgpu: [] };
    const errors: string[] = [];
    const peerRuns: Record<string, (Record<string, number> | undefined)[]> = { 1: [], 2: [], cuda: [] };
    const peerArgs = [
      'train',
      '--text',
      text.file,
      '--cell',
      c.cell,
      '--layers',
      `${c.layers}`,
      '--hidden',
      `${c.hidden}`,
      '--batch',
      `${c.batch}`,
      '--seq',
      `${c.seq}`,
      '--seconds',
      `${timing.seconds}`,
      '--warmup',
      `${timing.warmup}`,
      '--min-iters',
      `${timing.minIters}`,
    ];
    for (let round = 0; round < opts.rounds; round++) {
      for (const step of ['peer1', ...paths, 'peer2', ...(cuda.gpu ? ['peercuda'] : [])]) {
        log(`bench: train ${label}: ${step} (round ${round + 1}/${opts.rounds})`);
        if (step.startsWith('peer')) {
          if (!peer.torch) continue;
          const r = runPeer([
            ...peerArgs,
            ...(step === 'peercuda' ? ['--device', 'cuda'] : ['--threads', step.slice(4)]),
          ]);
          if (r.error) errors.push(`peer: ${r.error}`);
          peerRuns[step.slice(4)].push(r.result);
        } else {
          const r = runChild({
            kind: 'train',
            path: step as EnginePath,
            cell: c.cell,
            layers: c.layers,
            hidden: c.hidden,
            batch: c.batch,
            seq: c.seq,
            ...base,
          });
          if (r.error) errors.push(`${step}: ${r.error}`);
          ours[step].push(r.result);
        }
      }
    }
    const [n, w, g] = [best(ours.native), best(ours.wasm), best(ours.webgpu)];
    const [p1, p2, pc] = [best(peerRuns[1]), best(peerRuns[2]), best(peerRuns.cuda)];
    const peerBest = Math.max(p1?.chars_per_s ?? 0, p2?.chars_per_s ?? 0) || undefined;
    train.push({
      config: label,
      native: n?.charsPerSec,
      wasm: w?.charsPerSec,
      webgpu: g?.charsPerSec,
      peer: peerBest,
      peer1Thread: p1?.chars_per_s,
      peer2Threads: p2?.chars_per_s,
      peerCuda: pc?.chars_per_s,
      ratioNative: ratio(n?.charsPerSec, peerBest),
      ratioWasm: ratio(w?.charsPerSec, peerBest),
      ratioWebgpuCuda: ratio(g?.charsPerSec, pc?.chars_per_s),
      ratioWebgpuCpu: ratio(g?.charsPerSec, peerBest),
      peakRssMB: {
        native: n?.peakRssMB,
        wasm: w?.peakRssMB,
        peer: Math.max(p1?.peak_rss_mb ?? 0, p2?.peak_rss_mb ?? 0) || undefined,
      },
      noLeak: [...ours.native, ...ours.wasm, ...ours.webgpu].every((r) => !r || leakFree(r.tensorCounts)),
      iterations: { native: n?.iters, wasm: w?.iters, webgpu: g?.iters },
      nativeMsPerIteration: n && (1000 * c.batch * c.seq) / n.charsPerSec,
      weightReadMs: n?.weightReadMs,
      ...(errors.length ? { errors } : {}),
    });
  }

  // Sampling at batch 1, 1,000 chars.
  const sample = [];
  for (const c of SAMPLE_CONFIGS) {
    const ours: Record<string, (JobResult | undefined)[]> = { native: [], wasm: [], webgpu: [] };
    const peerRuns: (Record<string, number> | undefined)[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      log(`bench: sample ${c.name} (round ${round + 1}/${opts.rounds})`);
      for (const threads of peer.torch ? [1, 2] : []) {
        peerRuns.push(
          runPeer([
            'sample',
            '--text',
            text.file,
            '--cell',
            c.cell,
            '--layers',
            `${c.layers}`,
            '--hidden',
            `${c.hidden}`,
            '--length',
            '1000',
            '--threads',
            `${threads}`,
          ]).result,
        );
      }
      for (const p of paths)
        ours[p].push(
          runChild({
            kind: 'sample',
            path: p,
            cell: c.cell,
            layers: c.layers,
            hidden: c.hidden,
            batch: 1,
            seq: 1,
            ...base,
          }).result,
        );
    }
    const [n, w, g, p] = [best(ours.native), best(ours.wasm), best(ours.webgpu), best(peerRuns)];
    sample.push({
      config: `${c.name} batch 1, 1000 chars`,
      native: n?.charsPerSec,
      wasm: w?.charsPerSec,
      webgpu: g?.charsPerSec,
      peer: p?.chars_per_s,
      ratioNative: ratio(n?.charsPerSec, p?.chars_per_s),
      ratioWasm: ratio(w?.charsPerSec, p?.chars_per_s),
      noLeak: [...ours.native, ...ours.wasm, ...ours.webgpu].every((r) => !r || leakFree(r.tensorCounts)),
    });
  }

  // The GPU: timed rows on a hardware adapter against cuDNN, or a correctness check on a software one.
  const gpu = hardware ? await gpuRows(opts, timing, base, cuda, log) : gpuCheck(text.file, log);
  // The issue's GPU targets, as ratios from this run: training config b >= 0.5x cuDNN and >= 20x PyTorch on the CPU;
  // sampling 256 streams >= 1.0x cuDNN.
  const b = train.find((t) => t.config.startsWith('b '));
  const targets = hardware
    ? {
        trainBvsCudnn: b?.ratioWebgpuCuda,
        trainBvsTorchCpu: b?.ratioWebgpuCpu,
        sample256vsCudnn: 'rows' in gpu ? gpu.rows.find((r) => r.workload.startsWith('sample'))?.ratio : undefined,
      }
    : undefined;
  if (targets) {
    gpu.lines.push(
      `targets: train b webgpu/cuDNN ${fmt(targets.trainBvsCudnn, 2)} (>= 0.5), webgpu/PyTorch CPU ${fmt(targets.trainBvsTorchCpu, 1)} (>= 20); ` +
        `sample ${GPU_SAMPLE_STREAMS} streams webgpu/cuDNN ${fmt(targets.sample256vsCudnn, 2)} (>= 1.0)`,
    );
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
    const engine = p === 'wasm' ? 'tfjs' : p;
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
    cudaPeer: cuda.gpu ? `PyTorch ${peer.torch} nn.LSTM (cuDNN ${cuda.cudnn}) on ${cuda.gpu}` : `skipped: ${cuda.why}`,
    gpu: { ...gpu, targets },
    text: text.what,
    mode: opts.quick ? 'quick' : 'full',
    rounds: opts.rounds,
    train,
    sample,
    firstSampleSeconds,
    firstSampleNote:
      'charrnn sample CKPT --length 200 --engine native|tfjs from a 2x512 LSTM checkpoint; fresh node process, best of 2',
    tensors: tf.memory().numTensors,
  };

  const rows: string[][] = [
    ['workload', 'ours native', 'ours wasm', ...(hardware ? ['ours webgpu'] : []), 'peer', 'native/peer', 'wasm/peer'],
  ];
  for (const r of [
    ...train.map((t) => ({ ...t, config: `train ${t.config}` })),
    ...sample.map((s) => ({ ...s, config: `sample ${s.config}` })),
  ]) {
    rows.push([
      r.config,
      fmt(r.native),
      fmt(r.wasm),
      ...(hardware ? [fmt(r.webgpu)] : []),
      fmt(r.peer),
      fmt(r.ratioNative, 2),
      fmt(r.ratioWasm, 2),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  log('');
  log(`chars/s; peer = PyTorch ${peer.torch ?? '(missing)'}, best of 1 and 2 threads; best of ${opts.rounds} round(s)`);
  for (const r of rows)
    log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  for (const t of train) {
    log(
      `${t.config}: peak RSS native ${fmt(t.peakRssMB.native)} MB, wasm ${fmt(t.peakRssMB.wasm)} MB, peer ${fmt(t.peakRssMB.peer)} MB; tensors leak-free: ${t.noLeak}; ` +
        `reading the weights from TF.js ${fmt(t.weightReadMs, 1)} ms of a ${fmt(t.nativeMsPerIteration)} ms native iteration`,
    );
  }
  log(
    `first 200 sampled chars from a 2x512 checkpoint, fresh process: ${Object.entries(firstSampleSeconds)
      .map(([p, t]) => `${p} ${t.toFixed(2)} s`)
      .join(', ')}`,
  );
  for (const line of gpu.lines) log(line);
  log(
    `machine: ${results.machine.cpu}, ${results.machine.cores} cores; load average ${loadStart[0].toFixed(1)} at start, ${loadEnd[0].toFixed(1)} at end`,
  );
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(results, null, 1) + '\n');
  log(`wrote ${opts.out}`);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
