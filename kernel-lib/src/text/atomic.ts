import * as fs from 'node:fs';

/**
 * Write a file through a temporary name: `write` fills the open file, `check` may reject what was written
 * (by throwing), and only then is the file renamed into place. Readers never see half a file or a rejected one,
 * and a failure leaves nothing behind.
 */
export async function writeFileAtomic<T>(
  file: string,
  write: (fd: number) => T | Promise<T>,
  check: (result: T) => void = () => {},
): Promise<T> {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    let result: T;
    try {
      result = await write(fd);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    check(result);
    fs.renameSync(tmp, file);
    return result;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Write all of `bytes` at the file's current position (a single write call stops at 2 GB). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let pos = 0; pos < bytes.length;) pos += fs.writeSync(fd, bytes, pos, Math.min(bytes.length - pos, 1 << 30));
}
