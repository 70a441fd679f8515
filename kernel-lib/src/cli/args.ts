import { ENGINE_CHOICES, type EngineChoice } from '../engine/contract';
import { BACKEND_CHOICES, type BackendChoice } from '../engine/tfjs/backends';
import { parseArgs } from 'node:util';
import { CharRNNError, checkChoice } from '../errors';

interface FlagBase {
  /** What the flag does, for --help. */
  help: string;
  /** The value's name in --help (FILE, N); defaults to N for numbers and S for strings. */
  arg?: string;
}

/** A string flag, with its allowed values when it has them. */
export interface StringFlag<C extends string = string> extends FlagBase {
  type: 'string';
  /** The value when the flag is not given. */
  default?: C;
  choices?: readonly C[];
}

/** A number: a whole one ('int') or any; bounds min <= x, above < x, x <= max, x < below. */
export interface NumberFlag extends FlagBase {
  type: 'int' | 'number';
  default?: number;
  min?: number;
  above?: number;
  max?: number;
  below?: number;
}

/** A switch: true when given, else false. */
export interface BooleanFlag extends FlagBase {
  type: 'boolean';
}

/**
 * One command-line flag: how it parses, its default and what it means. Each command has one table of these, which
 * parses its argv, types its values (FlagValues) and writes its --help, so the three cannot drift apart.
 */
export type Flag = StringFlag | NumberFlag | BooleanFlag;

/** A command: its usage line, what it does, and its flags. */
export interface Command<F extends Record<string, Flag> = Record<string, Flag>> {
  usage: string;
  summary: string;
  flags: F;
}

export type Value = string | number | boolean | undefined;

/** The value a flag parses to: its choices' type or string, number, boolean; `| undefined` where it has no default. */
export type FlagValue<F> = F extends BooleanFlag
  ? boolean
  : F extends NumberFlag
    ? F extends { default: number }
      ? number
      : number | undefined
    : F extends { choices: readonly (infer C)[] }
      ? F extends { default: string }
        ? C
        : C | undefined
      : F extends { default: string }
        ? string
        : string | undefined;

export type FlagValues<F> = { [K in keyof F]: FlagValue<F[K]> };

export interface Parsed<F extends Record<string, Flag> = Record<string, Flag>> {
  positionals: string[];
  /** Every flag's value: given, else its default (false for a switch). */
  values: FlagValues<F>;
  /** The flags given on the command line. */
  given: Set<string>;
}

/**
 * Parses argv against a command's flags with node's util.parseArgs, then checks types and ranges so that every bad
 * value becomes one CharRNNError naming the flag. A negative number after a flag is its value (`--seed -1`), not
 * another option.
 */
export function parseFlags<F extends Record<string, Flag>>(argv: string[], command: Command<F>): Parsed<F> {
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
  const values: Record<string, Value> = {};
  for (const [name, f] of Object.entries<Flag>(flags)) {
    const raw = parsed.values[name];
    values[name] = raw !== undefined ? check(`--${name}`, f, raw) : f.type === 'boolean' ? false : f.default;
  }
  // The one cast: each value was checked against its flag just above, so it has the type FlagValues<F> states.
  const typed = values as FlagValues<F>;
  return { positionals: parsed.positionals, values: typed, given: new Set(Object.keys(parsed.values)) };
}

/** The flag's value as its type, or an error naming the flag and the bound it breaks. */
function check(what: string, f: Flag, raw: string | boolean): Value {
  if (f.type === 'boolean' || typeof raw === 'boolean') return raw === true;
  if (f.type === 'string') return f.choices ? checkChoice(raw, f.choices, what) : raw;
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
export function onePositional(p: { positionals: string[] }, what: string): string {
  if (p.positionals.length !== 1) {
    throw new CharRNNError(
      p.positionals.length === 0 ? `missing ${what}` : `unexpected arguments: ${p.positionals.slice(1).join(' ')}`,
    );
  }
  return p.positionals[0];
}

/** A command's --help: usage, summary, then one line per flag with its meaning and default. */
export function helpText(name: string, command: Command): string {
  const rows = Object.entries<Flag>(command.flags).map(([flag, f]) => {
    const arg =
      f.type === 'boolean'
        ? ''
        : ` ${f.type === 'string' && f.choices ? f.choices.join('|') : (f.arg ?? (f.type === 'string' ? 'S' : 'N'))}`;
    const dflt = f.type === 'boolean' || f.default === undefined ? '' : ` (default: ${f.default})`;
    return [`--${flag}${arg}`, f.help + dflt];
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
  return `usage: charrnn ${name} ${command.usage}\n\n${command.summary}\n\noptions:\n${lines.join('\n')}\n`;
}

/**
 * --backend, shared by every command that runs a model. Without it the library's own default decides (the
 * CHARRNN_BACKEND variable, else auto), so that the variable is read and checked in one place.
 */
export const BACKEND_FLAG = {
  type: 'string',
  choices: BACKEND_CHOICES,
  help: 'TF.js backend; auto prefers tfjs-node-gpu, tfjs-node, then wasm (default: $CHARRNN_BACKEND, else auto)',
} satisfies StringFlag<BackendChoice>;

/** --engine, shared by every command that runs a model; without it, CHARRNN_ENGINE, else auto (as --backend). */
export const ENGINE_FLAG = {
  type: 'string',
  choices: ENGINE_CHOICES,
  help: 'native BLAS engine, TF.js, or WebGPU (training on a GPU, only when asked for); auto takes native when it is built (default: $CHARRNN_ENGINE, else auto)',
} satisfies StringFlag<EngineChoice>;
