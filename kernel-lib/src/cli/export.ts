import { initBackend } from '../engine/start';
import { CharRNNError } from '../errors';
import { ONNX_STEPS, modelToOnnx } from '../interop/onnx';
import { EXPORT_DTYPES, modelToSafetensors } from '../interop/pytorch-file';
import { readCard } from '../pretrained/pretrained';
import { writeAll, writeFileAtomic } from '../text/atomic';
import { loadCheckpoint } from '../train/checkpoint';
import { Command, parseFlags } from './args';
import { checkpointArg } from './checkpoint-arg';

export const FORMATS = ['safetensors', 'onnx'] as const;

export const command = {
  usage: 'CKPT_DIR --out FILE [--format safetensors|onnx] [--dtype float32|float16] [--steps sequence|one]',
  summary:
    "Writes a model for other tools: PyTorch's state_dict names in a safetensors file, or an ONNX graph, with its vocabulary.",
  flags: {
    format: { type: 'string', choices: FORMATS, default: 'safetensors', help: 'the file format' },
    out: { type: 'string', arg: 'FILE', help: 'the file to write (required), e.g. model.safetensors' },
    dtype: {
      type: 'string',
      choices: EXPORT_DTYPES,
      default: 'float32',
      help: 'how safetensors stores the weights (float16: half the size, rounded); ONNX stores float32',
    },
    steps: {
      type: 'string',
      choices: ONNX_STEPS,
      default: 'sequence',
      help: 'ONNX: a model over a sequence (ids [T, B] in, logits [T, B, V] out) or one step (id [B], logits [B, V])',
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
    const onnx = v.format === 'onnx';
    if (onnx && v.dtype !== 'float32')
      throw new CharRNNError('--dtype float16 is for safetensors; ONNX stores float32');
    const bytes = onnx
      ? modelToOnnx(ckpt.model, ckpt.vocab, v.steps)
      : modelToSafetensors(ckpt.model, ckpt.vocab, { dtype: v.dtype, card: readCard(ckpt.dir) });
    await writeFileAtomic(v.out, (fd) => writeAll(fd, bytes));
    const m = ckpt.model.config;
    const what = onnx ? `ONNX, ${v.steps === 'one' ? 'one step' : 'a sequence'} at a time` : v.dtype;
    process.stdout.write(
      `${v.out}: ${m.numLayers}-layer ${m.cell} (hidden ${m.hiddenSize}, ${m.vocabSize} characters) as ${what}, ${(bytes.length / 1e6).toFixed(2)} MB\n`,
    );
  } finally {
    ckpt.model.dispose();
  }
}
