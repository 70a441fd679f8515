#!/usr/bin/env node
// `npm run datasets -- list` and `npm run datasets -- fetch NAME [--mirror DIR] [--data-dir DIR] [--max-bytes N]`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CharRNNError } from '../errors';
import { defaultDataDir, defaultMirror, fetchDataset } from './datasets';
import { loadManifest } from './manifest';

const USAGE = 'usage: datasets list | datasets fetch NAME [--mirror DIR] [--data-dir DIR] [--max-bytes N]';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { mirror: { type: 'string' }, 'data-dir': { type: 'string' }, 'max-bytes': { type: 'string' } },
  });
  const [command, name, ...extra] = positionals;
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const mirror = values.mirror ?? defaultMirror();
  if (command === 'list' && !name) return list(dataDir, mirror);
  if (command === 'fetch' && name && !extra.length) {
    const maxBytes = values['max-bytes'] === undefined ? undefined : Number(values['max-bytes']);
    const file = await fetchDataset(name, { mirror, dataDir, maxBytes, log: (line) => console.error(line) });
    console.log(file);
    return;
  }
  throw new CharRNNError(USAGE);
}

/** One line per corpus: name, size, where a copy is, licence. */
function list(dataDir: string, mirror: string | undefined): void {
  for (const e of loadManifest()) {
    const here = fs.existsSync(path.join(dataDir, e.name, 'input.txt'));
    const inMirror = mirror !== undefined && fs.existsSync(path.join(mirror, e.name, 'input.txt'));
    const where = here
      ? 'fetched'
      : inMirror
        ? 'in mirror'
        : e.debianPackage
          ? `apt: ${e.debianPackage}`
          : e.download
            ? 'download'
            : 'mirror only';
    const size = e.bytes === undefined ? '?' : `${(e.bytes / 1e6).toFixed(2)} MB`;
    console.log(`${e.name.padEnd(16)} ${size.padStart(9)}  ${where.padEnd(22)} ${e.licence}`);
  }
  console.log(`data dir: ${dataDir}; mirror: ${mirror ?? 'none'}`);
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`error: ${e instanceof CharRNNError ? e.message : e.message.split('\n')[0]}`);
  process.exit(1);
});
