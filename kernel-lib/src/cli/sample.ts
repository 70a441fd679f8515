import { BackendChoice, initBackend } from '../backend';
import { EngineChoice } from '../native/choose';
import { loadCheckpoint } from '../train/checkpoint';
import { preparePrime, sampleTexts } from '../sample/sampler';
import { Flag, onePositional, parseFlags } from './args';

const FLAGS: Record<string, Flag> = {
  length: { type: 'int', min: 0 },
  temperature: { type: 'number' },
  primetext: { type: 'string' },
  seed: { type: 'int', min: 0 },
  argmax: { type: 'boolean' },
  'top-k': { type: 'int', min: 0 },
  count: { type: 'int', min: 1 },
  'drop-unknown': { type: 'boolean' },
  backend: { type: 'string', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
  engine: { type: 'string', choices: ['auto', 'native', 'tfjs'] },
};

/** charrnn sample CKPT_DIR: prints samples to stdout, streaming a single one as it is drawn. */
export async function run(argv: string[]): Promise<void> {
  const p = parseFlags(argv, FLAGS);
  const dir = onePositional(p, 'checkpoint directory (charrnn sample CKPT_DIR)');
  const v = p.values;
  await initBackend((v.backend as BackendChoice) ?? 'auto');
  const ckpt = loadCheckpoint(dir);
  const count = (v.count as number) ?? 1;
  const prime = preparePrime(ckpt.vocab, (v.primetext as string) ?? '', v['drop-unknown'] as boolean);
  if (count === 1) process.stdout.write(prime);
  const texts = sampleTexts(ckpt.model, ckpt.vocab, {
    length: (v.length as number) ?? 2000,
    temperature: (v.temperature as number) ?? 1,
    argmax: v.argmax as boolean,
    topK: (v['top-k'] as number) ?? 0,
    prime,
    seed: (v.seed as number) ?? 1,
    count,
    engine: v.engine as EngineChoice,
    onChar: count === 1 ? (ch) => process.stdout.write(ch) : undefined,
  });
  process.stdout.write(count === 1 ? '\n' : texts.join('\n\n') + '\n');
  ckpt.model.dispose();
}
