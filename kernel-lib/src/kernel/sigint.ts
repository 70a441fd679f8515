import { spawn } from 'node:child_process';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { claimInterrupt } from './interrupt';
import { kernelState } from './link';

/**
 * Node loses a SIGINT that arrives while a cell compiles: tslab runs each cell with vm's breakOnSigint,
 * which removes and re-adds the process's SIGINT listeners around the run, and a signal still pending at
 * that moment is dropped. And while a cell's synchronous code blocks the event loop, no SIGINT listener
 * runs at all. Jupyter sends SIGINT to the kernel's whole process group, so a tiny shell in our group sees
 * it too and reports it through a pipe to a worker thread, which raises the shared interrupt flag at once
 * (the checks in a blocking cell see it) and then tells the kernel's event loop, unless the kernel's own
 * listener already took this interrupt (claimInterrupt). The shell exits when the kernel is gone.
 */
export function watchGroupSigint(onInterrupt: () => void): void {
  if (process.platform === 'win32') return;
  const worker = new Worker(__filename, { workerData: { interrupt: kernelState.interrupt } });
  worker.on('message', () => onInterrupt());
  worker.on('error', (e) => process.stderr.write(`charrnn kernel: the interrupt watcher failed: ${e.message}\n`));
  worker.unref();
}

// The worker thread.
if (!isMainThread && workerData?.interrupt instanceof Int32Array) {
  const flag: Int32Array = workerData.interrupt;
  const watcher = spawn('/bin/sh', ['-c', 'trap "echo i" INT; while kill -0 $PPID 2>/dev/null; do sleep 5; done'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  watcher.stdout.on('data', () => {
    if (!claimInterrupt(flag, 'watcher')) return;
    Atomics.store(flag, 0, 1);
    parentPort?.postMessage('interrupt');
  });
  watcher.on('error', () => undefined); // no /bin/sh: the kernel's own SIGINT listener still works
}
