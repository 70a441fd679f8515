/**
 * The safetensors file format (huggingface/safetensors, its README's "Format" section): an 8-byte little-endian
 * header length N, N bytes of JSON ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string:
 * string}}), then the tensors' raw little-endian bytes, offsets counted from the end of the header. Written here
 * rather than with an npm package: the format is these few lines, and the reader must refuse a damaged or hostile
 * file with one clear line before it allocates anything, which is most of the code below.
 */
import { CharRNNError } from '../errors';

/** The dtypes charrnn reads and writes: float32, and float16 (what the pretrained models store). */
export type SafetensorsDtype = 'F32' | 'F16';
const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2 };

export interface StoredTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** The tensor's bytes, little-endian, a view into the file's buffer. */
  bytes: Uint8Array;
}

export interface Safetensors {
  tensors: Map<string, StoredTensor>;
  metadata: Record<string, string>;
}

/** The header of a file is at most this large (the format's own limit): a longer claim is damage, not a model. */
const MAX_HEADER = 100_000_000;

/** The file's bytes for `tensors` (written in the order given) and the string `metadata`. */
export function writeSafetensors(tensors: [string, StoredTensor][], metadata: Record<string, string>): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // the data starts 8-byte aligned, as the format advises
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([head, Buffer.from(json), ...tensors.map(([, t]) => t.bytes)]);
}

/**
 * Reads a safetensors file's bytes: every claim of the header (its length, each dtype, shape and offset range) is
 * checked against the file's size before any tensor is looked at, so a truncated file, a header that lies about
 * offsets or a huge declared shape is one clear error naming `what`, and nothing is allocated past the file.
 */
export function readSafetensors(file: Uint8Array, what: string): Safetensors {
  const fail = (why: string): never => {
    throw new CharRNNError(`${what} is not a usable safetensors file: ${why}`);
  };
  if (file.byteLength < 8) fail(`${file.byteLength} bytes, shorter than the 8-byte header length`);
  const n = Buffer.from(file.buffer, file.byteOffset, 8).readBigUInt64LE();
  if (n > BigInt(file.byteLength - 8))
    fail(`the header is said to be ${n} bytes, but only ${file.byteLength - 8} follow (a truncated file?)`);
  if (n > BigInt(MAX_HEADER)) fail(`a header of ${n} bytes, more than the format's ${MAX_HEADER}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(file.buffer, file.byteOffset + 8, Number(n)).toString('utf8'));
  } catch (e) {
    return fail(`the header is not JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) return fail('the header is not a JSON object');
  const data = file.subarray(8 + Number(n));
  const { __metadata__: meta, ...entries } = header;
  const tensors = new Map<string, StoredTensor>();
  const ranges: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(entries)) {
    const t = checkEntry(name, entry, data.byteLength, fail);
    ranges.push([t.begin, t.end, name]);
    tensors.set(name, { dtype: t.dtype, shape: t.shape, bytes: data.subarray(t.begin, t.end) });
  }
  checkCoverage(ranges, data.byteLength, fail);
  return { tensors, metadata: checkMetadata(meta, fail) };
}

/** One header entry, checked: a known dtype, a shape of whole numbers, an offset range inside the data that holds exactly the shape's bytes. */
function checkEntry(
  name: string,
  entry: unknown,
  dataBytes: number,
  fail: (why: string) => never,
): { dtype: SafetensorsDtype; shape: number[]; begin: number; end: number } {
  const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (!e || typeof e !== 'object') fail(`the entry of ${name} is not an object`);
  if (!(typeof e.dtype === 'string' && e.dtype in BYTES))
    fail(`${name} has dtype ${JSON.stringify(e.dtype)}; charrnn reads F32 and F16 (save float32 or float16 weights)`);
  const dtype = e.dtype as SafetensorsDtype;
  const shape = e.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    fail(`${name} has shape ${JSON.stringify(shape)}, not a list of whole numbers`);
  const offsets = e.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
    fail(`${name} has data_offsets ${JSON.stringify(offsets)}, not [begin, end]`);
  const [begin, end] = offsets as number[];
  if (begin > end || end > dataBytes)
    fail(`${name} is said to lie at bytes ${begin}..${end}, but the data holds ${dataBytes} bytes`);
  // The shape's size, stopped as soon as it passes what the range holds: a huge declared shape is caught here
  // without an overflowing product.
  let bytes = BYTES[dtype];
  for (const d of shape as number[]) {
    bytes *= d;
    if (bytes > end - begin) break;
  }
  if (bytes !== end - begin)
    fail(`${name} is declared ${dtype} ${JSON.stringify(shape)}, which is not the ${end - begin} bytes of its range`);
  return { dtype, shape: shape as number[], begin, end };
}

/** The format's rule that the tensors cover the data exactly, without holes or overlaps. */
function checkCoverage(ranges: [number, number, string][], dataBytes: number, fail: (why: string) => never): void {
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let at = 0;
  for (const [begin, end, name] of ranges) {
    if (begin !== at) fail(begin < at ? `${name} overlaps the tensor before it` : `a gap in the data before ${name}`);
    at = end;
  }
  if (at !== dataBytes) fail(`${dataBytes - at} bytes after the last tensor belong to none`);
}

function checkMetadata(meta: unknown, fail: (why: string) => never): Record<string, string> {
  if (meta === undefined) return {};
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return fail('__metadata__ is not an object');
  for (const [k, v] of Object.entries(meta))
    if (typeof v !== 'string') fail(`__metadata__.${k} is not a string (the format allows only strings)`);
  return meta as Record<string, string>;
}
