// The journal's writer thread: owns the connection that writes, so fsync and checkpoints happen here
// and never on the event loop that answers HTTP. Started by writer.ts; speaks WriteRequest messages.
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection } from './connection.js';
import { createWriteOps, type WriteRequest } from './writer-ops.js';

const port = parentPort!;
const { path, busyTimeoutMs } = workerData as { path: string; busyTimeoutMs: number };

const toWire = (err: unknown): { code: string | null; message: string } => ({
  code: typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : null,
  message: (err as Error)?.message ?? String(err),
});

let db: ReturnType<typeof openConnection> | undefined;
let ops: ReturnType<typeof createWriteOps> | undefined;
let openError: { code: string | null; message: string } | undefined;
try {
  db = openConnection(path, busyTimeoutMs);
  ops = createWriteOps(db);
} catch (err) {
  openError = toWire(err);
}
port.postMessage(openError ? { ready: false, error: openError } : { ready: true });

port.on('message', (msg: { id: number; req: WriteRequest } | { close: true }) => {
  if ('close' in msg) {
    try {
      db?.close();
    } finally {
      port.postMessage({ closed: true });
      port.close();
    }
    return;
  }
  if (!ops) {
    port.postMessage({ id: msg.id, ok: false, error: openError });
    return;
  }
  try {
    port.postMessage({ id: msg.id, ok: true, result: ops(msg.req) });
  } catch (err) {
    port.postMessage({ id: msg.id, ok: false, error: toWire(err) });
  }
});
