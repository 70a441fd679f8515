/**
 * The script of an exported model page (`charrnn export-page`): the model runs in the browser on TF.js's cpu
 * backend behind the same sampler and explorer widgets as in JupyterLab. What the widgets talk to is the library's
 * own SamplerPanel and Explorer, here in the page: their comm messages go through the library's kernelState as in
 * the kernel, so the page samples what the kernel samples. Settings can come from the link: #t=0.7&prime=ROMEO:
 * (also length, seed, topk, beam, and text for the explorer).
 *
 * Built by webpack (labextension/page/webpack.config.js) into kernel-lib/dist/page/bundle.js.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Widget } from '@lumino/widgets';
import {
  CharRNN,
  Explorer,
  SamplerPanel,
  Vocab,
  checkRequest,
  closeComm,
  deliverCommMsg,
  kernelState,
  openComm,
  type PageData,
} from '@charrnn/kernel/browser';
import type { SampleSettings } from '@charrnn/schema';
import { ActivationsWidget } from './activations';
import type { KernelLink } from './comm';
import { el } from './dom';
import { SamplerWidget } from './sampler';

/** The model from the page's weights (TF.js's weights format, float16 ones widened back to float32). */
function loadModel(data: PageData): CharRNN {
  const bin = atob(data.weights.base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const tensors = tf.io.decodeWeights(bytes.buffer, data.weights.specs);
  const model = CharRNN.create(data.config);
  for (const name of Object.keys(model.params)) model.params[name].assign(tensors[name]);
  tf.dispose(Object.values(tensors));
  return model;
}

/** The page's settings with those the link's #fragment gives; `text` is the explorer's. */
function fromLink(defaults: SampleSettings, hash: string): { settings: SampleSettings; text?: string } {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const num = (key: string, fallback: number) => (q.has(key) ? Number(q.get(key)) : fallback);
  const settings = {
    prime: q.get('prime') ?? defaults.prime,
    length: num('length', defaults.length),
    temperature: num('t', defaults.temperature),
    seed: num('seed', defaults.seed),
    topK: num('topk', defaults.topK),
    beam: num('beam', defaults.beam ?? 0),
  };
  return { settings, text: q.get('text') ?? undefined };
}

/**
 * The widgets' kernel link, inside the page: a comm opened by a widget reaches the handler the library registered
 * for its target, and what the library sends comes back to the widget.
 */
function pageLink(): KernelLink {
  const open = new Map<string, { onMsg: (data: any) => void; onClose: () => void }>();
  let next = 0;
  kernelState.link = {
    publish(type, content) {
      const id = String(content.comm_id);
      if (type === 'comm_msg') open.get(id)?.onMsg(content.data);
      if (type === 'comm_close') {
        open.get(id)?.onClose();
        open.delete(id);
      }
    },
  };
  return {
    where: 'in your browser',
    open(target, onMsg, onClose) {
      const id = `page-${++next}`;
      open.set(id, { onMsg, onClose });
      if (!openComm(id, target, {})) {
        open.delete(id);
        return null;
      }
      return {
        // After the widget's handler returns, so that it shows "running" before the model holds the page.
        send: (data) => void setTimeout(() => deliverCommMsg(id, data), 0),
        close: () => {
          open.delete(id);
          closeComm(id);
        },
      };
    },
  };
}

function section(title: string, note: string, parent: HTMLElement): HTMLElement {
  const box = el('section', 'charrnn-page-section', undefined, parent);
  el('h2', '', title, box);
  el('p', 'charrnn-page-note', note, box);
  return box;
}

/** A line saying what went wrong, as text. */
function problem(message: string, parent: HTMLElement): void {
  el('p', 'charrnn-error charrnn-page-problem', message, parent);
}

async function main(): Promise<void> {
  const root = document.getElementById('charrnn-page')!;
  const data = JSON.parse(document.getElementById('charrnn-model')!.textContent!) as PageData;
  document.body.classList.toggle('dark', matchMedia('(prefers-color-scheme: dark)').matches);
  el('h1', '', data.title, root);
  const { cell, numLayers, hiddenSize, vocabSize } = data.config;
  const about = el('p', 'charrnn-page-note', undefined, root);
  about.textContent = `A character-level ${cell.toUpperCase()} (${numLayers} layers of ${hiddenSize}, ${vocabSize} characters) running in this page with TensorFlow.js, offline; weights stored as ${data.weights.dtype}${data.weights.dtype === 'float16' ? ' (rounded from the trained float32 ones)' : ''}. Settings can go in the link: #t=0.7&prime=…&length=300&seed=2&beam=0&topk=0&text=…`;
  await tf.setBackend('cpu');
  const model = loadModel(data);
  const vocab = Vocab.fromChars(data.vocab);
  const link = pageLink();

  const samplerBox = section(
    'Sample',
    'Each change draws a new sample; the same settings and seed give the same text as charrnn sample.',
    root,
  );
  const wanted = fromLink(data.defaults, location.hash);
  let panel: SamplerPanel;
  let settings = wanted.settings;
  try {
    settings = checkRequest(vocab, { action: 'sample', requestId: 0, ...settings });
    panel = new SamplerPanel(model, vocab, { ...settings, temperatures: [settings.temperature] });
  } catch (e) {
    problem(
      `the settings in the link cannot be used: ${(e as Error).message}; the page's own settings are shown`,
      samplerBox,
    );
    settings = data.defaults;
    panel = new SamplerPanel(model, vocab, { ...settings, temperatures: [settings.temperature] });
  }
  const sampler = new SamplerWidget(link);
  Widget.attach(sampler, samplerBox);
  sampler.setView({ ...panel.view(), defaults: settings });

  const explorerBox = section(
    'Inside the network',
    "Each character coloured by one cell of the network (pick it above the text; ←/→ step through them), with the model's five guesses for the next character under it. Type your own text in the box below the text.",
    root,
  );
  const explorer = new ActivationsWidget(link);
  Widget.attach(explorer, explorerBox);
  const text = wanted.text ?? data.text ?? panel.grid[0].text;
  try {
    explorer.setView(new Explorer(model, vocab, text).view());
  } catch (e) {
    problem(`the explorer's text cannot be read: ${(e as Error).message}`, explorerBox);
    explorer.setView(new Explorer(model, vocab, panel.grid[0].text).view());
  }
  root.dataset.ready = 'true';
}

// A link edited in place (new #settings) starts the page again with them.
window.addEventListener('hashchange', () => location.reload());

main().catch((e) => {
  problem(`charrnn: the page could not start: ${String(e)}`, document.getElementById('charrnn-page') ?? document.body);
});
