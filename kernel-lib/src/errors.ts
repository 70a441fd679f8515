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
