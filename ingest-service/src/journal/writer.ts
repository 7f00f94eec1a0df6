import type { Database } from 'better-sqlite3';
import type { LogLike } from './types.js';
import { startWorkerClient } from '../threads/worker-client.js';
import { createWriteOps, type WriteRequest, type WriteResults } from './writer-ops.js';

/** What the writer thread is started with. */
export interface WriterInit {
  path: string;
  busyTimeoutMs: number;
}

/** Runs journal writes, one transaction per request, off the caller's thread or inline. */
export interface JournalWriter {
  /** Resolves once the writer's connection is open; rejects (SQLite code kept) if it cannot open. */
  ready(): Promise<void>;
  write<R extends WriteRequest>(req: R): Promise<WriteResults[R['op']]>;
  close(): Promise<void>;
}

/**
 * Starts the writer thread (threads/worker-client.ts: tsx bootstrap from sources, plain .js from
 * dist). Failures keep their SQLite code, so they map to SP_JOURNAL_UNAVAILABLE; a writer thread
 * that dies is replaced on the next write; an idle writer never keeps the process alive.
 */
export function startWriterThread(opts: { path: string; busyTimeoutMs: number; log: LogLike }): JournalWriter {
  const client = startWorkerClient<WriteRequest, unknown>({
    beside: import.meta.url,
    module: './writer-worker',
    workerData: { path: opts.path, busyTimeoutMs: opts.busyTimeoutMs } satisfies WriterInit,
    // A write after close is a misuse; a thread that died is an I/O failure (the sender gets a 503 and retries).
    died: (why, message) => Object.assign(new Error(`journal writer: ${message}`), { code: why === 'closed' ? 'SQLITE_MISUSE' : 'SQLITE_IOERR' }),
    unrefWhenIdle: true,
    onError: (err) => opts.log.error({ err: err.message }, 'journal writer thread failed; it will be restarted on the next write'),
  });
  return {
    ready: () => client.ready(),
    write: (req) => client.call(req) as Promise<never>,
    close: () => client.close(),
  };
}

/** The same writes on the caller's own connection (blocking it for each fsync): for comparison and tools. */
export function inlineWriter(db: Database): JournalWriter {
  const ops = createWriteOps(db);
  return {
    ready: async () => {},
    write: (req) => new Promise((resolve) => resolve(ops(req) as never)),
    close: async () => {},
  };
}
