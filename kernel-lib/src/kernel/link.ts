/**
 * What a running notebook kernel lends the library: a way to publish messages to the front end (on the
 * iopub channel, attributed to the cell that runs now) and the process-wide kernel state (interrupt flag,
 * comm targets, open comms).
 *
 * It lives on globalThis, not in module variables, so that the kernel launcher and the library a notebook
 * imports share it even when Node loads them as two copies (e.g. a notebook outside this repository that
 * resolves its own node_modules/@charrnn/kernel).
 */
export interface KernelLink {
  /** Sends one iopub message (display_data, update_display_data, comm_msg, ...) with this content. */
  publish(msgType: string, content: Record<string, unknown>): void;
}

/** A comm as the kernel side sees it: the library's callbacks, indexed by comm id. */
export interface CommEntry {
  target: string;
  onMsg: ((data: any) => void)[];
  onClose: (() => void)[];
}

interface KernelState {
  link: KernelLink | null;
  /**
   * [0] is 1 while an interrupt is pending, [1] when the last one arrived (see claimInterrupt). Shared memory:
   * a watcher thread raises the flag while a cell blocks this one.
   */
  interrupt: Int32Array;
  /** A library loop saw the interrupt and is stopping cleanly (saving, returning its result). */
  stopping: boolean;
  targets: Map<string, (commId: string, data: any) => void>;
  comms: Map<string, CommEntry>;
}

const KEY = Symbol.for('@charrnn/kernel state');
const holder = globalThis as unknown as Record<symbol, KernelState | undefined>;

export const kernelState: KernelState = (holder[KEY] ??= {
  link: null,
  // A browser page (export-page) has no SharedArrayBuffer unless cross-origin isolated; it needs no watcher thread.
  interrupt: new Int32Array(typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(8) : new ArrayBuffer(8)),
  stopping: false,
  targets: new Map(),
  comms: new Map(),
});
