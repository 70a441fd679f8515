import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CharRNNError } from '../errors';
import { writeAll, writeFileAtomic } from '../text/atomic';
import { sha256File } from '../text/corpus';
import { DatasetEntry, findDataset, repoRoot } from './manifest';
import { buildLinuxCorpus } from './linux';
import { StandInStyle, standInCorpus } from './standin';

export interface FetchOptions {
  /** A folder holding <name>/input.txt. Default: $CHARRNN_DATASETS_MIRROR, else ../shared/datasets beside the repo. */
  mirror?: string;
  /** Where verified copies go, as <dataDir>/<name>/input.txt. Default: <repo>/data (git-ignored). */
  dataDir?: string;
  /** The corpora to choose from. Default: datasets/manifest.json. */
  manifest?: DatasetEntry[];
  /** linux only: keep whole files while the corpus stays under this many bytes. */
  maxBytes?: number;
  /** Progress lines (which source is used). Default: none. */
  log?: (line: string) => void;
}

/** The default mirror folder, if there is one. */
export function defaultMirror(): string | undefined {
  if (process.env.CHARRNN_DATASETS_MIRROR) return process.env.CHARRNN_DATASETS_MIRROR;
  const beside = path.resolve(repoRoot(), '..', 'shared', 'datasets');
  return fs.existsSync(beside) ? beside : undefined;
}

export function defaultDataDir(): string {
  return path.join(repoRoot(), 'data');
}

/**
 * Put a verified copy of a corpus in the data folder and return the path of its input.txt.
 * Sources, in order: a copy already there with the right sha256; the mirror folder; the manifest's direct
 * download URLs (Node fetch). Every copy is checked against the manifest's sha256 and written under a temporary
 * name, then renamed, so a failed fetch never leaves a half file. `linux` is built from Debian's package instead.
 */
export async function fetchDataset(name: string, opts: FetchOptions = {}): Promise<string> {
  const entry = findDataset(name, opts.manifest);
  const dir = path.join(opts.dataDir ?? defaultDataDir(), name);
  const dest = path.join(dir, 'input.txt');
  const log = opts.log ?? (() => {});
  if (entry.debianPackage) return buildLinuxCorpus({ out: dest, maxBytes: opts.maxBytes, debianPackage: entry.debianPackage, log });
  if (opts.maxBytes !== undefined) throw new CharRNNError(`--max-bytes applies only to corpora built locally (linux), not '${name}'`);
  if (!entry.sha256) throw new CharRNNError(`dataset '${name}' has no sha256 in the manifest`);
  if (fs.existsSync(dest) && (await sha256File(dest)) === entry.sha256) return dest;

  const mirror = opts.mirror ?? defaultMirror();
  const mirrored = mirror && path.join(mirror, name, 'input.txt');
  const tried: string[] = [];
  if (mirrored && fs.existsSync(mirrored)) {
    log(`${name}: copying from ${mirrored}`);
    fs.mkdirSync(dir, { recursive: true });
    copyCompanions(path.dirname(mirrored), dir);
    await writeVerified(dest, fs.createReadStream(mirrored), entry.sha256, mirrored);
    return dest;
  }
  tried.push(mirror ? `no ${name}/input.txt in mirror ${mirror}` : 'no mirror folder (use --mirror DIR or $CHARRNN_DATASETS_MIRROR)');
  if (!entry.download) {
    tried.push(`no direct download: ${entry.note ?? `see ${entry.url}`}`);
    throw new CharRNNError(`cannot fetch dataset '${name}': ${tried.join('; ')}`);
  }
  log(`${name}: downloading ${entry.download.length} file(s) from ${entry.url}`);
  fs.mkdirSync(dir, { recursive: true });
  await writeVerified(dest, downloadAll(name, entry.download), entry.sha256, entry.download.join(' + '));
  return dest;
}

/** Licence and provenance files that sit beside input.txt in the mirror (a licence may require them). */
function copyCompanions(from: string, to: string): void {
  for (const f of fs.readdirSync(from)) {
    const src = path.join(from, f);
    if (f !== 'input.txt' && fs.statSync(src).isFile()) fs.copyFileSync(src, path.join(to, f));
  }
}

/** The bodies of several URLs, one after another. */
async function* downloadAll(name: string, urls: string[]): AsyncGenerator<Uint8Array> {
  for (const url of urls) {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(10 * 60 * 1000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CharRNNError(`cannot download dataset '${name}' from ${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
    if (!res.ok || !res.body) throw new CharRNNError(`cannot download dataset '${name}' from ${url}: HTTP ${res.status}`);
    yield* res.body;
  }
}

/** Stream chunks to `dest`, keeping the file only if its sha256 is the expected one. */
async function writeVerified(dest: string, chunks: AsyncIterable<Uint8Array | Buffer>, sha256: string, source: string): Promise<void> {
  const hash = createHash('sha256');
  await writeFileAtomic(
    dest,
    async (fd) => {
      for await (const chunk of chunks) {
        hash.update(chunk);
        writeAll(fd, chunk);
      }
    },
    () => {
      const got = hash.digest('hex');
      if (got !== sha256) throw new CharRNNError(`checksum mismatch for ${source}: sha256 ${got}, the manifest says ${sha256}`);
    },
  );
}

export interface CorpusSource {
  path: string;
  /** True when the corpus could not be fetched and `path` is a generated stand-in. */
  standIn: boolean;
  /** One line for the reader: which corpus this is, or why a stand-in is used. */
  message: string;
}

/**
 * For notebooks: the verified corpus when it can be fetched, else a stand-in of the same kind written to
 * <dataDir>/stand-in-<style>/input.txt, so a notebook runs everywhere and says which text it trained on.
 */
export async function datasetOrStandIn(name: string, opts: FetchOptions & { standInChars?: number } = {}): Promise<CorpusSource> {
  try {
    const file = await fetchDataset(name, opts);
    return { path: file, standIn: false, message: `dataset '${name}': ${file}` };
  } catch (e) {
    if (!(e instanceof CharRNNError) || /unknown dataset/.test(e.message)) throw e;
    const style: StandInStyle = name.startsWith('names') ? 'names' : name === 'linux' ? 'code' : 'prose';
    const dir = path.join(opts.dataDir ?? defaultDataDir(), `stand-in-${style}`);
    const file = path.join(dir, 'input.txt');
    fs.mkdirSync(dir, { recursive: true });
    const text = Buffer.from(standInCorpus({ style, chars: opts.standInChars }));
    await writeFileAtomic(file, (fd) => writeAll(fd, text));
    return { path: file, standIn: true, message: `dataset '${name}' is not available (${e.message}); using a generated ${style} stand-in: ${file}` };
  }
}
