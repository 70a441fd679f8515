import { DEFAULT_SAMPLING } from '@charrnn/schema';
import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { loadCheckpoint } from '../train/checkpoint';
import { preparePrime, sampleTextsAsync } from '../sample/sampler';
import { BACKEND_FLAG, Command, ENGINE_FLAG, parseFlags } from './args';
import { checkpointArg } from './checkpoint-arg';

export const command = {
  usage: 'CKPT_DIR [options]',
  summary: 'Prints text drawn from a checkpoint (cv/best, or a run folder cv meaning cv/latest) on stdout.',
  flags: {
    length: { type: 'int', min: 0, default: 2000, help: 'characters to draw after the prime text' },
    temperature: {
      type: 'number',
      above: 0,
      default: DEFAULT_SAMPLING.temperature,
      arg: 'T',
      help: 'softmax temperature: lower is safer, higher is wilder',
    },
    primetext: { type: 'string', default: '', help: 'text the model reads first (printed before the sample)' },
    seed: { type: 'int', min: 0, default: DEFAULT_SAMPLING.seed, help: 'same seed, same sample' },
    argmax: { type: 'boolean', help: 'always take the most likely character' },
    'top-k': {
      type: 'int',
      min: 0,
      default: DEFAULT_SAMPLING.topK,
      arg: 'K',
      help: 'draw from the K most likely characters only (0 = all)',
    },
    count: { type: 'int', min: 1, default: 1, help: 'samples to draw, separated by a blank line' },
    'drop-unknown': {
      type: 'boolean',
      help: 'drop prime text characters the model never saw (else an error naming them)',
    },
    beam: {
      type: 'int',
      min: 0,
      default: DEFAULT_SAMPLING.beam,
      arg: 'K',
      help: 'beam search: the K most likely continuations (total log-probability at the temperature), best first; 0 = draw at random',
    },
    backend: BACKEND_FLAG,
    engine: ENGINE_FLAG,
  },
} satisfies Command;

/** Writes a char of a streamed sample; once the reader has gone (`| head`: the write failed) stops drawing, quietly. */
function stream(ch: string): void {
  if (!process.stdout.writable) process.exit(0);
  process.stdout.write(ch);
}

/** charrnn sample CKPT_DIR: prints samples to stdout, streaming a single one as it is drawn. */
export async function run(argv: string[]): Promise<void> {
  const p = parseFlags(argv, command);
  const dir = checkpointArg(p, 'checkpoint directory (charrnn sample CKPT_DIR)');
  const v = p.values;
  await initBackend(v.backend);
  const ckpt = loadCheckpoint(dir);
  if (ckpt.recovered) process.stderr.write(`charrnn: ${ckpt.recovered}\n`);
  const beam = v.beam;
  if (beam > 0 && p.given.has('count'))
    throw new CharRNNError('--beam K prints the K most likely texts: leave out --count');
  const count = beam || v.count; // texts printed
  const prime = preparePrime(ckpt.vocab, v.primetext, v['drop-unknown']);
  if (count === 1) process.stdout.write(prime);
  const texts = await sampleTextsAsync(ckpt.model, ckpt.vocab, {
    length: v.length,
    temperature: v.temperature,
    argmax: v.argmax,
    topK: v['top-k'],
    prime,
    seed: v.seed,
    count,
    beam,
    engine: v.engine,
    onChar: count === 1 ? stream : undefined,
  });
  process.stdout.write(count === 1 ? '\n' : texts.join('\n\n') + '\n');
  ckpt.model.dispose();
}
