import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { EXPORT_DTYPES, modelToSafetensors } from '../interop/pytorch-file';
import { readCard } from '../pretrained/pretrained';
import { writeAll, writeFileAtomic } from '../text/atomic';
import { loadCheckpoint } from '../train/checkpoint';
import { Command, parseFlags } from './args';
import { checkpointArg } from './checkpoint-arg';

export const FORMATS = ['safetensors'] as const;

export const command = {
  usage: 'CKPT_DIR --format safetensors --out FILE [--dtype float32|float16]',
  summary: "Writes a model for other tools: PyTorch's state_dict names in a safetensors file, with its vocabulary.",
  flags: {
    format: { type: 'string', choices: FORMATS, default: 'safetensors', help: 'the file format' },
    out: { type: 'string', arg: 'FILE', help: 'the file to write (required), e.g. model.safetensors' },
    dtype: {
      type: 'string',
      choices: EXPORT_DTYPES,
      default: 'float32',
      help: 'how the weights are stored (float16: half the size, rounded)',
    },
  },
} satisfies Command;

/** charrnn export CKPT_DIR --out model.safetensors: writes the file and says what is in it. */
export async function run(argv: string[]): Promise<void> {
  const p = parseFlags(argv, command);
  const dir = checkpointArg(p, 'checkpoint directory (charrnn export CKPT_DIR --out model.safetensors)');
  const v = p.values;
  if (v.out === undefined) throw new CharRNNError('export needs --out FILE, the file to write');
  await initBackend(); // reading the weights needs a TF.js backend; the model does not run here
  const ckpt = loadCheckpoint(dir);
  if (ckpt.recovered) process.stderr.write(`charrnn: ${ckpt.recovered}\n`);
  try {
    const bytes = modelToSafetensors(ckpt.model, ckpt.vocab, { dtype: v.dtype, card: readCard(ckpt.dir) });
    await writeFileAtomic(v.out, (fd) => writeAll(fd, bytes));
    const m = ckpt.model.config;
    process.stdout.write(
      `${v.out}: ${m.numLayers}-layer ${m.cell} (hidden ${m.hiddenSize}, ${m.vocabSize} characters) as ${v.dtype}, ${(bytes.length / 1e6).toFixed(2)} MB\n`,
    );
  } finally {
    ckpt.model.dispose();
  }
}
