import { ENGINE_CHOICES } from '../engine/contract';
import { BACKEND_CHOICES } from '../engine/tfjs/backends';
import { parseArgs } from 'node:util';
import { CharRNNError } from '../errors';

/**
 * One command-line flag: how it parses, its default and what it means. Each command has one table of these, which
 * both parses its argv and writes its --help, so the two cannot drift apart.
 */
export interface Flag {
  type: 'string' | 'int' | 'number' | 'boolean';
  /** What the flag does, for --help. */
  help: string;
  /** The value's name in --help (FILE, N); defaults to N for numbers and S for strings. */
  arg?: string;
  /** The value when the flag is not given. */
  default?: string | number;
  /** An environment variable that gives the value when the flag is not given: flag > variable > default. */
  env?: string;
  /** Allowed values of a string flag. */
  choices?: string[];
  /** Bounds of a number: min <= x, above < x, x <= max, x < below. */
  min?: number;
  above?: number;
  max?: number;
  below?: number;
}

/** A command: its usage line, what it does, and its flags. */
export interface Command {
  usage: string;
  summary: string;
  flags: Record<string, Flag>;
}

export type Value = string | number | boolean | undefined;

export interface Parsed {
  positionals: string[];
  /** Every flag's value: given, else from its environment variable, else its default. */
  values: Record<string, Value>;
  /** The flags given on the command line. */
  given: Set<string>;
}

/**
 * Parses argv against a command's flags with node's util.parseArgs, then checks types and ranges so that every bad
 * value becomes one CharRNNError naming the flag. A negative number after a flag is its value (`--seed -1`), not
 * another option.
 */
export function parseFlags(argv: string[], command: Command): Parsed {
  const { flags } = command;
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      { type: f.type === 'boolean' ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') {
      args.push(...argv.slice(i));
      break;
    }
    const name = argv[i].slice(2);
    const takesValue = argv[i].startsWith('--') && Object.hasOwn(flags, name) && flags[name].type !== 'boolean';
    if (takesValue && /^-[\d.]/.test(argv[i + 1] ?? '')) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CharRNNError((e as Error).message.split('\n')[0].replace(/^.*?: /, ''));
  }
  const values: Parsed['values'] = {};
  for (const [name, f] of Object.entries(flags)) {
    const raw = parsed.values[name];
    const fromEnv = raw === undefined && f.env ? process.env[f.env] || undefined : undefined;
    const what = fromEnv !== undefined ? f.env! : `--${name}`;
    values[name] =
      raw !== undefined ? check(what, f, raw) : fromEnv !== undefined ? check(what, f, fromEnv) : f.default;
  }
  return { positionals: parsed.positionals, values, given: new Set(Object.keys(parsed.values)) };
}

/** The flag's value as its type, or an error naming the flag (or variable) and the bound it breaks. */
function check(what: string, f: Flag, raw: string | boolean): Value {
  if (typeof raw === 'boolean') return raw;
  if (f.type === 'string') {
    if (f.choices && !f.choices.includes(raw))
      throw new CharRNNError(`${what} must be one of ${f.choices.join(', ')}, got '${raw}'`);
    return raw;
  }
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || (f.type === 'int' && !Number.isInteger(n))) {
    throw new CharRNNError(`${what} must be ${f.type === 'int' ? 'a whole number' : 'a number'}, got '${raw}'`);
  }
  const broken = [
    f.min !== undefined && !(n >= f.min) && `>= ${f.min}`,
    f.above !== undefined && !(n > f.above) && `> ${f.above}`,
    f.max !== undefined && !(n <= f.max) && `<= ${f.max}`,
    f.below !== undefined && !(n < f.below) && `< ${f.below}`,
  ].find(Boolean);
  if (broken) throw new CharRNNError(`${what} must be ${broken}, got ${raw}`);
  return n;
}

/** The single positional argument a command expects (e.g. a checkpoint dir), or an error naming it. */
export function onePositional(p: Parsed, what: string): string {
  if (p.positionals.length !== 1) {
    throw new CharRNNError(
      p.positionals.length === 0 ? `missing ${what}` : `unexpected arguments: ${p.positionals.slice(1).join(' ')}`,
    );
  }
  return p.positionals[0];
}

/** A command's --help: usage, summary, then one line per flag with its meaning and default. */
export function helpText(name: string, command: Command): string {
  const rows = Object.entries(command.flags).map(([flag, f]) => {
    const arg =
      f.type === 'boolean' ? '' : ` ${f.choices ? f.choices.join('|') : (f.arg ?? (f.type === 'string' ? 'S' : 'N'))}`;
    const dflt = f.default === undefined ? '' : String(f.default);
    const where = f.env ? ` (default: $${f.env}, else ${dflt || 'none'})` : dflt ? ` (default: ${dflt})` : '';
    return [`--${flag}${arg}`, f.help + where];
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
  return `usage: charrnn ${name} ${command.usage}\n\n${command.summary}\n\noptions:\n${lines.join('\n')}\n`;
}

/** --backend, shared by every command that runs a model. */
export const BACKEND_FLAG: Flag = {
  type: 'string',
  choices: [...BACKEND_CHOICES],
  default: 'auto',
  env: 'CHARRNN_BACKEND',
  help: 'TF.js backend; auto prefers tfjs-node-gpu, tfjs-node, then wasm',
};

/** --engine, shared by every command that runs a model. */
export const ENGINE_FLAG: Flag = {
  type: 'string',
  choices: [...ENGINE_CHOICES],
  default: 'auto',
  env: 'CHARRNN_ENGINE',
  help: 'native BLAS engine, TF.js, or WebGPU (training on a GPU, only when asked for); auto takes native when it is built',
};
