#!/usr/bin/env node
import { CharRNNError } from '../errors';

const USAGE = `usage: charrnn <command> [options]

commands:
  train   --input FILE [--checkpoint-dir DIR] [--model lstm|gru|rnn] [--rnn-size N] [--num-layers N] ...
  sample  CKPT_DIR [--length N] [--temperature T] [--primetext S] [--seed N] [--argmax] [--top-k K]
  eval    CKPT_DIR --input FILE [--split train|val|test]
  info    CKPT_DIR
  ngram   --input FILE --order N
  inspect CKPT_DIR --text-file F

See the README for every option.`;

const COMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<void> }>> = {
  train: () => import('./train'),
  sample: () => import('./sample'),
  eval: () => import('./eval'),
  info: () => import('./info'),
  ngram: () => import('./ngram'),
  inspect: () => import('./inspect'),
};

/** Runs one command; user errors become one line on stderr and exit code 1, never a stack trace. */
async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const load = COMMANDS[name];
  if (!load) throw new CharRNNError(`unknown command '${name}' (try: charrnn --help)`);
  await (await load()).run(rest);
}

main(process.argv.slice(2)).catch((err: Error) => {
  const message = err instanceof CharRNNError ? err.message : `internal error: ${err?.message ?? String(err)}`;
  process.stderr.write(`charrnn: ${message.split('\n')[0]}\n`);
  if (process.env.CHARRNN_DEBUG) process.stderr.write(`${err?.stack}\n`);
  process.exitCode = 1;
});
