import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The PyTorch peer (kernel-lib/bench/peer.py) run with Debian's Python, torch and OpenBLAS. When they are missing the
 * bench installs them with apt-get as root, or says exactly what to install. CHARRNN_PEER_PYTHON names another Python
 * (a torch with CUDA from pip, on a GPU machine).
 */

export const PEER_PYTHON = process.env.CHARRNN_PEER_PYTHON || '/usr/bin/python3';
export const PEER_SCRIPT = path.resolve(__dirname, '..', '..', 'bench', 'peer.py');
const PACKAGES = ['python3-torch', 'libopenblas0-pthread'];

function torchVersion(): string | undefined {
  const r = spawnSync(PEER_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The peer's torch version, installing it first when possible; or `missing`: one line saying what to install. */
export function ensurePeer(log: (line: string) => void): { torch?: string; missing?: string } {
  let version = fs.existsSync(PEER_PYTHON) ? torchVersion() : undefined;
  if (version) return { torch: version };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && spawnSync('apt-get', ['--version']).status === 0) {
    log(`bench: installing the peer (apt-get install ${PACKAGES.join(' ')})`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '-q', ...PACKAGES], { env, stdio: 'ignore' }).status === 0;
    if (!install()) {
      spawnSync('apt-get', ['update', '-q'], { env, stdio: 'ignore' });
      install();
    }
    version = torchVersion();
    if (version) return { torch: version };
  }
  return {
    missing: `the PyTorch peer needs ${PEER_PYTHON} with torch: apt-get install ${PACKAGES.join(' ')} (as root)`,
  };
}

/** Runs peer.py with these arguments; its JSON result, or an error line. */
export function runPeer(args: string[]): { result?: Record<string, number>; error?: string } {
  const r = spawnSync(PEER_PYTHON, [PEER_SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { error: (r.stderr || 'peer failed').trim().split('\n').pop() };
  return { result: JSON.parse(r.stdout.trim().split('\n').pop() as string) };
}

/** Whether the peer's torch has CUDA: the GPU's name and cuDNN's version, or why not. */
export function cudaPeer(): { gpu?: string; cudnn?: number; why?: string } {
  const r = runPeer(['info']);
  if (!r.result) return { why: r.error };
  const info = r.result as unknown as { cuda: boolean; gpu: string | null; cudnn: number | null; why: string | null };
  return info.cuda ? { gpu: info.gpu ?? 'a CUDA GPU', cudnn: info.cudnn ?? undefined } : { why: info.why ?? 'no CUDA' };
}
