/**
 * The activation explorer with a live kernel behind it: shows a text's activations and answers the widget through a
 * comm: its probe box (ProbeRequest: run the model over the user's own text) and text selected with the mouse
 * (SearchRequest: rank the cells by how well they follow the selection, see inspect/selection.ts).
 */
import { randomBytes } from 'node:crypto';
import { CharRNNError } from '../errors';
import { selectionSearch } from '../inspect/selection';
import { inspectText, type InspectOptions } from '../inspect/trace';
import type { CharRNN } from '../model/charrnn';
import type { Vocab } from '../text/vocab';
import { activationsBundle } from './activations';
import type { Displayable, MimeBundle } from './bundle';
import { registerCommTarget, type Comm } from './comm';
import type { ActivationsView, NeuronRef, ProbeReply, ProbeRequest, SearchReply, SearchRequest } from './schema';

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
    registerCommTarget(this.commTarget, (comm) => comm.onMsg((msg: ProbeRequest | SearchRequest) => this.answer(comm, msg)));
  }

  /** The activations of `text` (default: the explorer's own text). */
  view(text = this.text): ActivationsView {
    const view = inspectText(this.model, this.vocab, text, this.opts).toView(this.opts.selected);
    return { ...view, commTarget: this.commTarget };
  }

  toMimeBundle(): MimeBundle {
    return activationsBundle(this.view());
  }

  /**
   * Answers a probe (the model over the user's text) or a selection search (the cells that follow a selection of
   * the shown text); errors (e.g. characters not in the vocabulary) go back as one line.
   */
  answer(comm: Comm, req: ProbeRequest | SearchRequest): void {
    if (req?.action !== 'probe' && req?.action !== 'search') return;
    let reply: ProbeReply | SearchReply;
    try {
      reply = req.action === 'probe' ? { requestId: req.requestId, view: this.view(String(req.text ?? '')) } : this.search(req);
    } catch (e) {
      reply = { requestId: req.requestId, error: e instanceof CharRNNError ? e.message : `${req.action} failed: ${String(e)}` };
    }
    comm.send(reply);
  }

  private search(req: SearchRequest): SearchReply {
    const top = Math.max(1, Math.min(100, Math.round(Number(req.top ?? 20)) || 20));
    const trace = inspectText(this.model, this.vocab, String(req.text ?? ''), this.opts);
    const found = selectionSearch(trace, Number(req.start), Number(req.end));
    return { requestId: req.requestId, feature: found.feature, metric: found.metric, ranked: found.best(top) };
  }
}
