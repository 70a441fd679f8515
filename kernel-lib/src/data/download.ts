import * as fs from 'node:fs';
import { CharRNNError } from '../errors';
import { writeAll } from '../text/atomic';

/**
 * Download `url` to `dest`. The body goes to `dest.part` first and is renamed when complete, so `dest` is always
 * whole. A download cut off midway keeps its `.part`, and the next call asks only for the rest (an HTTP Range
 * request); a server that ignores the range sends it all again, and that is written over the part.
 */
export async function downloadFile(url: string, dest: string, label: string): Promise<void> {
  if (fs.existsSync(dest)) return;
  const part = `${dest}.part`;
  const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  const res = await request(url, have > 0 ? { Range: `bytes=${have}-` } : {}, label);
  if (res.status === 416 && have > 0) {
    // The part is as long as the file or longer: it cannot be resumed, so start again from nothing.
    await res.body?.cancel();
    fs.rmSync(part);
    return downloadFile(url, dest, label);
  }
  if (!res.ok || !res.body) throw new CharRNNError(`cannot download ${label} from ${url}: HTTP ${res.status}`);
  const resumed = res.status === 206;
  const expected = Number(res.headers.get('content-length') ?? NaN);
  const fd = fs.openSync(part, resumed ? 'a' : 'w');
  let got = 0;
  try {
    for await (const chunk of res.body) {
      writeAll(fd, chunk);
      got += chunk.length;
    }
  } catch {
    throw cutOff(label, url, (resumed ? have : 0) + got);
  } finally {
    fs.closeSync(fd);
  }
  if (Number.isFinite(expected) && got < expected) throw cutOff(label, url, (resumed ? have : 0) + got);
  fs.renameSync(part, dest);
}

async function request(url: string, headers: Record<string, string>, label: string): Promise<Response> {
  try {
    return await fetch(url, { headers, signal: AbortSignal.timeout(10 * 60 * 1000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new CharRNNError(
      `cannot download ${label} from ${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
    );
  }
}

function cutOff(label: string, url: string, bytes: number): CharRNNError {
  return new CharRNNError(
    `the download of ${label} from ${url} was cut off after ${bytes} bytes; run the same command again to resume it`,
  );
}
