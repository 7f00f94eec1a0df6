import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { LogLike } from './types.js';
import { createWriteOps, type WriteRequest, type WriteResults } from './writer-ops.js';

/** Runs journal writes, one transaction per request, off the caller's thread or inline. */
export interface JournalWriter {
  /** Resolves once the writer's connection is open; rejects (SQLite code kept) if it cannot open. */
  ready(): Promise<void>;
  write<R extends WriteRequest>(req: R): Promise<WriteResults[R['op']]>;
  close(): Promise<void>;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** An error from the writer with the SQLite code preserved (so it maps to SP_JOURNAL_UNAVAILABLE). */
function fromWire(e: { code: string | null; message: string } | undefined): Error {
  return Object.assign(new Error(e?.message ?? 'journal writer failed'), e?.code ? { code: e.code } : {});
}

/**
 * Starts the writer thread. Running from TypeScript sources (tsx), a worker does not inherit the
 * loader, so the worker registers tsx itself before importing the .ts module; built JavaScript
 * loads the .js worker directly. A writer thread that dies is replaced on the next write.
 */
export function startWriterThread(opts: { path: string; busyTimeoutMs: number; log: LogLike }): JournalWriter {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  let closing: Promise<void> | undefined;
  let readyState!: { promise: Promise<void>; resolve(): void; reject(e: unknown): void };
  const newReady = (): void => {
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => {}); // observed through ready() or the writes that fail the same way
    readyState = { promise, resolve, reject };
  };

  const spawn = (): Worker => {
    newReady();
    const fromTs = import.meta.url.endsWith('.ts');
    const target = new URL(`./writer-worker.${fromTs ? 'ts' : 'js'}`, import.meta.url);
    const workerData = { path: opts.path, busyTimeoutMs: opts.busyTimeoutMs };
    const w = fromTs
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(target.href)}); });`,
          { eval: true, workerData },
        )
      : new Worker(target, { workerData });
    w.on('message', (msg: { id?: number; ok?: boolean; ready?: boolean; result?: unknown; error?: { code: string | null; message: string } }) => {
      if (msg.ready !== undefined) {
        if (msg.ready) readyState.resolve();
        else readyState.reject(fromWire(msg.error));
        if (pending.size === 0 && !closing) w.unref(); // booting kept it referenced; idle now
        return;
      }
      if (msg.id === undefined) return;
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (pending.size === 0 && !closing) w.unref();
      if (msg.ok) p.resolve(msg.result);
      else p.reject(fromWire(msg.error));
    });
    const fail = (err: Error): void => {
      if (worker === w) worker = undefined;
      readyState.reject(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    w.on('error', (err) => {
      opts.log.error({ err: err.message }, 'journal writer thread failed; it will be restarted on the next write');
      fail(err);
    });
    w.on('exit', (code) => {
      if (!closing) fail(Object.assign(new Error(`journal writer thread exited (${code})`), { code: 'SQLITE_IOERR' }));
    });
    // Referenced while it boots (someone may be awaiting ready()); afterwards only while writes are pending,
    // so an idle journal never keeps the process alive on its own.
    return w;
  };

  worker = spawn(); // now, so the thread is up (and a failure to open is reported) before the first request

  return {
    ready: () => readyState.promise,
    write(req) {
      if (closing) return Promise.reject(Object.assign(new Error('journal writer is closed'), { code: 'SQLITE_MISUSE' }));
      worker ??= spawn();
      const id = nextId++;
      const w = worker;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        w.ref();
        w.postMessage({ id, req });
      });
    },
    close() {
      closing ??= (async () => {
        const w = worker;
        worker = undefined;
        if (!w) return;
        w.ref();
        await new Promise<void>((resolve) => {
          w.once('exit', () => resolve());
          w.on('message', (m: { closed?: boolean }) => {
            if (m.closed) void w.terminate();
          });
          w.postMessage({ close: true });
        });
      })();
      return closing;
    },
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
