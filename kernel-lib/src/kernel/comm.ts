import { kernelState } from './link';

/**
 * A Jupyter comm: a two-way channel between a widget in the front end and an object in the kernel.
 * The widget opens it (comm_open with a target name); the library answers through the callback it
 * registered for that target.
 */
export interface Comm {
  readonly id: string;
  send(data: unknown): void;
  onMsg(cb: (data: any) => void): void;
  /** Called once when the comm closes, from either side. */
  onClose(cb: () => void): void;
  close(): void;
}

/** Registers (or replaces) the handler that runs when a front end opens a comm to `target`. */
export function registerCommTarget(target: string, onOpen: (comm: Comm, data: any) => void): void {
  kernelState.targets.set(target, (commId, data) => onOpen(commFor(commId, target), data));
}

function commFor(id: string, target: string): Comm {
  const entry = { target, onMsg: [] as ((data: any) => void)[], onClose: [] as (() => void)[] };
  kernelState.comms.set(id, entry);
  return {
    id,
    send: (data) => kernelState.link?.publish('comm_msg', { comm_id: id, data: data ?? {} }),
    onMsg: (cb) => void entry.onMsg.push(cb),
    onClose: (cb) => void entry.onClose.push(cb),
    close: () => {
      if (closeComm(id)) kernelState.link?.publish('comm_close', { comm_id: id, data: {} });
    },
  };
}

// The kernel's side: called by the kernel server for comm_open / comm_msg / comm_close / comm_info_request.

/** Opens a comm the front end asked for; false when no handler is registered for the target. */
export function openComm(id: string, target: string, data: unknown): boolean {
  const onOpen = kernelState.targets.get(target);
  if (!onOpen) return false;
  onOpen(id, data ?? {});
  return true;
}

/** Hands a front-end message to the comm's listeners; false when the comm is unknown. */
export function deliverCommMsg(id: string, data: unknown): boolean {
  const entry = kernelState.comms.get(id);
  if (!entry) return false;
  for (const cb of entry.onMsg) cb(data ?? {});
  return true;
}

/** Forgets a comm and runs its close listeners; false when it was not open. */
export function closeComm(id: string): boolean {
  const entry = kernelState.comms.get(id);
  if (!entry) return false;
  kernelState.comms.delete(id);
  for (const cb of entry.onClose) cb();
  return true;
}

/** The open comms, optionally only those of one target, as comm_info_reply wants them. */
export function openComms(target?: string): Record<string, { target_name: string }> {
  const comms: Record<string, { target_name: string }> = {};
  for (const [id, entry] of kernelState.comms) {
    if (target === undefined || entry.target === target) comms[id] = { target_name: entry.target };
  }
  return comms;
}
