import * as fs from 'node:fs';
import * as path from 'node:path';
import { CharRNNError } from '../errors';

/** One corpus of datasets/manifest.json. */
export interface DatasetEntry {
  name: string;
  description: string;
  /** Canonical public source (repository page or package page). */
  url: string;
  /** The files input.txt is made from, pinned by commit: URLs, or paths relative to `downloadBase`. */
  download?: string[];
  downloadBase?: string;
  /** How the downloads become input.txt (recipes.ts); default: concatenated in order. */
  recipe?: string;
  licence: string;
  /** Size and sha256 of input.txt; absent for corpora built locally (linux). */
  bytes?: number;
  sha256?: string;
  /** Debian package the corpus is built from (linux), and the version the pretrained models' text came from. */
  debianPackage?: string;
  debianVersion?: string;
  /** Starts of a built corpus that models were trained on: the first `chars` characters and their sha256. */
  prefixes?: { chars: number; sha256: string; usedBy: string }[];
  note?: string;
}

/** The repository root: kernel-lib/dist/data -> ../../.. (the library runs from its workspace folder). */
export function repoRoot(): string {
  return path.resolve(__dirname, '..', '..', '..');
}

/** The corpora of datasets/manifest.json. */
export function loadManifest(file = path.join(repoRoot(), 'datasets', 'manifest.json')): DatasetEntry[] {
  let json: { datasets?: DatasetEntry[] };
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CharRNNError(`cannot read the dataset manifest ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(json.datasets)) throw new CharRNNError(`${file} has no "datasets" list`);
  return json.datasets;
}

/** The manifest entry of a corpus, or a CharRNNError listing the known names. */
export function findDataset(name: string, manifest: DatasetEntry[] = loadManifest()): DatasetEntry {
  const entry = manifest.find((e) => e.name === name);
  if (!entry) throw new CharRNNError(`unknown dataset '${name}'; known: ${manifest.map((e) => e.name).join(', ')}`);
  return entry;
}
