import { kernelState } from './link';
import type { InterruptChecks } from './interruptible';

/** [0] is 1 while an interrupt is pending, in memory shared with the watcher thread (sigint.ts). */
const flag = kernelState.interrupt;

/**
 * Interrupt. Jupyter's interrupt (toolbar button, SIGINT) raises a flag; the kernel lowers it when the next
 * cell starts. Two kinds of code see it:
 * - the library's long loops (training) poll interruptRequested() once per step and stop cleanly: they save
 *   and return their result, which the cell still receives;
 * - a cell's own code gets checks at its loops' back-edges and after its awaits (see interruptible.ts),
 *   which throw KeyboardInterrupt: loops at once, an await unless a library loop is stopping cleanly.
 */
export function interruptRequested(): boolean {
  const requested = Atomics.load(flag, 0) === 1;
  if (requested) kernelState.stopping = true;
  return requested;
}

/** Raises the flag; the kernel calls this on interrupt, a CLI may call it on Ctrl-C. */
export function requestInterrupt(): void {
  Atomics.store(flag, 0, 1);
}

/** Lowers the flag; the kernel calls this when a cell starts. */
export function clearInterrupt(): void {
  Atomics.store(flag, 0, 0);
  kernelState.stopping = false;
}

/** What a cell's code throws when interrupted, as Python does. */
export class KeyboardInterrupt extends Error {
  override name = 'KeyboardInterrupt';
  constructor() {
    super('interrupted');
  }
}

/** Cells abandoned by a second interrupt: their code throws at every check from then on, whenever it resumes. */
const abandoned = new Set<number>();

/** Stops cell `cell`'s code for good at its next check. */
export function abandonCell(cell: number): void {
  abandoned.add(cell);
}

/**
 * The checks the kernel inserts into cells (see interruptible.ts), run at every iteration of a cell's loops: a
 * plain read of the flag costs ~4 ns where Atomics.load costs ~30 (V8 does not hoist the read out of the loop,
 * so the watcher thread's store is seen; kernel.test.ts checks that on a blocking loop).
 */
export const interruptChecks: InterruptChecks = {
  loop(cell) {
    if (flag[0] === 1 || (abandoned.size > 0 && abandoned.has(cell))) throw new KeyboardInterrupt();
  },
  resumed(cell, value) {
    if ((flag[0] === 1 && !kernelState.stopping) || abandoned.has(cell)) throw new KeyboardInterrupt();
    return value;
  },
};
