/**
 * The maintainer's command that stores a finished run as a pretrained model (pretrained/pack.ts does the work); not
 * a charrnn subcommand, as users never run it:
 *   node kernel-lib/dist/cli/pack.js --name N --checkpoint RUN/best --corpus FILE --log RUN/log.jsonl
 *   node kernel-lib/dist/cli/pack.js --rescore --name N --corpus FILE   (adds what the card lacks; weights untouched)
 */
import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { pack, rescore } from '../pretrained/pack';
import { Command, parseFlags } from './args';

export const command = {
  usage: '--name NAME --checkpoint RUN/best --corpus FILE --log RUN/log.jsonl [options]',
  summary: 'Stores a finished run as pretrained model NAME in kernel-lib/pretrained (float16, card, manifest).',
  flags: {
    name: { type: 'string', help: 'the name users load it by (pretrained:NAME), required' },
    checkpoint: { type: 'string', arg: 'DIR', help: "the run's best checkpoint, required" },
    corpus: { type: 'string', arg: 'FILE', help: 'the text it was trained on, required' },
    log: { type: 'string', arg: 'FILE', help: "the run's --log-json file, required" },
    'corpus-name': { type: 'string', help: "the corpus's name in datasets/manifest.json (default: NAME)" },
    continues: {
      type: 'string',
      help: 'the stored model this run fine-tuned (train --init-from pretrained:NAME): its run goes first on the card',
    },
    engine: {
      type: 'string',
      arg: 'TEXT',
      help: "what trained it, for the card (default: the checkpoint's engine and backend)",
    },
    hardware: { type: 'string', arg: 'TEXT', help: "where it trained, for the card (default: this machine's CPUs)" },
    rescore: {
      type: 'boolean',
      help: "with --name and --corpus only: adds to an installed model's card the figures it lacks (the one-stream losses)",
    },
  },
} satisfies Command;

async function main(argv: string[]): Promise<void> {
  const { values: v, positionals } = parseFlags(argv, command);
  if (positionals.length) throw new CharRNNError(`unexpected arguments: ${positionals.join(' ')}`);
  const required = (flag: 'name' | 'checkpoint' | 'corpus' | 'log'): string => {
    const value = v[flag];
    if (!value) throw new CharRNNError(`missing --${flag} (usage: pack.js ${command.usage})`);
    return value;
  };
  if (v.rescore) {
    await initBackend();
    const card = await rescore({ name: required('name'), corpus: required('corpus') });
    return void process.stderr.write(
      `pack: ${card.name}: one stream: val ${card.loss.continuous!.val.toFixed(4)}, test ${card.loss.continuous!.test.toFixed(4)}\n`,
    );
  }
  const [name, checkpoint, corpus, log] = [
    required('name'),
    required('checkpoint'),
    required('corpus'),
    required('log'),
  ];
  await initBackend();
  await pack({
    name,
    checkpoint,
    corpus,
    log,
    corpusName: v['corpus-name'],
    continues: v.continues,
    engine: v.engine,
    hardware: v.hardware,
    progress: (line) => process.stderr.write(`pack: ${line}\n`),
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(
      `pack: ${err instanceof CharRNNError ? err.message : `internal error: ${err?.stack ?? err}`}\n`,
    );
    process.exitCode = 1;
  });
}
