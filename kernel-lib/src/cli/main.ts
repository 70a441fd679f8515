#!/usr/bin/env node
import { CharRNNError } from '../errors';

const USAGE = `usage: charrnn <command> [options]

commands:
  train   --input FILE [--checkpoint-dir DIR] [--model lstm|gru|rnn] [--rnn-size N] [--num-layers N] [--dropout P]
          [--seq-length N] [--batch-size N] [--optimizer rmsprop|adam] [--learning-rate LR] [--decay-rate R]
          [--lr-decay F] [--lr-decay-after EPOCHS] [--grad-clip C] [--clip-mode value|norm] [--train-frac F]
          [--val-frac F] [--max-epochs N] [--max-iters N] [--eval-val-every N] [--checkpoint-every N]
          [--print-every N] [--init-from CKPT_DIR] [--seed N] [--threads N] [--backend auto|wasm|cpu|tensorflow]
          [--log-json FILE]
  sample  CKPT_DIR [--length N] [--temperature T] [--primetext S] [--seed N] [--argmax] [--top-k K] [--count N]
          [--drop-unknown]
  eval    CKPT_DIR --input FILE [--split train|val|test]
  info    CKPT_DIR [--json]
  ngram   --input FILE --order N [--train-frac F] [--val-frac F] [--no-tune]
  inspect CKPT_DIR --text-file F [--out FILE] [--top-k K] [--chunk N]

CKPT_DIR is a checkpoint (cv/best) or a run folder (cv, meaning cv/latest). See the README for details.`;

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
