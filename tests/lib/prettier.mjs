// Our formatter's file list and run: Prettier (settings in package.json: printWidth 120, the comments' width, and
// single quotes) over the TypeScript, JavaScript, CSS and JSON that git tracks or would track, except files that
// tools write (the pretrained models' JSON, package-lock.json).
//   node tests/lib/prettier.mjs            lists the files Prettier would change (exit 1 when there are any)
//   node tests/lib/prettier.mjs --write    formats them (npm run format)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FORMATTED = /\.(ts|js|mjs|cjs|css|json)$/;
const WRITTEN_BY_TOOLS = [/^kernel-lib\/pretrained\//, /^package-lock\.json$/];

/** Repository-relative paths of the files we keep formatted. */
export function formattedFiles() {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return listed
    .split('\n')
    .filter((file) => FORMATTED.test(file) && !WRITTEN_BY_TOOLS.some((re) => re.test(file)))
    .filter((file) => fs.existsSync(path.join(root, file)));
}

/** The files whose text Prettier would change; with write = true, changes them. */
export async function unformatted({ write = false } = {}) {
  const changed = [];
  for (const file of formattedFiles()) {
    const full = path.join(root, file);
    const text = fs.readFileSync(full, 'utf8');
    const options = { ...(await prettier.resolveConfig(full)), filepath: full };
    if (await prettier.check(text, options)) continue;
    changed.push(file);
    if (write) fs.writeFileSync(full, await prettier.format(text, options));
  }
  return changed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const write = process.argv.includes('--write');
  const changed = await unformatted({ write });
  for (const file of changed) console.log(write ? `formatted ${file}` : file);
  if (!write && changed.length > 0) {
    console.error(`${changed.length} file(s) not formatted; run: npm run format`);
    process.exit(1);
  }
}
