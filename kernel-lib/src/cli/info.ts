import { paramCount } from '../model/config';
import { cardLines, readCard } from '../pretrained/pretrained';
import { readCheckpointMeta } from '../train/checkpoint';
import { Command, parseFlags } from './args';
import { checkpointArg } from './checkpoint-arg';

export const command: Command = {
  usage: 'CKPT_DIR [--json]',
  summary: 'Says what a checkpoint holds: model, vocabulary, iteration and losses (no weights are loaded).',
  flags: { json: { type: 'boolean', help: 'print one JSON object instead of text' } },
};

/** charrnn info CKPT_DIR: what a checkpoint holds (no weights are loaded). */
export async function run(argv: string[]): Promise<void> {
  const p = parseFlags(argv, command);
  const { dir, meta, recovered } = readCheckpointMeta(checkpointArg(p, 'checkpoint directory (charrnn info CKPT_DIR)'));
  if (recovered) process.stderr.write(`charrnn: ${recovered}\n`);
  // A pretrained model's card says how it was trained and how good it is (its checkpoint keeps no training state).
  const card = readCard(dir);
  const st = (meta.state ?? {}) as { iter?: number; lr?: number; bestValLoss?: number };
  const lastTrain = meta.history.train.at(-1);
  const lastVal = meta.history.val.at(-1);
  const m = meta.model;
  const params = paramCount(m);
  const summary = {
    dir,
    format: `${meta.format} v${meta.version}`,
    model: m,
    parameters: params,
    vocab: meta.vocab.join(''),
    iteration: st.iter ?? 0,
    trainLoss: lastTrain?.[1],
    valLoss: lastVal?.[1],
    bestValLoss: st.bestValLoss,
    learningRate: st.lr,
    training: meta.training,
    savedAt: meta.savedAt,
    backend: meta.backend,
    engine: meta.engine,
    card,
  };
  if (p.values.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  const fmt = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(4));
  const lines = [
    `checkpoint   ${dir} (${summary.format}, saved ${meta.savedAt})`,
    `model        ${m.numLayers}x${m.hiddenSize} ${m.cell}, dropout ${m.dropout}, ${params.toLocaleString('en-US')} parameters`,
    `vocab        ${m.vocabSize} chars: ${JSON.stringify(summary.vocab)}`,
    ...(card
      ? cardLines(card)
      : [
          `training     iteration ${summary.iteration}, train loss ${fmt(summary.trainLoss)}, val loss ${fmt(summary.valLoss)}, best val ${fmt(st.bestValLoss)}`,
        ]),
  ];
  // The engine's own words name what it ran on ("TF.js engine on wasm x2 threads"); checkpoints from before engines
  // were recorded have only the TF.js backend. A card has its own engine line.
  const trainedOn = meta.engine ?? (meta.backend && `TF.js backend ${meta.backend}`);
  if (trainedOn && !card) lines.push(`trained on   ${trainedOn}`);
  process.stdout.write(lines.join('\n') + '\n');
}
