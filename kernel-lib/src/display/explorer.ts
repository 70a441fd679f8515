/**
 * The activation explorer with a live kernel behind it: shows a text's activations and answers the widget's
 * probe box (ProbeRequests through a comm) by running the model over the user's own text.
 */
import { randomBytes } from 'node:crypto';
import { CharRNNError } from '../errors';
import { inspectText, type InspectOptions } from '../inspect/trace';
import type { CharRNN } from '../model/charrnn';
import type { Vocab } from '../text/vocab';
import { activationsBundle } from './activations';
import type { Displayable, MimeBundle } from './bundle';
import { registerCommTarget, type Comm } from './comm';
import type { ActivationsView, NeuronRef, ProbeReply, ProbeRequest } from './schema';

export interface ExplorerOptions extends InspectOptions {
  /** The cell the text is coloured by at first. */
  selected?: NeuronRef;
}

/** `display(new Explorer(model, vocab, text))`: the text coloured by a cell, with a probe box while the kernel runs. */
export class Explorer implements Displayable {
  readonly commTarget = `charrnn.explorer.${randomBytes(6).toString('hex')}`;

  constructor(
    readonly model: CharRNN,
    readonly vocab: Vocab,
    readonly text: string,
    readonly opts: ExplorerOptions = {},
  ) {
    registerCommTarget(this.commTarget, (comm) => comm.onMsg((msg: ProbeRequest) => this.answer(comm, msg)));
  }

  /** The activations of `text` (default: the explorer's own text). */
  view(text = this.text): ActivationsView {
    const view = inspectText(this.model, this.vocab, text, this.opts).toView(this.opts.selected);
    return { ...view, commTarget: this.commTarget };
  }

  toMimeBundle(): MimeBundle {
    return activationsBundle(this.view());
  }

  /** Runs the model over a probe's text; errors (e.g. characters not in the vocabulary) go back as one line. */
  answer(comm: Comm, req: ProbeRequest): void {
    if (req?.action !== 'probe') return;
    let reply: ProbeReply;
    try {
      reply = { requestId: req.requestId, view: this.view(String(req.text ?? '')) };
    } catch (e) {
      reply = { requestId: req.requestId, error: e instanceof CharRNNError ? e.message : `probe failed: ${String(e)}` };
    }
    comm.send(reply);
  }
}
