import { format } from 'node:util';
import { Publisher, Reply, Router } from 'zeromq';
import { decode, encode, makeMessage } from './wire';
import type { Message } from './wire';
import type { CellResult, CellRunner } from './cells';
import { errorResult, interruptedResult } from './cells';
import { kernelState } from './link';
import { claimInterrupt, clearInterrupt, interruptRequested, requestInterrupt } from './interrupt';
import { watchGroupSigint } from './sigint';
import { closeComm, deliverCommMsg, openComm, openComms } from './comm';
import { isDisplayable, isDisplayHandle } from './display';

/** The connection file Jupyter writes for a kernel it starts. */
export interface ConnectionInfo {
  transport: string;
  ip: string;
  key: string;
  shell_port: number;
  iopub_port: number;
  control_port: number;
  stdin_port: number;
  hb_port: number;
}

/**
 * An interrupt stops a cell's own code at its next loop back-edge or await with KeyboardInterrupt, while
 * the library's loops (training) save and return first, which can take a few seconds for a big model (see
 * interrupt.ts). A cell that still runs after NOTICE_MS is waiting on something that does not end (a
 * promise never settled): the user is told so, and a second interrupt abandons it (the cell returns; its
 * code throws at its next check if it ever resumes); one before the notice changes nothing. One Jupyter
 * interrupt arrives twice (the SIGINT listener and the group watcher): its twin is dropped (claimInterrupt).
 */
const NOTICE_MS = 2000;

/**
 * A Jupyter kernel on ZeroMQ: shell and control requests, iopub output, heartbeat. Cells run one at a
 * time from a queue, while comm messages and interrupts are handled at once, even during a long async
 * cell; that is how a widget's stop button reaches a training loop.
 */
export class KernelServer {
  private readonly iopub = new Publisher();
  private readonly shell = new Router();
  private readonly control = new Router();
  private readonly stdin = new Router();
  private readonly hb = new Reply();
  private readonly outbox = new Map<Publisher | Router, Promise<void>>();
  private readonly log = process.stderr.write.bind(process.stderr);
  private queue: Promise<void> = Promise.resolve();
  private readonly waiting: Message[] = [];
  private readonly aborted = new Set<Message>();
  private running: Message | null = null;
  private lastCell: Message | undefined;
  private executionCount = 0;
  private cellInterrupted = false; // the running cell has been interrupted once
  private noticeShown = false; // ...and told the user that it still waits
  private noticeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly conn: ConnectionInfo,
    private readonly cells: CellRunner,
    private readonly languageVersion: string,
  ) {}

  async start(): Promise<void> {
    // Jupyter's two transports: tcp://IP:PORT, and ipc://PATH-PORT (a socket file; no port to collide with another
    // kernel starting at the same moment).
    const url = (port: number) =>
      this.conn.transport === 'ipc'
        ? `ipc://${this.conn.ip}-${port}`
        : `${this.conn.transport}://${this.conn.ip}:${port}`;
    await Promise.all([
      this.iopub.bind(url(this.conn.iopub_port)),
      this.shell.bind(url(this.conn.shell_port)),
      this.control.bind(url(this.conn.control_port)),
      this.stdin.bind(url(this.conn.stdin_port)),
      this.hb.bind(url(this.conn.hb_port)),
    ]);
    void this.serve(this.shell);
    void this.serve(this.control);
    void this.heartbeat();
    kernelState.link = { publish: (type, content) => this.publish(type, content) };
    process.stdout.write = this.streamWriter('stdout');
    process.stderr.write = this.streamWriter('stderr');
    process.on('SIGINT', () => claimInterrupt(kernelState.interrupt, 'listener') && this.interrupt());
    watchGroupSigint(() => this.interrupted()); // the watcher claimed the interrupt and raised the flag
  }

  /** Sends an iopub message attributed to the cell that runs now (or ran last). */
  publish(msgType: string, content: unknown, parent = this.lastCell): void {
    const msg = makeMessage(msgType, content, parent);
    msg.identities = [Buffer.from(`kernel.${msgType}`)];
    void this.send(this.iopub, msg);
  }

  private send(sock: Publisher | Router, msg: Message): Promise<void> {
    // Encoded here, so that content JSON cannot hold (a BigInt, a cycle) throws in the code that sent it.
    const frames = encode(msg, this.conn.key);
    // zeromq allows one pending send per socket: chain them.
    const sent = (this.outbox.get(sock) ?? Promise.resolve())
      .then(() => sock.send(frames))
      .catch((e) => void this.log(`charrnn kernel: send failed: ${e}\n`));
    this.outbox.set(sock, sent);
    return sent;
  }

  private reply(sock: Router, parent: Message, msgType: string, content: unknown): Promise<void> {
    return this.send(sock, makeMessage(msgType, content, parent));
  }

  private async serve(sock: Router): Promise<void> {
    for await (const frames of sock) {
      let msg: Message;
      try {
        msg = decode(frames, this.conn.key);
      } catch (e) {
        this.log(`charrnn kernel: dropped a message: ${(e as Error).message}\n`);
        continue;
      }
      if (msg.header.msg_type === 'execute_request') {
        this.waiting.push(msg);
        this.queue = this.queue.then(() => this.execute(sock, msg));
        continue;
      }
      // While a cell runs the front end keeps showing "busy": no status for messages handled meanwhile.
      const quiet = this.running !== null;
      if (!quiet) this.publish('status', { execution_state: 'busy' }, msg);
      try {
        await this.handle(sock, msg);
      } catch (e) {
        // A comm callback's error belongs to the user: it shows in the cell's output.
        this.reportError(e);
      }
      if (!quiet) this.publish('status', { execution_state: 'idle' }, msg);
    }
  }

  private async heartbeat(): Promise<void> {
    for await (const frames of this.hb) await this.hb.send(frames);
  }

  private async handle(sock: Router, msg: Message): Promise<void> {
    const c = msg.content;
    switch (msg.header.msg_type) {
      case 'kernel_info_request':
        return this.reply(sock, msg, 'kernel_info_reply', {
          status: 'ok',
          protocol_version: '5.3',
          implementation: 'charrnn',
          implementation_version: '0.1.0',
          language_info: {
            name: 'typescript',
            version: this.languageVersion,
            mimetype: 'text/typescript',
            file_extension: '.ts',
            // JupyterLab picks its TypeScript highlighting from this.
            codemirror_mode: { name: 'javascript', typescript: true },
          },
          banner: 'charrnn: TypeScript (tslab) with character-level RNNs',
          help_links: [],
        });
      case 'is_complete_request':
        return this.reply(sock, msg, 'is_complete_reply', this.cells.isComplete(c.code));
      case 'complete_request':
        return this.reply(sock, msg, 'complete_reply', {
          status: 'ok',
          metadata: {},
          ...this.cells.complete(c.code, c.cursor_pos),
        });
      case 'inspect_request': {
        const text = this.cells.inspect(c.code, c.cursor_pos);
        const data = text === null ? {} : { 'text/plain': text };
        return this.reply(sock, msg, 'inspect_reply', { status: 'ok', found: text !== null, data, metadata: {} });
      }
      case 'history_request':
        return this.reply(sock, msg, 'history_reply', { status: 'ok', history: [] });
      case 'comm_info_request':
        return this.reply(sock, msg, 'comm_info_reply', { status: 'ok', comms: openComms(c.target_name) });
      case 'comm_open':
        // Per the protocol, a comm to an unknown target is closed right away.
        if (!openComm(c.comm_id, c.target_name, c.data))
          this.publish('comm_close', { comm_id: c.comm_id, data: {} }, msg);
        return;
      case 'comm_msg':
        deliverCommMsg(c.comm_id, c.data);
        return;
      case 'comm_close':
        closeComm(c.comm_id);
        return;
      case 'interrupt_request':
        this.interrupt();
        return this.reply(sock, msg, 'interrupt_reply', { status: 'ok' });
      case 'shutdown_request':
        await this.reply(sock, msg, 'shutdown_reply', { status: 'ok', restart: Boolean(c.restart) });
        this.publish('status', { execution_state: 'idle' }, msg);
        await this.outbox.get(this.iopub);
        this.cells.close();
        process.exit(0);
      default:
        this.log(`charrnn kernel: unsupported message type ${msg.header.msg_type}\n`);
    }
  }

  private async execute(sock: Router, msg: Message): Promise<void> {
    this.waiting.shift();
    const { code, silent, stop_on_error } = msg.content as { code: string; silent?: boolean; stop_on_error?: boolean };
    this.publish('status', { execution_state: 'busy' }, msg);
    if (this.aborted.delete(msg)) {
      await this.reply(sock, msg, 'execute_reply', { status: 'aborted', execution_count: null });
      this.publish('status', { execution_state: 'idle' }, msg);
      return;
    }
    const count = silent ? this.executionCount : ++this.executionCount;
    this.running = msg;
    this.lastCell = msg;
    clearInterrupt();
    if (!silent) this.publish('execute_input', { code, execution_count: count });

    let result: CellResult = await this.cells.run(code);
    // An interrupt that arrives from now on (a late second delivery of one) concerns no running cell.
    this.running = null;
    clearTimeout(this.noticeTimer);
    this.cellInterrupted = false;
    this.noticeShown = false;
    if (result.status === 'ok' && result.value !== undefined && !isDisplayHandle(result.value) && !silent) {
      // Building the bundle runs the object's own code (an Explorer encodes its text): it may throw.
      try {
        this.publish('execute_result', { execution_count: count, ...resultBundle(result.value) });
      } catch (e) {
        result = errorResult(e);
      }
    }
    // A loop that stopped itself on interrupt still ends the cell as interrupted, so "Run All" stops here.
    if (result.status === 'ok' && interruptRequested()) result = interruptedResult();
    if (result.status === 'error') {
      const { ename, evalue, traceback } = result;
      this.publish('error', { ename, evalue, traceback });
      if (stop_on_error !== false) for (const queued of this.waiting) this.aborted.add(queued);
    }
    const content = result.status === 'ok' ? { status: 'ok', user_expressions: {}, payload: [] } : result;
    await this.reply(sock, msg, 'execute_reply', { ...content, execution_count: count });
    this.publish('status', { execution_state: 'idle' }, msg);
  }

  /**
   * An error thrown outside a cell's own run (a comm handler, a timer's display update, an abandoned loop)
   * shows as an error in the output of the cell that runs now, or ran last.
   */
  reportError(error: unknown): void {
    const { ename, evalue, traceback } = errorResult(error);
    this.publish('error', { ename, evalue, traceback });
  }

  /** SIGINT (interrupt_mode "signal", once claimed) and interrupt_request both come here. */
  private interrupt(): void {
    requestInterrupt();
    this.interrupted();
  }

  /** The first interrupt of the running cell tells the user if it does not end soon; one after that abandons it. */
  private interrupted(): void {
    if (!this.running) return;
    if (!this.cellInterrupted) {
      this.cellInterrupted = true;
      this.noticeTimer = setTimeout(() => {
        this.noticeShown = true;
        process.stderr.write(
          'Interrupted: the cell is still waiting for something that has not finished; interrupt again to abandon it.\n',
        );
      }, NOTICE_MS);
    } else if (this.noticeShown) {
      this.cells.abandon();
    }
  }

  private streamWriter(name: 'stdout' | 'stderr'): typeof process.stdout.write {
    const decoder = new TextDecoder();
    return ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk);
      this.publish('stream', { name, text });
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  }
}

/**
 * The last expression's value: a Displayable shows its rich bundle, anything else its text as console.log
 * would print it (a string as is, so a generated sample reads as text).
 */
function resultBundle(value: unknown): { data: Record<string, unknown>; metadata: Record<string, unknown> } {
  if (isDisplayable(value)) {
    const bundle = value.toMimeBundle();
    return { data: bundle.data, metadata: bundle.metadata ?? {} };
  }
  return { data: { 'text/plain': format(value) }, metadata: {} };
}
