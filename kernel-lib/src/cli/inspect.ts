import * as fs from 'node:fs';
import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { TextTrace, inspectTextAsync } from '../inspect/trace';
import { loadCheckpoint } from '../train/checkpoint';
import { BACKEND_FLAG, Command, ENGINE_FLAG, parseFlags } from './args';
import { checkpointArg } from './checkpoint-arg';

export const command = {
  usage: 'CKPT_DIR --text-file F [options]',
  summary:
    'Runs a checkpoint over a text and writes one JSON object: per char the top-k guesses and surprise, per layer its activations.',
  flags: {
    'text-file': { type: 'string', arg: 'F', help: 'the text to run (required)' },
    out: { type: 'string', arg: 'FILE', help: 'write the JSON here instead of stdout' },
    'top-k': { type: 'int', min: 1, default: 5, arg: 'K', help: 'next-char guesses kept per char' },
    chunk: { type: 'int', min: 1, default: 1000, help: 'chars per forward pass (bounds the memory used)' },
    backend: BACKEND_FLAG,
    engine: ENGINE_FLAG,
  },
} satisfies Command;

/**
 * charrnn inspect CKPT_DIR --text-file F [--out FILE] [--top-k K] [--chunk N]: runs the model over the text and
 * writes one JSON object (to FILE, else stdout): the chars, per char the top-k next-char guesses, the probability
 * and surprise of the actual next char, and per layer the rows of h (c, gates) after each char, 5 decimals.
 */
export async function run(argv: string[]): Promise<void> {
  const p = parseFlags(argv, command);
  const dir = checkpointArg(p, 'checkpoint directory (charrnn inspect CKPT_DIR --text-file F)');
  const file = p.values['text-file'];
  if (!file) throw new CharRNNError('missing --text-file F');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CharRNNError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  await initBackend(p.values.backend);
  const ckpt = loadCheckpoint(dir);
  try {
    const trace = await inspectTextAsync(ckpt.model, ckpt.vocab, text, {
      topK: p.values['top-k'],
      chunk: p.values.chunk,
      engine: p.values.engine,
    });
    const out = p.values.out;
    const fd = out ? fs.openSync(out, 'w') : undefined;
    // Pieces are gathered into ~1 MB writes.
    let pending: string[] = [];
    let size = 0;
    const flush = () => {
      const s = pending.join('');
      if (fd === undefined) process.stdout.write(s);
      else fs.writeSync(fd, s);
      [pending, size] = [[], 0];
    };
    try {
      writeTrace(trace, (s) => {
        pending.push(s);
        size += s.length;
        if (size > 1 << 20) flush();
      });
      flush();
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  } finally {
    ckpt.model.dispose();
    Object.values(ckpt.trainTensors).forEach((t) => t.dispose());
  }
}

/** Writes the trace as JSON piece by piece (a long text's activations would be one huge string otherwise). */
function writeTrace(trace: TextTrace, write: (s: string) => void): void {
  const T = trace.length;
  const H = trace.hiddenSize;
  const num = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e5) / 1e5 : null);
  const rowsOf = (m: Float32Array, width: number) => {
    write('[');
    for (let t = 0; t < T; t++)
      write((t ? ',' : '') + JSON.stringify(Array.from(m.subarray(t * width, (t + 1) * width), num)));
    write(']');
  };
  write(`{"cell":${JSON.stringify(trace.cell)},"hiddenSize":${H},"numLayers":${trace.layers.length},"chars":${T},`);
  write(`"loss":${JSON.stringify(num(trace.loss))},"text":${JSON.stringify(trace.chars)},"predictions":[`);
  for (let t = 0; t < T; t++) {
    const top = Array.from({ length: trace.k }, (_, j) => [
      trace.vocab.chars[trace.topIds[t * trace.k + j]],
      num(trace.topProbs[t * trace.k + j]),
    ]);
    const pNext = trace.pNext[t];
    write((t ? ',' : '') + JSON.stringify({ top, pNext: num(pNext), surprise: num(-Math.log(pNext)) }));
  }
  write('],"layers":[');
  trace.layers.forEach((layer, l) => {
    write(`${l ? ',' : ''}{"layer":${l},"h":`);
    rowsOf(layer.h, H);
    if (layer.c) {
      write(',"c":');
      rowsOf(layer.c, H);
    }
    if (layer.gates) {
      write(`,"gateOrder":${JSON.stringify({ lstm: 'i,f,g,o', gru: 'r,z,n', rnn: 'h' }[trace.cell])},"gates":`);
      rowsOf(layer.gates, layer.gates.length / T);
    }
    write('}');
  });
  write(']}\n');
}
