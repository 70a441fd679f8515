import * as os from 'node:os';
import { CharRNNError } from '../errors';

/**
 * The threads a run uses when it asks for no number: CHARRNN_THREADS when set (on a class server, a student's CPU
 * limit: labextension/app/server.py sets it from the hub's CPU_LIMIT), else one per core.
 */
export function defaultThreads(): number {
  const set = process.env.CHARRNN_THREADS;
  if (set === undefined || set === '') return os.availableParallelism();
  const n = Number(set);
  if (!Number.isInteger(n) || n < 1)
    throw new CharRNNError(`CHARRNN_THREADS must be a whole number of threads, at least 1, got '${set}'`);
  return n;
}
