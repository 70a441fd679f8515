import type { RNNState } from '../model/charrnn';
import type { ForwardResult } from './contract';

/**
 * A loop of forward passes written once for a synchronous and an asynchronous engine (evaluate and inspectText,
 * and their GPU twins): a generator yields each pass's arguments and is resumed with its result. The drivers below
 * run it with one engine's forward and always close it, so that its `finally` frees the state it carries, also when
 * a pass throws.
 */

/** One pass's arguments: x [T*B] time-major, T, B, the state carried in. */
export type PassArgs = [Int32Array, number, number, RNNState];

export type Passes<R> = Generator<PassArgs, R, ForwardResult>;

export function runPasses<R>(passes: Passes<R>, forward: (...args: PassArgs) => ForwardResult): R {
  try {
    let next = passes.next();
    while (!next.done) next = passes.next(forward(...next.value));
    return next.value;
  } finally {
    passes.return(undefined as R); // a no-op once the loop has returned
  }
}

export async function runPassesAsync<R>(
  passes: Passes<R>,
  forward: (...args: PassArgs) => Promise<ForwardResult>,
): Promise<R> {
  try {
    let next = passes.next();
    while (!next.done) next = passes.next(await forward(...next.value));
    return next.value;
  } finally {
    passes.return(undefined as R);
  }
}
