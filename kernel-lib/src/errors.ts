/**
 * An error meant for the user: bad input, bad options, unreadable files.
 * The CLI prints its message as one line on stderr (no stack trace) and exits non-zero;
 * notebooks show it as a normal error.
 */
export class CharRNNError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CharRNNError';
  }
}

/** Choices as a message lists them: "auto, native, tfjs or webgpu". */
export function oneOf(choices: readonly string[]): string {
  return choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

/** `value` when it is one of `choices`, else a CharRNNError: "WHAT must be one of a, b, c, got 'value'". */
export function checkChoice<C extends string>(value: string, choices: readonly C[], what: string): C {
  const found = choices.find((c) => c === value);
  if (found === undefined) throw new CharRNNError(`${what} must be one of ${choices.join(', ')}, got '${value}'`);
  return found;
}
