/**
 * The MIME renderer of every charrnn kind. JupyterLab calls renderModel again on the same renderer for
 * update_display_data, so a live training chart redraws in place (keeping zoom, scrubber and comm).
 */
import { Panel, Widget } from '@lumino/widgets';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { mimeType, VIEW_VERSIONS, type ViewKind, type Views } from '@charrnn/schema';
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
    // The widget's own keys stop here, so the notebook's keydown handler does not move the focus away either;
    // Escape hands the keys back to the notebook (its cell gets the focus).
    this.node.addEventListener('keydown', (e) => {
      if (ownKey(e)) e.stopPropagation();
      if (e.key === 'Escape') {
        (document.activeElement as HTMLElement | null)?.blur();
        this.node.closest<HTMLElement>('.jp-Cell')?.focus();
      }
    });
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[mimeType(this.kind)] as unknown as Views[K] | undefined;
    if (!data || data.version !== VIEW_VERSIONS[this.kind]) {
      this.fail(
        `schema version ${String(data?.version)}, this extension reads version ${VIEW_VERSIONS[this.kind]}; update the charrnn extension or re-run the cell`,
      );
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

/**
 * Keys pressed inside our widgets are the widgets' (arrows move sliders and the explorer's neuron, Enter applies a
 * box, letters go into text boxes), except the notebook's chords: Ctrl/Cmd/Alt combinations (save, ...), Shift+Enter
 * (run the cell) and Escape.
 */
function ownKey(e: KeyboardEvent): boolean {
  return !(e.ctrlKey || e.metaKey || e.altKey) && e.key !== 'Escape' && !(e.key === 'Enter' && e.shiftKey);
}

/**
 * JupyterLab runs its keyboard shortcuts from a capture-phase keydown listener on the document. Lumino's
 * CommandRegistry (JupyterLab 4.6) walks up from the key's target to the first element that matches a shortcut's
 * selector, and skips the shortcut when it meets an element marked `data-lm-suppress-shortcuts` first. The notebook's
 * selectors end in `:focus`, which the focused target itself matches, so the mark must be on the target: this
 * listener on the window runs before JupyterLab's and marks or unmarks the target inside our widgets, key by key.
 */
function claimKeys(e: KeyboardEvent): void {
  const target = e.target as HTMLElement | null;
  if (!target?.closest?.('.charrnn-renderer')) return;
  if (ownKey(e)) target.dataset.lmSuppressShortcuts = 'true';
  else delete target.dataset.lmSuppressShortcuts;
}

window.addEventListener('keydown', claimKeys, true);

/** A renderer factory for one kind; `link` is null where no notebook kernel is at hand. */
export function rendererFactory(kind: ViewKind, link: KernelLink | null): IRenderMime.IRendererFactory {
  return {
    safe: true, // our widgets put data on the page only as text
    mimeTypes: [mimeType(kind)],
    defaultRank: 0,
    createRenderer: () => new CharrnnRenderer(kind, link),
  };
}
