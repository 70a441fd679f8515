/** Tiny DOM helpers. Text from data only ever goes through textContent, never innerHTML. */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text?: string,
  parent?: Node,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  parent?.appendChild(node);
  return node;
}

/** A labelled control: <label>text <control></label>. */
export function labelled<T extends HTMLElement>(text: string, control: T, parent: HTMLElement): T {
  const label = el('label', 'charrnn-label', text + ' ', parent);
  label.appendChild(control);
  return control;
}

export function input(type: string, attrs: Record<string, string | number> = {}): HTMLInputElement {
  const node = document.createElement('input');
  node.type = type;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** A number for the UI: '-' when missing. */
export function fmt(x: number | undefined, digits = 3): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

/** Seconds as "1h 02m", "3m 07s" or "12.3 s". */
export function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '-';
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** How a character shows in the explorer: visible stand-ins for newline, tab and space. */
export function visibleChar(ch: string): string {
  if (ch === '\n') return '↵';
  if (ch === '\t') return '⇥';
  if (ch === ' ') return '\u00a0';
  return ch;
}

/** How a guess shows under a character: as visibleChar, but a space is a mark (a blank box would read as no guess). */
export function guessChar(ch: string): string {
  return ch === ' ' ? '␣' : visibleChar(ch);
}
