/**
 * The activation explorer with a live kernel behind it: shows a text's activations and answers the widget through a
 * comm: its probe box (ProbeRequest: run the model over the user's own text), text selected with the mouse
 * (SearchRequest: rank the cells by how well they follow the selection) and "where else does this cell fire?"
 * (WhereElseRequest: the cell's top passages in a longer text); see inspect/selection.ts.
 */
import { randomBytes } from 'node:crypto';
import { CharRNNError } from '../errors';
import { selectionSearch, whereElse } from './selection';
import { inspectText, round3, type InspectOptions } from './trace';
import type { CharRNN } from '../model/charrnn';
import type { CharIds, Vocab } from '../text/vocab';
import { activationsBundle } from '../display/activations';
import type { Displayable, MimeBundle } from '../display/bundle';
import { registerCommTarget, type Comm } from '../kernel/comm';
import type {
  ActivationsView,
  NeuronRef,
  ProbeReply,
  ProbeRequest,
  SearchReply,
  SearchRequest,
  WhereElseReply,
  WhereElseRequest,
} from '@charrnn/schema';

type Request = ProbeRequest | SearchRequest | WhereElseRequest;

export interface ExplorerOptions extends InspectOptions {
  /** The cell the text is coloured by at first. */
  selected?: NeuronRef;
  /** The text "where else does this cell fire?" searches, e.g. the validation split (`splitCorpus(data).val`). */
  whereElseText?: string | CharIds;
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
    registerCommTarget(this.commTarget, (comm) => comm.onMsg((msg: Request) => this.answer(comm, msg)));
  }

  /** The activations of `text` (default: the explorer's own text). */
  view(text = this.text): ActivationsView {
    const view = inspectText(this.model, this.vocab, text, this.opts).toView(this.opts.selected);
    const elsewhere = this.opts.whereElseText;
    return {
      ...view,
      commTarget: this.commTarget,
      ...(elsewhere
        ? { whereElseChars: typeof elsewhere === 'string' ? Array.from(elsewhere).length : elsewhere.length }
        : {}),
    };
  }

  toMimeBundle(): MimeBundle {
    return activationsBundle(this.view());
  }

  /**
   * Answers a probe (the model over the user's text), a selection search (the cells that follow a selection of the
   * shown text) or a "where else"; errors (e.g. characters not in the vocabulary) go back as one line.
   */
  answer(comm: Comm, req: Request): void {
    if (req?.action !== 'probe' && req?.action !== 'search' && req?.action !== 'whereElse') return;
    let reply: ProbeReply | SearchReply | WhereElseReply;
    try {
      if (req.action === 'probe') reply = { requestId: req.requestId, view: this.view(String(req.text ?? '')) };
      else reply = req.action === 'search' ? this.search(req) : this.whereElse(req);
    } catch (e) {
      reply = {
        requestId: req.requestId,
        error: e instanceof CharRNNError ? e.message : `${req.action} failed: ${String(e)}`,
      };
    }
    comm.send(reply);
  }

  private search(req: SearchRequest): SearchReply {
    const top = Math.max(1, Math.min(100, Math.round(Number(req.top ?? 20)) || 20));
    const trace = inspectText(this.model, this.vocab, String(req.text ?? ''), this.opts);
    const found = selectionSearch(trace, Number(req.start), Number(req.end));
    return { requestId: req.requestId, feature: found.feature, metric: found.metric, ranked: found.best(top) };
  }

  private whereElse(req: WhereElseRequest): WhereElseReply {
    if (!this.opts.whereElseText)
      throw new CharRNNError('this explorer has no text to look in: give it one with { whereElseText }');
    const top = Math.max(1, Math.min(50, Math.round(Number(req.top ?? 5)) || 5));
    const found = whereElse(this.model, this.vocab, this.opts.whereElseText, req.cell, { top, context: 30 });
    const passages = found.passages.map((p) => ({
      ...p,
      value: round3(p.value),
      values: Array.from(p.values, round3),
    }));
    return { requestId: req.requestId, searched: found.searched, passages };
  }
}
