import { spawn } from 'node:child_process';

/**
 * Node loses a SIGINT that arrives while a cell compiles: tslab runs each cell with vm's breakOnSigint,
 * which removes and re-adds the process's SIGINT listeners around the run, and a signal still pending at
 * that moment is dropped. Jupyter sends SIGINT to the kernel's whole process group, so a tiny shell in our
 * group sees it too and reports it through a pipe, which holds it until the event loop reads it.
 * The shell exits when the kernel is gone.
 */
export function watchGroupSigint(onInterrupt: () => void): void {
  if (process.platform === 'win32') return;
  const watcher = spawn('/bin/sh', ['-c', 'trap "echo i" INT; while kill -0 $PPID 2>/dev/null; do sleep 5; done'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  watcher.stdout.on('data', () => onInterrupt());
  watcher.on('error', () => undefined); // no /bin/sh: the kernel's own SIGINT listener still works
}
