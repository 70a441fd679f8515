/**
 * An error meant for the user: bad input, bad options, unreadable files.
 * The CLI prints its message as one line on stderr (no stack trace) and exits non-zero;
 * notebooks show it as a normal error.
 */
/** Choices as a message lists them: "auto, native, tfjs or webgpu". */
export function oneOf(choices: readonly string[]): string {
  return choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

export class CharRNNError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CharRNNError';
  }
}
