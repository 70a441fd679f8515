import { kernelState } from './link';

/**
 * Cooperative interrupt. Jupyter's interrupt (toolbar button, SIGINT, interrupt_request) cannot stop an
 * async loop from outside, so long loops (training, sampling) poll this flag once per step, after
 * yielding to the event loop (`await new Promise(r => setImmediate(r))`), and stop cleanly when it is set.
 * The kernel sets it on interrupt and clears it when the next cell starts.
 */
export function interruptRequested(): boolean {
  return kernelState.interrupted;
}

/** Raises the flag; the kernel calls this on interrupt, a CLI may call it on Ctrl-C. */
export function requestInterrupt(): void {
  kernelState.interrupted = true;
}

/** Lowers the flag; the kernel calls this when a cell starts. */
export function clearInterrupt(): void {
  kernelState.interrupted = false;
}
