import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const KERNEL_NAME = 'charrnn';
const LIBRARY = '@charrnn/kernel';

/**
 * The node_modules folder this library is installed in (the workspace's link to it, or npm's copy), which holds
 * its dependencies too (npm installs them flat beside it). Found as Node would find the library from here.
 */
function libraryFolder(): string | undefined {
  return require.resolve.paths(LIBRARY)?.find((dir) => existsSync(join(dir, LIBRARY, 'package.json')));
}

/**
 * Writes the kernelspec into `<jupyterDataDir>/kernels/charrnn/kernel.json` and returns its folder.
 * Jupyter finds it when jupyterDataDir is on JUPYTER_PATH (npm start keeps it project-local, in .jupyter/).
 * interrupt_mode "signal": Jupyter sends SIGINT to the kernel's process group, which reaches it even while a
 * cell blocks the event loop (a message could not be read then); see interrupt.ts for what it stops.
 * NODE_PATH is the library's folder, so a notebook in any folder imports it and the TF.js it runs on (as a
 * Python kernel's site-packages); the kernel's type checking follows NODE_PATH too (see cells.ts).
 */
export function writeKernelspec(jupyterDataDir: string): string {
  const dir = join(resolve(jupyterDataDir), 'kernels', KERNEL_NAME);
  mkdirSync(dir, { recursive: true });
  const nodePath = libraryFolder();
  const spec = {
    argv: [process.execPath, join(__dirname, 'main.js'), '{connection_file}'],
    display_name: 'charrnn (TypeScript)',
    language: 'typescript',
    interrupt_mode: 'signal',
    env: nodePath ? { NODE_PATH: nodePath } : {},
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
