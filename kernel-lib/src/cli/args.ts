import { parseArgs } from 'node:util';
import { CharRNNError } from '../errors';

/** One command-line flag: its type, and for numbers the smallest value allowed. */
export interface Flag {
  type: 'string' | 'int' | 'number' | 'boolean';
  min?: number;
  /** Allowed values of a string flag. */
  choices?: string[];
}

export type Parsed = { positionals: string[]; values: Record<string, string | number | boolean | undefined> };

/**
 * Parses argv against flag specs with node's util.parseArgs, then checks types and ranges so that every bad value
 * becomes one CharRNNError naming the flag.
 */
export function parseFlags(argv: string[], flags: Record<string, Flag>): Parsed {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, { type: f.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CharRNNError((e as Error).message.split('\n')[0].replace(/^.*?: /, ''));
  }
  const values: Parsed['values'] = {};
  for (const [name, raw] of Object.entries(parsed.values)) {
    const f = flags[name];
    if (f.type === 'boolean') {
      values[name] = raw as boolean;
      continue;
    }
    const s = raw as string;
    if (f.type === 'string') {
      if (f.choices && !f.choices.includes(s)) throw new CharRNNError(`--${name} must be one of ${f.choices.join(', ')}, got '${s}'`);
      values[name] = s;
      continue;
    }
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n) || (f.type === 'int' && !Number.isInteger(n))) {
      throw new CharRNNError(`--${name} must be ${f.type === 'int' ? 'a whole number' : 'a number'}, got '${s}'`);
    }
    if (f.min !== undefined && n < f.min) throw new CharRNNError(`--${name} must be >= ${f.min}, got ${s}`);
    values[name] = n;
  }
  return { positionals: parsed.positionals, values };
}

/** The single positional argument a command expects (e.g. a checkpoint dir), or an error naming it. */
export function onePositional(p: Parsed, what: string): string {
  if (p.positionals.length !== 1) {
    throw new CharRNNError(p.positionals.length === 0 ? `missing ${what}` : `unexpected arguments: ${p.positionals.slice(1).join(' ')}`);
  }
  return p.positionals[0];
}
