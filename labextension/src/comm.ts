/**
 * How a widget talks to the library in the kernel: a Jupyter comm opened to the view's `commTarget`.
 * Widgets see only `KernelLink`, so they also run without JupyterLab (the browser tests pass a fake).
 */
import type { NotebookPanel } from '@jupyterlab/notebook';

/** An open comm: send JSON to the kernel, close it. */
export interface CommChannel {
  send(data: object): void;
  close(): void;
}

export interface KernelLink {
  /**
   * Where the model behind the link runs, as the widgets' text says it: 'in the kernel' (the default) or, in an
   * exported model page, 'in your browser'.
   */
  readonly where?: string;
  /**
   * Opens a comm to `target`. `onMsg` gets each message's data from the kernel, `onClose` runs when either side
   * closes it (also when the kernel has no such target, e.g. a re-opened notebook). null when no kernel is running.
   */
  open(target: string, onMsg: (data: any) => void, onClose: () => void): CommChannel | null;
  /**
   * Calls `cb` each time the connection to the kernel comes back after a drop (messages sent or published while it
   * dropped may be lost); returns what stops that. Absent where there is no connection to lose.
   */
  onReconnect?(cb: () => void): () => void;
}

/** The link through a notebook's session: whatever kernel the notebook runs now. */
export function sessionLink(session: NotebookPanel['sessionContext']): KernelLink {
  return {
    open(target, onMsg, onClose) {
      const kernel = session.session?.kernel;
      if (!kernel || kernel.status === 'dead' || !kernel.handleComms) return null;
      const comm = kernel.createComm(target);
      comm.onMsg = (msg) => onMsg(msg.content.data);
      comm.onClose = () => onClose();
      comm.open({});
      return {
        send: (data) => void comm.send(data as any),
        close: () => {
          if (!comm.isDisposed) comm.close();
        },
      };
    },
    onReconnect(cb) {
      const kernel = session.session?.kernel;
      const changed = (_: unknown, status: string) => {
        if (status === 'connected') cb();
      };
      kernel?.connectionStatusChanged.connect(changed);
      return () => void kernel?.connectionStatusChanged.disconnect(changed);
    },
  };
}

/** Where the model behind `link` runs, in words: "samples are drawn in the kernel". */
export function modelRuns(link: KernelLink | null): string {
  return link?.where ?? 'in the kernel';
}
