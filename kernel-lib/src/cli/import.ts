import * as fs from 'node:fs';
import { CELL_TYPES } from '@charrnn/schema';
import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { modelFromSafetensors } from '../interop/pytorch-file';
import { Vocab } from '../text/vocab';
import { saveCheckpoint } from '../train/checkpoint';
import { Command, parseFlags, onePositional } from './args';

export const command = {
  usage: 'FILE.safetensors --out CKPT_DIR [--vocab FILE] [--cell lstm|gru|rnn]',
  summary: 'Makes a checkpoint from a safetensors file: an export, or a PyTorch model saved under the same names.',
  flags: {
    out: { type: 'string', arg: 'CKPT_DIR', help: 'the checkpoint folder to write (required; a new or empty one)' },
    vocab: {
      type: 'string',
      arg: 'FILE',
      help: "the characters in id order, where the file's metadata has none: a JSON list, or a text whose sorted distinct characters they are (Python's sorted(set(text)))",
    },
    cell: { type: 'string', choices: CELL_TYPES, help: 'the cell type (default: from the metadata or the gate count)' },
  },
} satisfies Command;

/** The --vocab file's characters: a JSON list as written, else the text's distinct characters sorted. */
function readVocab(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CharRNNError(`cannot read --vocab ${file}: ${(e as Error).message}`);
  }
  try {
    const list = JSON.parse(text);
    if (Array.isArray(list)) return list;
  } catch {
    // not JSON: a text
  }
  return Vocab.fromText(text).chars;
}

/** charrnn import model.safetensors --out CKPT_DIR: a checkpoint that sample, eval and the notebooks open. */
export async function run(argv: string[]): Promise<void> {
  const p = parseFlags(argv, command);
  const file = onePositional(p, 'safetensors file (charrnn import FILE.safetensors --out CKPT_DIR)');
  const v = p.values;
  if (v.out === undefined) throw new CharRNNError('import needs --out CKPT_DIR, the checkpoint folder to write');
  // A save replaces the folder it is given: only a new or empty one is taken, so nothing already there is lost.
  if (fs.existsSync(v.out) && (!fs.statSync(v.out).isDirectory() || fs.readdirSync(v.out).length > 0))
    throw new CharRNNError(`${v.out} already exists and is not an empty folder; choose another --out`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new CharRNNError(`cannot read ${file}: ${(e as Error).message}`);
  }
  await initBackend();
  const vocab = v.vocab === undefined ? undefined : readVocab(v.vocab);
  const { model, vocab: chars } = modelFromSafetensors(bytes, file, { vocab, cell: v.cell });
  try {
    await saveCheckpoint(v.out, { model, vocab: chars });
    const m = model.config;
    process.stdout.write(
      `${v.out}: ${m.numLayers}-layer ${m.cell} (hidden ${m.hiddenSize}, ${m.vocabSize} characters) from ${file}\n`,
    );
  } finally {
    model.dispose();
  }
}
