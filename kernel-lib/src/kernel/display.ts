import { randomBytes } from 'node:crypto';
import type { Displayable, MimeBundle } from '../display/bundle';
import { kernelState } from './link';

/** One output area in the notebook that can be redrawn in place (a loss chart growing during training). */
export interface DisplayHandle {
  readonly id: string;
  update(obj: Displayable | MimeBundle): void;
}

export function isDisplayable(obj: unknown): obj is Displayable {
  return typeof (obj as Displayable | null)?.toMimeBundle === 'function';
}

export function toMimeBundle(obj: Displayable | MimeBundle): MimeBundle {
  return isDisplayable(obj) ? obj.toMimeBundle() : obj;
}

/** The text/plain fallback of a bundle, or the list of its MIME types when it has none. */
export function plainText(bundle: MimeBundle): string {
  const text = bundle.data['text/plain'];
  return typeof text === 'string' ? text : `<${Object.keys(bundle.data).join(', ')}>`;
}

/**
 * Shows an object in the notebook: a display_data message with its whole bundle (our MIME JSON,
 * text/html, text/plain, metadata) and a display id; `update()` redraws the same output with
 * update_display_data, even from a later cell. Outside a kernel it prints the text/plain fallback once
 * and updates are silent.
 */
export function display(obj: Displayable | MimeBundle, opts: { displayId?: string } = {}): DisplayHandle {
  const id = opts.displayId ?? randomBytes(8).toString('hex');
  publish('display_data', toMimeBundle(obj), id);
  const handle = {
    id,
    update: (next: Displayable | MimeBundle) => publish('update_display_data', toMimeBundle(next), id),
  };
  return Object.defineProperty(handle, HANDLE, { value: true });
}

// Marks display()'s handles, so a cell ending in `display(x)` shows x once and not the handle after it.
const HANDLE = Symbol.for('charrnn.displayHandle');

export function isDisplayHandle(value: unknown): value is DisplayHandle {
  return typeof value === 'object' && value !== null && HANDLE in value;
}

function publish(msgType: 'display_data' | 'update_display_data', bundle: MimeBundle, displayId: string): void {
  const link = kernelState.link;
  if (link) {
    link.publish(msgType, { data: bundle.data, metadata: bundle.metadata ?? {}, transient: { display_id: displayId } });
  } else if (msgType === 'display_data') {
    console.log(plainText(bundle));
  }
}
