import { kernelState } from './link';
import type { InterruptChecks } from './interruptible';

/** [0] is 1 while an interrupt is pending, in memory shared with the watcher thread (sigint.ts). */
const flag = kernelState.interrupt;

/**
 * One Jupyter interrupt (a SIGINT to the kernel's process group) reaches the kernel twice: through its own
 * SIGINT listener and through the group watcher (sigint.ts), in either order, and the later one can come
 * after the interrupted cell has ended, when it must not stop the next one. So each delivery is claimed: one
 * from the other source within PAIR_MS of an unpaired claim is its twin and is dropped; any other is a new
 * interrupt. The listener's delivery is lost when the signal lands as tslab hands its listeners over to a
 * cell; the watcher's then has no twin, and a SIGINT sent to the kernel's process alone (kill PID, not what
 * Jupyter does) within PAIR_MS after it would be taken for one. The reverse holds too: a SIGINT to the process
 * alone reaches only the listener, and the watcher's delivery of a group interrupt less than PAIR_MS after it is
 * taken for its twin and dropped, so a synchronous loop (which only the watcher can stop) runs on until the next
 * interrupt.
 */
export const PAIR_MS = 1000;
export type InterruptSource = 'listener' | 'watcher';

/**
 * Claims a delivery from `source` in `shared`: slot [1] holds the last unpaired claim as ms (modulo 2^29) * 4
 * + source (1 listener, 2 watcher; 0 once paired), one Int32 so that threads update it with one atomic swap.
 * True for a new interrupt, false for the twin of one already claimed.
 */
export function claimInterrupt(shared: Int32Array, source: InterruptSource, now = Date.now()): boolean {
  const mine = source === 'listener' ? 1 : 2;
  const stamp = now % 2 ** 29;
  for (;;) {
    const last = Atomics.load(shared, 1);
    const since = (stamp - (last >>> 2) + 2 ** 29) % 2 ** 29;
    const twin = (last & 3) !== 0 && (last & 3) !== mine && since < PAIR_MS;
    const next = twin ? last & ~3 : stamp * 4 + mine;
    if (Atomics.compareExchange(shared, 1, last, next) === last) return !twin;
  }
}

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
