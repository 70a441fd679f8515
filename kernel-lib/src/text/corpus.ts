import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CharRNNError } from '../errors';
import { writeAll, writeFileAtomic } from './atomic';
import { CharIds, Vocab, idArray, showChars } from './vocab';

/** A text encoded with its vocabulary. */
export interface Corpus {
  vocab: Vocab;
  /** One char id per character of the text. */
  data: CharIds;
  /** The file it was loaded from, if any. */
  path?: string;
  /** sha256 (hex) of the text's UTF-8 bytes. */
  sha256: string;
  /** Size of the text in UTF-8 bytes. */
  bytes: number;
}

export interface LoadOptions {
  /** Encode with this vocabulary (resuming, evaluating): chars outside it are an error. Default: the file's own. */
  vocab?: Vocab;
  /**
   * Where encoded corpora are cached, keyed by the file's sha256; false turns the cache off.
   * Default: $CHARRNN_CACHE_DIR, else $XDG_CACHE_HOME/charrnn/corpora, else ~/.cache/charrnn/corpora.
   */
  cacheDir?: string | false;
  /** Files smaller than this are not cached (they encode faster than the cache is read). Default 1 MiB. */
  cacheMinBytes?: number;
  /** Bytes read per chunk while streaming the file. Default 16 MiB. */
  chunkSize?: number;
}

const CACHE_FORMAT = 1;

/** The default cache folder for encoded corpora (see LoadOptions.cacheDir). */
export function defaultCacheDir(): string {
  if (process.env.CHARRNN_CACHE_DIR) return process.env.CHARRNN_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'charrnn', 'corpora');
}

/**
 * Load a UTF-8 text file as a corpus. The file is streamed in chunks (no JS string of the whole file):
 * one pass hashes it, a cache hit returns the ids stored for that hash, else a second pass decodes and encodes it.
 * Rejects missing, empty, binary (NUL bytes) and invalid UTF-8 files with a CharRNNError naming the file.
 */
export async function loadCorpus(file: string, opts: LoadOptions = {}): Promise<Corpus> {
  const chunkSize = opts.chunkSize ?? 16 << 20;
  const bytes = fileSize(file);
  if (bytes === 0) throw new CharRNNError(`${file} is empty`);
  const sha256 = await sha256File(file, chunkSize).catch((e: Error) => {
    throw new CharRNNError(`cannot read ${file}: ${e.message}`);
  });
  const cacheDir = opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir;
  const useCache = cacheDir !== false && bytes >= (opts.cacheMinBytes ?? 1 << 20);
  let own = useCache ? readCache(cacheDir, sha256) : undefined;
  if (!own) {
    own = await encodeFile(file, bytes, chunkSize);
    if (useCache) await writeCache(cacheDir, sha256, own);
  }
  const { vocab, data } = opts.vocab ? remap(own, opts.vocab, file) : own;
  return { vocab, data, path: file, sha256, bytes };
}

/** A corpus from a string already in memory (tests, notebooks, small texts). */
export function corpusFromText(text: string, vocab?: Vocab): Corpus {
  if (text.length === 0) throw new CharRNNError('the text is empty');
  const v = vocab ?? Vocab.fromText(text);
  const utf8 = Buffer.from(text, 'utf8');
  return {
    vocab: v,
    data: v.encode(text),
    sha256: createHash('sha256').update(utf8).digest('hex'),
    bytes: utf8.length,
  };
}

function fileSize(file: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new CharRNNError(`cannot read ${file}: no such file`);
  }
  if (!st.isFile()) throw new CharRNNError(`cannot read ${file}: not a regular file`);
  return st.size;
}

/** sha256 (hex) of a file, read in chunks. */
export async function sha256File(file: string, chunkSize = 16 << 20): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: chunkSize })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Decode and encode a file in one streaming pass. Ids are first given in order of first appearance
 * (the vocabulary is unknown until the end), then remapped in place to the sorted vocabulary.
 * Written by hand, not with Vocab.encode, because it must see the whole file without holding it as a string.
 */
async function encodeFile(file: string, bytes: number, chunkSize: number): Promise<{ vocab: Vocab; data: CharIds }> {
  const firstSeen = new Int32Array(0x110000).fill(-1); // code point -> id in order of first appearance
  const codePoints: number[] = []; // id in order of first appearance -> code point
  let data: CharIds = new Uint16Array(bytes); // a file never has more chars than bytes
  let n = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });

  const add = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
        const lo = text.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo < 0xe000) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          i++;
        }
      }
      let id = firstSeen[cp];
      if (id < 0) {
        if (cp === 0) throw new CharRNNError(`${file} looks binary: it contains NUL bytes`);
        id = firstSeen[cp] = codePoints.length;
        codePoints.push(cp);
        if (id === 65536) data = Uint32Array.from(data);
      }
      data[n++] = id;
    }
  };

  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: chunkSize })) {
      add(decoder.decode(chunk as Buffer, { stream: true }));
    }
    add(decoder.decode());
  } catch (e) {
    if (e instanceof CharRNNError) throw e;
    if (e instanceof TypeError) throw new CharRNNError(`${file} is not valid UTF-8 text (binary?)`);
    throw new CharRNNError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (n === 0) throw new CharRNNError(`${file} is empty`);

  const vocab = Vocab.fromCodePoints(codePoints);
  const toSorted = Int32Array.from(codePoints, (cp) => vocab.idOf(cp));
  for (let i = 0; i < n; i++) data[i] = toSorted[data[i]];
  // Mostly 1-byte text leaves little unused room: keep the view rather than copy (a copy would double the peak memory).
  return { vocab, data: n >= 0.9 * data.length ? data.subarray(0, n) : data.slice(0, n) };
}

/** Re-express a corpus encoded with its own vocabulary in another one (which must contain all its chars). */
function remap(own: { vocab: Vocab; data: CharIds }, vocab: Vocab, file: string): { vocab: Vocab; data: CharIds } {
  const unknown = own.vocab.chars.filter((ch) => !vocab.has(ch));
  if (unknown.length)
    throw new CharRNNError(`${file} has characters not in the model's vocabulary: ${showChars(unknown)}`);
  const map = Int32Array.from(own.vocab.chars, (ch) => vocab.idOf(ch.codePointAt(0)!));
  const data = idArray(vocab.size, own.data.length);
  for (let i = 0; i < data.length; i++) data[i] = map[own.data[i]];
  return { vocab, data };
}

// The cache holds two files per corpus: <sha256>.ids (the ids, raw little-endian) and <sha256>.json
// ({ format, chars, idBytes, vocab }). The .json is written last, so a present .json means a complete entry.

function readCache(dir: string, sha256: string): { vocab: Vocab; data: CharIds } | undefined {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, `${sha256}.json`), 'utf8'));
    if (meta.format !== CACHE_FORMAT) return undefined;
    const vocab = Vocab.fromChars(meta.vocab);
    const data = idArray(vocab.size, meta.chars);
    if (data.BYTES_PER_ELEMENT !== meta.idBytes) return undefined;
    const fd = fs.openSync(path.join(dir, `${sha256}.ids`), 'r');
    try {
      if (fs.fstatSync(fd).size !== data.byteLength) return undefined;
      const view = new Uint8Array(data.buffer);
      for (let pos = 0; pos < view.length;)
        pos += fs.readSync(fd, view, pos, Math.min(view.length - pos, 1 << 30), pos);
    } finally {
      fs.closeSync(fd);
    }
    return { vocab, data };
  } catch {
    return undefined; // no entry, or an unreadable one: encode the file again
  }
}

async function writeCache(dir: string, sha256: string, corpus: { vocab: Vocab; data: CharIds }): Promise<void> {
  const meta = {
    format: CACHE_FORMAT,
    chars: corpus.data.length,
    idBytes: corpus.data.BYTES_PER_ELEMENT,
    vocab: corpus.vocab.toJSON(),
  };
  const bytes = new Uint8Array(corpus.data.buffer, corpus.data.byteOffset, corpus.data.byteLength);
  try {
    fs.mkdirSync(dir, { recursive: true });
    await writeFileAtomic(path.join(dir, `${sha256}.ids`), (fd) => writeAll(fd, bytes));
    await writeFileAtomic(path.join(dir, `${sha256}.json`), (fd) => writeAll(fd, Buffer.from(JSON.stringify(meta))));
  } catch {
    // A cache that cannot be written (read-only folder, full disk) only costs speed on the next load.
  }
}

/** Train / validation / test parts of a corpus: contiguous views of its data, in that order (no copies). */
/** The three parts of a text, in order. */
export const SPLITS = ['train', 'val', 'test'] as const;
export type Splits = Record<(typeof SPLITS)[number], CharIds>;

/** Cut data into train (first trainFrac of the chars), val (next valFrac) and test (the rest). */
export function splitCorpus(data: CharIds, trainFrac = 0.9, valFrac = 0.05): Splits {
  if (!(trainFrac > 0 && trainFrac <= 1)) throw new CharRNNError(`train fraction must be in (0, 1], got ${trainFrac}`);
  if (!(valFrac >= 0 && valFrac < 1)) throw new CharRNNError(`validation fraction must be in [0, 1), got ${valFrac}`);
  if (trainFrac + valFrac > 1 + 1e-9)
    throw new CharRNNError(`train + validation fractions must be at most 1, got ${trainFrac} + ${valFrac}`);
  const nTrain = Math.floor(data.length * trainFrac);
  const nVal = Math.min(Math.floor(data.length * valFrac), data.length - nTrain);
  return {
    train: data.subarray(0, nTrain),
    val: data.subarray(nTrain, nTrain + nVal),
    test: data.subarray(nTrain + nVal),
  };
}
