import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveCheckpoint } from '../pretrained/pretrained';
import { resolveCheckpointDir } from '../train/checkpoint';
import { onePositional, Parsed } from './args';

/** Whether loadCheckpoint finds a checkpoint at `where`: itself, its latest/ or a copy a crash left beside it. */
function isCheckpoint(where: string): boolean {
  try {
    resolveCheckpointDir(where);
    return true;
  } catch {
    return false;
  }
}

/**
 * The checkpoint a command's CKPT_DIR names: a checkpoint folder, a run folder (its latest/), or `pretrained:NAME`
 * (the stored model's folder). RUN/best of a run that saved no best/ (stopped before its first validation) is its
 * RUN/latest, said on stderr, so `charrnn export-page cv/best` works after a short run. Not in the library: a
 * trainer asks for best/ to learn whether there is one.
 */
export function checkpointArg(p: Parsed, what: string): string {
  const where = resolveCheckpoint(onePositional(p, what));
  const latest = path.join(path.dirname(where), 'latest');
  const noBest = path.basename(where) === 'best' && !fs.existsSync(where) && !isCheckpoint(where);
  if (!noBest || !isCheckpoint(latest)) return where;
  process.stderr.write(`charrnn: ${where} does not exist (its run saved no best/ yet); using ${latest}\n`);
  return latest;
}
