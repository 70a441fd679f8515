import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CharRNNError } from '../errors';
import { writeAll, writeFileAtomic } from '../text/atomic';
import { sha256File } from '../text/corpus';
import { DatasetEntry, findDataset, repoRoot } from './manifest';
import { downloadFile } from './download';
import { buildLinuxCorpus } from './linux';
import { applyRecipe } from './recipes';
import { StandInStyle, standInCorpus } from './standin';

export interface FetchOptions {
  /** A folder holding <name>/input.txt. Default: $CHARRNN_DATASETS_MIRROR, else ../shared/datasets beside the repo. */
  mirror?: string;
  /** Where verified copies go, as <dataDir>/<name>/input.txt. Default: defaultDataDir(). */
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

/** The project's data folder, <repo>/data (git-ignored): a corpus fetched there once serves every user of this install. */
export function sharedDataDir(): string {
  return path.join(repoRoot(), 'data');
}

/**
 * Where fetched corpora go: the project's data folder, or for a user who cannot write there (a student on a class
 * server, where the teacher's install is read-only to them) $XDG_CACHE_HOME/charrnn/datasets in their own home.
 */
export function defaultDataDir(): string {
  const shared = sharedDataDir();
  let existing = shared;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  try {
    fs.accessSync(existing, fs.constants.W_OK);
    return shared;
  } catch {
    return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'charrnn', 'datasets');
  }
}

/**
 * Put a verified copy of a corpus in the data folder and return the path of its input.txt.
 * Sources, in order: a copy already there (or, with no dataDir given, in the shared data folder) with the right
 * sha256, or for linux one already built; the mirror folder; the manifest's download
 * URLs (resumable, see download.ts), made into the corpus by the entry's recipe (recipes.ts). Every copy is checked
 * against the manifest's sha256 and written under a temporary name, then renamed, so a failed fetch never leaves a
 * half file. `linux` is built from Debian's package instead.
 */
export async function fetchDataset(name: string, opts: FetchOptions = {}): Promise<string> {
  const entry = findDataset(name, opts.manifest);
  const dir = path.join(opts.dataDir ?? defaultDataDir(), name);
  const dest = path.join(dir, 'input.txt');
  const log = opts.log ?? (() => {});
  const shared = opts.dataDir === undefined ? path.join(sharedDataDir(), name, 'input.txt') : dest;
  if (entry.debianPackage && !fs.existsSync(dest) && fs.existsSync(shared)) return shared;
  if (entry.debianPackage)
    return buildLinuxCorpus({
      out: dest,
      maxBytes: opts.maxBytes,
      debianPackage: entry.debianPackage,
      debianVersion: entry.debianVersion,
      log,
    });
  if (opts.maxBytes !== undefined)
    throw new CharRNNError(`--max-bytes applies only to corpora built locally (linux), not '${name}'`);
  if (!entry.sha256) throw new CharRNNError(`dataset '${name}' has no sha256 in the manifest`);
  for (const ready of new Set([dest, shared]))
    if (fs.existsSync(ready) && (await sha256File(ready)) === entry.sha256) return ready;

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
  tried.push(
    mirror
      ? `no ${name}/input.txt in mirror ${mirror}`
      : 'no mirror folder (use --mirror DIR or $CHARRNN_DATASETS_MIRROR)',
  );
  if (!entry.download) {
    tried.push(`no direct download: ${entry.note ?? `see ${entry.url}`}`);
    throw new CharRNNError(`cannot fetch dataset '${name}': ${tried.join('; ')}`);
  }
  const urls = downloadUrls(entry);
  log(
    `${name}: downloading ${urls.length} file(s) from ${entry.url}${entry.recipe ? ` (recipe: ${entry.recipe})` : ''}`,
  );
  const downloads = path.join(dir, 'downloads');
  fs.mkdirSync(downloads, { recursive: true });
  const files: Buffer[] = [];
  for (const [i, url] of urls.entries()) {
    const file = path.join(downloads, `${i}-${path.basename(new URL(url).pathname).replace(/[^\w.-]/g, '_')}`);
    await downloadFile(url, file, `dataset '${name}'`);
    files.push(fs.readFileSync(file));
  }
  try {
    await writeVerified(dest, [applyRecipe(entry.recipe, files)], entry.sha256, `${name} as made from ${entry.url}`);
  } finally {
    // Whole downloads are kept only to resume a later call; once they made the corpus, or made a wrong one
    // (a changed upstream file: downloading it again cannot help until the manifest changes), they go.
    fs.rmSync(downloads, { recursive: true, force: true });
  }
  return dest;
}

const GITHUB_RAW = 'https://raw.githubusercontent.com/';

/**
 * The manifest's download URLs, each resolved against `downloadBase` when it has one. $CHARRNN_DOWNLOADS_URL, when
 * set, serves the same paths in place of GitHub's raw server (a class's local copy, a test's loopback server).
 */
export function downloadUrls(entry: DatasetEntry, local = process.env.CHARRNN_DOWNLOADS_URL): string[] {
  const urls = (entry.download ?? []).map((u) => new URL(u, entry.downloadBase).href);
  if (!local) return urls;
  const base = local.endsWith('/') ? local : `${local}/`;
  return urls.map((u) => (u.startsWith(GITHUB_RAW) ? base + u.slice(GITHUB_RAW.length) : u));
}

/** Licence and provenance files that sit beside input.txt in the mirror (a licence may require them). */
function copyCompanions(from: string, to: string): void {
  for (const f of fs.readdirSync(from)) {
    const src = path.join(from, f);
    if (f !== 'input.txt' && fs.statSync(src).isFile()) fs.copyFileSync(src, path.join(to, f));
  }
}

/** Stream chunks to `dest`, keeping the file only if its sha256 is the expected one. */
async function writeVerified(
  dest: string,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  sha256: string,
  source: string,
): Promise<void> {
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
      if (got !== sha256)
        throw new CharRNNError(`checksum mismatch for ${source}: sha256 ${got}, the manifest says ${sha256}`);
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
export async function datasetOrStandIn(
  name: string,
  opts: FetchOptions & { standInChars?: number } = {},
): Promise<CorpusSource> {
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
    return {
      path: file,
      standIn: true,
      message: `dataset '${name}' is not available (${e.message}); using a generated ${style} stand-in: ${file}`,
    };
  }
}
