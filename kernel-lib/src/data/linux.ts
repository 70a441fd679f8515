import { spawn, spawnSync } from 'node:child_process';
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Parser, ReadEntry } from 'tar';
import { CharRNNError } from '../errors';
import { writeAll, writeFileAtomic } from '../text/atomic';
import { sha256File } from '../text/corpus';

/** What a build of the Linux corpus used and produced; saved as BUILD.json beside input.txt. */
export interface LinuxBuild {
  tarball: string;
  tarballBytes: number;
  packageVersion: string | null;
  maxBytes: number | null;
  /** Source files included, and .c/.h files left out because they are not UTF-8 text. */
  files: number;
  skipped: number;
  bytes: number;
  sha256: string;
}

export interface LinuxOptions {
  /** Where the corpus goes (e.g. data/linux/input.txt). */
  out: string;
  /** Keep whole files, in archive order, while the corpus stays within this many bytes. Default: all. */
  maxBytes?: number;
  /** The kernel source .tar.xz. Default: /usr/src/<debianPackage>.tar.xz, installed with apt-get when missing. */
  tarball?: string;
  debianPackage?: string;
  /** The package version the pretrained models' text came from: installed when the package is missing. */
  debianVersion?: string;
  log?: (line: string) => void;
}

/**
 * The seed's Linux corpus: every .c and .h file of the kernel source concatenated (~1.18 GB for 6.1).
 * The .tar.xz is streamed through `xz -d` and read entry by entry, so nothing is extracted to disk.
 * Files that are not valid UTF-8 (a few old drivers are Latin-1) are left out so the corpus loads as text.
 * A second call with the same tarball and cap reuses the corpus when its sha256 still matches.
 */
export async function buildLinuxCorpus(opts: LinuxOptions): Promise<string> {
  const log = opts.log ?? (() => {});
  const pkg = opts.debianPackage ?? 'linux-source-6.1';
  const tarball = opts.tarball ?? linuxTarball(pkg, opts.debianVersion, log);
  if (!fs.existsSync(tarball)) throw new CharRNNError(`cannot read ${tarball}: no such file`);
  const maxBytes = opts.maxBytes ?? null;
  if (maxBytes !== null && !(Number.isInteger(maxBytes) && maxBytes > 0))
    throw new CharRNNError(`--max-bytes must be a positive integer, got ${maxBytes}`);
  const infoFile = path.join(path.dirname(opts.out), 'BUILD.json');
  const tarballBytes = fs.statSync(tarball).size;
  const previous = readBuild(infoFile);
  if (
    previous &&
    previous.tarball === tarball &&
    previous.tarballBytes === tarballBytes &&
    previous.maxBytes === maxBytes &&
    fs.existsSync(opts.out) &&
    (await sha256File(opts.out)) === previous.sha256
  ) {
    return opts.out;
  }
  log(`linux: concatenating the .c and .h files of ${tarball}${maxBytes ? ` (at most ${maxBytes} bytes)` : ''}`);
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  const result = await writeFileAtomic(
    opts.out,
    (fd) => concatSources(tarball, fd, maxBytes ?? Infinity),
    (r) => {
      if (r.bytes === 0)
        throw new CharRNNError(`no .c or .h text files in ${tarball}${maxBytes ? ` fit in ${maxBytes} bytes` : ''}`);
    },
  );
  const build: LinuxBuild = {
    tarball,
    tarballBytes,
    packageVersion: opts.tarball ? null : packageVersion(pkg),
    maxBytes,
    ...result,
  };
  if (build.packageVersion && opts.debianVersion && build.packageVersion !== opts.debianVersion) {
    log(
      `linux: built from ${pkg} ${build.packageVersion}; the pretrained models' text is from ${opts.debianVersion}, so a few files differ ` +
        `(apt-get install ${pkg}=${opts.debianVersion} gives the same text, while Debian keeps that version)`,
    );
  }
  fs.writeFileSync(infoFile, JSON.stringify(build, null, 2) + '\n');
  log(`linux: ${result.files} files, ${result.bytes} bytes (${result.skipped} non-UTF-8 files left out)`);
  return opts.out;
}

/**
 * Append the .c and .h files of a .tar.xz to an open file, in archive order, whole files only,
 * stopping before the first file that would pass maxBytes.
 */
export function concatSources(
  tarball: string,
  fd: number,
  maxBytes: number,
): Promise<{ files: number; skipped: number; bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const counts = { files: 0, skipped: 0, bytes: 0 };
    let done = false;
    const xz = spawn('xz', ['-dc', tarball], { stdio: ['ignore', 'pipe', 'pipe'] });
    let xzError = '';
    xz.stderr.on('data', (c: Buffer) => (xzError += c.toString()));
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      if (err) return reject(err);
      resolve({ ...counts, sha256: hash.digest('hex') });
    };
    const parser = new Parser({
      filter: (p, entry) => /\.[ch]$/.test(p) && (entry as ReadEntry).type === 'File',
      onReadEntry: (entry: ReadEntry) => {
        const parts: Buffer[] = [];
        entry.on('data', (c: Buffer) => parts.push(c));
        entry.on('end', () => {
          if (done) return;
          const body = Buffer.concat(parts);
          if (body.includes(0) || !isUtf8(body)) {
            counts.skipped++;
          } else if (counts.bytes + body.length > maxBytes) {
            xz.kill();
            finish();
          } else {
            writeAll(fd, body);
            hash.update(body);
            counts.files++;
            counts.bytes += body.length;
          }
        });
      },
    });
    // Done when the parser has read everything and xz has exited cleanly (either can come first).
    let parsed = false;
    let exitCode: number | null | undefined;
    const settle = () => {
      if (!parsed || exitCode === undefined) return;
      if (exitCode === 0) finish();
      else finish(new CharRNNError(`xz could not read ${tarball}: ${xzError.trim().split('\n')[0]}`));
    };
    xz.on('error', (e) =>
      finish(new CharRNNError(`cannot run xz to read ${tarball} (apt-get install xz-utils): ${e.message}`)),
    );
    xz.on('exit', (code) => {
      exitCode = code;
      settle();
    });
    parser.on('error', (e: Error) =>
      finish(new CharRNNError(`${tarball} is not a readable tar archive: ${e.message}`)),
    );
    parser.on('close', () => {
      parsed = true;
      settle();
    });
    xz.stdout.pipe(parser);
  });
}

/**
 * /usr/src/<pkg>.tar.xz, installing Debian's package first when it is missing and we are root: the pinned version
 * when Debian still has it (its security archive keeps a few), else the current one.
 */
function linuxTarball(pkg: string, version: string | undefined, log: (line: string) => void): string {
  const file = `/usr/src/${pkg}.tar.xz`;
  if (fs.existsSync(file)) return file;
  if (process.getuid?.() !== 0)
    throw new CharRNNError(
      `${file} is missing: install it with 'sudo apt-get install ${version ? `${pkg}=${version}` : pkg}'`,
    );
  const install = (target: string) => {
    log(`linux: installing Debian's ${target} with apt-get`);
    return spawnSync('apt-get', ['install', '-y', '--no-install-recommends', target], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  };
  const targets = version ? [`${pkg}=${version}`, pkg] : [pkg];
  let r = install(targets[0]);
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'ignore' });
    for (const target of targets) if ((r = install(target)).status === 0) break;
  }
  if (r.status !== 0 || !fs.existsSync(file)) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').pop();
    throw new CharRNNError(`apt-get install ${pkg} failed${why ? `: ${why}` : ''}`);
  }
  return file;
}

function packageVersion(pkg: string): string | null {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout ? r.stdout : null;
}

function readBuild(file: string): LinuxBuild | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
