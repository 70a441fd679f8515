#!/usr/bin/env node
/**
 * The charrnn notebook kernel: `node dist/kernel/main.js <connection_file>`, started by Jupyter through
 * the kernelspec (see kernelspec.ts). Runs TypeScript cells with tslab, adds comms, interrupt of any
 * cell, Jupyter error messages and rich display of the library's objects.
 */
import { readFileSync } from 'node:fs';
import { createCellRunner, typescriptVersion } from './cells';
import { KernelServer } from './server';
import type { ConnectionInfo } from './server';

const connectionFile = process.argv[2];
if (!connectionFile) {
  console.error('usage: node kernel/main.js <connection_file>');
  process.exit(2);
}
const conn = JSON.parse(readFileSync(connectionFile, 'utf8')) as ConnectionInfo;
const cells = createCellRunner(process.cwd(), (content, update) =>
  server.publish(update ? 'update_display_data' : 'display_data', content),
);
const server = new KernelServer(conn, cells, typescriptVersion);
// A failing background task (an abandoned loop, a timer, a display update) must not take the kernel down.
process.on('uncaughtException', (e) => server.reportError(e));
process.on('unhandledRejection', (e) => server.reportError(e));
// A kernel whose server died without shutting it down (killed, crashed) would run on unseen: exit when our
// parent changes (we were reparented), as ipykernel's parent poller does.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 2000).unref();
server.start().catch((e) => {
  console.error('charrnn kernel: cannot start:', e);
  process.exit(1);
});
