/**
 * A tooltip at the pointer, inside a widget: placed from the pointer's position in the window each time it moves,
 * so it stays next to it however the notebook or the widget's own box is scrolled (a fixed info line above the text
 * was off-screen once either was). It moves left where the widget or the window ends, and above the pointer at
 * their bottom.
 */
import { el } from './dom';

/** Pixels between the pointer and the tooltip. */
const GAP = 14;

export class PointerTip {
  private readonly node = el('div', 'charrnn-tip');

  /** `host` must be positioned (CSS position: relative) so that the tooltip is placed in it. */
  constructor(private readonly host: HTMLElement) {
    this.node.hidden = true;
    host.appendChild(this.node);
  }

  /** Shows `text` (as text) next to the pointer of `e`. */
  show(text: string, e: MouseEvent): void {
    if (this.node.textContent !== text) this.node.textContent = text;
    this.node.hidden = false;
    const host = this.host.getBoundingClientRect();
    const { width, height } = this.node.getBoundingClientRect();
    // the part of the widget in the window
    const [left, top] = [Math.max(host.left, 0), Math.max(host.top, 0)];
    const [right, bottom] = [Math.min(host.right, window.innerWidth), Math.min(host.bottom, window.innerHeight)];
    // below and right of the pointer; moved left as far as the right edge needs; above the pointer near the bottom
    const x = Math.max(left, Math.min(e.clientX + GAP, right - width));
    const y = e.clientY + GAP + height <= bottom ? e.clientY + GAP : Math.max(top, e.clientY - GAP - height);
    this.node.style.transform = `translate(${x - host.left}px, ${y - host.top}px)`;
  }

  hide(): void {
    this.node.hidden = true;
  }
}
