/**
 * The MIME renderer of every charrnn kind. JupyterLab calls renderModel again on the same renderer for
 * update_display_data, so a live training chart redraws in place (keeping zoom, scrubber and comm).
 */
import { Panel, Widget } from '@lumino/widgets';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { ViewKind, Views } from '@charrnn/kernel';
import { mimeType, VIEW_VERSIONS } from '@charrnn/kernel/dist/display/schema';
import type { KernelLink } from './comm';
import { WIDGETS, type ViewWidget } from './views';

export class CharrnnRenderer<K extends ViewKind> extends Panel implements IRenderMime.IRenderer {
  private view: ViewWidget<K> | null = null;

  constructor(
    private readonly kind: K,
    private readonly link: KernelLink | null,
  ) {
    super();
    this.addClass('charrnn-renderer');
    // Keys pressed inside our widgets are the widgets' (arrows move sliders and the explorer's neuron, Enter applies
    // a box): JupyterLab runs its shortcuts from a capture-phase listener on the document, which skips any target
    // inside an element with this attribute (Lumino's CommandRegistry, JupyterLab 4); stopping the event here also
    // keeps the notebook's own keydown handler from moving focus. Escape hands the keys back to the notebook.
    this.node.dataset.lmSuppressShortcuts = 'true';
    this.node.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 'Escape') {
        (document.activeElement as HTMLElement | null)?.blur();
        this.node.closest<HTMLElement>('.jp-Cell')?.focus();
      }
    });
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[mimeType(this.kind)] as unknown as Views[K] | undefined;
    if (!data || data.version !== VIEW_VERSIONS[this.kind]) {
      this.fail(`schema version ${String(data?.version)}, this extension reads version ${VIEW_VERSIONS[this.kind]}; update the charrnn extension or re-run the cell`);
      return;
    }
    try {
      if (!this.view) {
        this.view = WIDGETS[this.kind](this.link);
        this.addWidget(this.view);
      }
      this.view.setView(data);
    } catch (e) {
      this.fail(`the data does not fit the schema (${String(e)})`);
    }
  }

  /** Replaces the widget by one line saying why this output cannot be drawn. */
  private fail(why: string): void {
    this.view?.dispose();
    this.view = null;
    const problem = new Widget();
    problem.addClass('charrnn-error');
    problem.node.textContent = `charrnn: cannot show this ${this.kind} output: ${why}.`;
    this.addWidget(problem);
  }
}

/** A renderer factory for one kind; `link` is null where no notebook kernel is at hand. */
export function rendererFactory(kind: ViewKind, link: KernelLink | null): IRenderMime.IRendererFactory {
  return {
    safe: true, // our widgets put data on the page only as text
    mimeTypes: [mimeType(kind)],
    defaultRank: 0,
    createRenderer: () => new CharrnnRenderer(kind, link),
  };
}
