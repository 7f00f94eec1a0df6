// The journal's writer thread: owns the connection that writes, so fsync and checkpoints happen here
// and never on the event loop that answers HTTP. Started by writer.ts; answers WriteRequest messages,
// synchronously and so in arrival order.
import { workerData } from 'node:worker_threads';
import { serveWorker } from '../threads/serve-worker.js';
import { openConnection } from './connection.js';
import type { WriterInit } from './writer.js';
import { createWriteOps, type WriteRequest } from './writer-ops.js';

const { path, busyTimeoutMs } = workerData as WriterInit;

serveWorker({
  init: () => {
    const db = openConnection(path, busyTimeoutMs);
    return { db, ops: createWriteOps(db) };
  },
  handle: ({ ops }, req: WriteRequest) => ops(req),
  close: ({ db }) => {
    db.close();
  },
});
