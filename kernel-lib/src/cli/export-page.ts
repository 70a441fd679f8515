import { DEFAULT_SAMPLING } from '@charrnn/schema';
import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { PAGE_WEIGHTS, exportPage } from '../page/export';
import { loadCheckpoint } from '../train/checkpoint';
import { Command, parseFlags } from './args';
import { checkpointArg } from './checkpoint-arg';

export const command = {
  usage: 'CKPT_DIR --out FILE.html [options]',
  summary: 'Writes the model as one HTML page that samples and shows its cells in any browser, offline.',
  flags: {
    out: { type: 'string', arg: 'FILE', help: 'the page to write (required), e.g. model.html' },
    title: { type: 'string', help: "the page's title (default: the model's shape)" },
    primetext: { type: 'string', default: '', help: 'prime text the page starts with' },
    length: { type: 'int', min: 1, max: 10_000, default: 200, help: 'characters per sample' },
    temperature: {
      type: 'number',
      above: 0,
      default: DEFAULT_SAMPLING.temperature,
      arg: 'T',
      help: 'temperature the page starts with',
    },
    seed: { type: 'int', min: 0, default: DEFAULT_SAMPLING.seed, help: 'seed the page starts with' },
    'top-k': {
      type: 'int',
      min: 0,
      default: DEFAULT_SAMPLING.topK,
      arg: 'K',
      help: 'top-k the page starts with (0 = all)',
    },
    beam: {
      type: 'int',
      min: 0,
      max: 32,
      default: DEFAULT_SAMPLING.beam,
      arg: 'K',
      help: 'beam width the page starts with (0 = draw at random)',
    },
    text: { type: 'string', help: "the explorer's first text (default: the page's first sample)" },
    weights: {
      type: 'string',
      choices: PAGE_WEIGHTS,
      default: 'auto',
      help: 'how the weights are stored: float32 samples exactly as the kernel does, float16 is half the size; auto: float32 when the page stays under 12 MB',
    },
  },
} satisfies Command;

/** charrnn export-page CKPT_DIR --out model.html: writes the page and says how big it is. */
export async function run(argv: string[]): Promise<void> {
  const p = parseFlags(argv, command);
  const dir = checkpointArg(p, 'checkpoint directory (charrnn export-page CKPT_DIR --out model.html)');
  const v = p.values;
  if (v.out === undefined) throw new CharRNNError('export-page needs --out FILE.html, the page to write');
  // Reading the weights needs a TF.js backend; the model does not run here.
  await initBackend();
  const ckpt = loadCheckpoint(dir);
  if (ckpt.recovered) process.stderr.write(`charrnn: ${ckpt.recovered}\n`);
  try {
    const page = await exportPage(ckpt.model, ckpt.vocab, v.out, {
      title: v.title,
      prime: v.primetext,
      length: v.length,
      temperature: v.temperature,
      seed: v.seed,
      topK: v['top-k'],
      beam: v.beam,
      text: v.text,
      weights: v.weights,
    });
    process.stdout.write(`${page.path}: ${(page.bytes / 1e6).toFixed(2)} MB, weights as ${page.weights}\n`);
  } finally {
    ckpt.model.dispose();
  }
}
