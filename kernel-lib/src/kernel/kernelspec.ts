import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const KERNEL_NAME = 'charrnn';

/**
 * Writes the kernelspec into `<jupyterDataDir>/kernels/charrnn/kernel.json` and returns its folder.
 * Jupyter finds it when jupyterDataDir is on JUPYTER_PATH (npm start keeps it project-local, in .jupyter/).
 * interrupt_mode "signal": Jupyter sends SIGINT to the kernel's process group, which reaches it even while a
 * cell blocks the event loop (a message could not be read then); see interrupt.ts for what it stops.
 */
export function writeKernelspec(jupyterDataDir: string): string {
  const dir = join(resolve(jupyterDataDir), 'kernels', KERNEL_NAME);
  mkdirSync(dir, { recursive: true });
  const spec = {
    argv: [process.execPath, join(__dirname, 'main.js'), '{connection_file}'],
    display_name: 'charrnn (TypeScript)',
    language: 'typescript',
    interrupt_mode: 'signal',
    env: {},
    metadata: { debugger: false },
  };
  // Written aside then renamed: a Jupyter reading it meanwhile never sees half a file.
  const tmp = join(dir, `kernel.json.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(spec, null, 2) + '\n');
  renameSync(tmp, join(dir, 'kernel.json'));
  return dir;
}

// `node dist/kernel/kernelspec.js <jupyter data dir>` installs the kernel for an existing Jupyter.
if (require.main === module) {
  const target = process.argv[2];
  if (!target) {
    console.error('usage: node kernelspec.js <jupyter data dir, e.g. the output of `jupyter --data-dir`>');
    process.exit(2);
  }
  console.log(`installed kernelspec in ${writeKernelspec(target)}`);
}
