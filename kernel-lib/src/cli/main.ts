#!/usr/bin/env node
import { CharRNNError } from '../errors';
import { Command, helpText } from './args';

type CommandModule = { command: Command; run(argv: string[]): Promise<void> };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  train: () => import('./train'),
  sample: () => import('./sample'),
  eval: () => import('./eval'),
  info: () => import('./info'),
  ngram: () => import('./ngram'),
  inspect: () => import('./inspect'),
  'export-page': () => import('./export-page'),
  export: () => import('./export'),
  import: () => import('./import'),
};

const HELP = ['--help', '-h', 'help'];

/** charrnn --help: the commands, then each one's flags, all from the tables that parse them. */
async function overview(): Promise<string> {
  const modules = await Promise.all(
    Object.entries(COMMANDS).map(async ([name, load]) => [name, (await load()).command] as const),
  );
  const width = Math.max(...modules.map(([name]) => name.length)) + 1;
  const list = modules.map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`).join('\n');
  const intro =
    `usage: charrnn <command> [options]    (charrnn <command> --help: that command's options)\n\ncommands:\n${list}\n\n` +
    'CKPT_DIR is a checkpoint (cv/best), a run folder (cv, meaning cv/latest) or pretrained:NAME, a model shipped with\n' +
    'charrnn (pretrained:tinyshakespeare; charrnn info pretrained:NAME shows its card). Where --backend or --engine is not\n' +
    'given, CHARRNN_BACKEND and CHARRNN_ENGINE choose (a flag wins over the variable, the variable over auto). A run\n' +
    'that cannot fit in memory is refused before it starts, with its estimate; CHARRNN_MAX_MEMORY (e.g. 8G) caps what\n' +
    "a run may use (default: the machine's memory).\n";
  return [intro, ...modules.map(([name, c]) => helpText(name, c))].join('\n');
}

/** Runs one command; user errors become one line on stderr and exit code 1, never a stack trace. */
async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || HELP.includes(name)) {
    process.stdout.write(await overview());
    return;
  }
  const load = COMMANDS[name];
  if (!load) throw new CharRNNError(`unknown command '${name}' (try: charrnn --help)`);
  const { command, run } = await load();
  if (rest.includes('--help') || rest.includes('-h')) process.stdout.write(helpText(name, command));
  else await run(rest);
}

// A reader that goes away (`charrnn sample | head`) ends the command quietly, as it does any Unix tool.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

main(process.argv.slice(2)).catch((err: Error) => {
  const message = err instanceof CharRNNError ? err.message : `internal error: ${err?.message ?? String(err)}`;
  process.stderr.write(`charrnn: ${message.split('\n')[0]}\n`);
  if (process.env.CHARRNN_DEBUG) process.stderr.write(`${err?.stack}\n`);
  process.exitCode = 1;
});
