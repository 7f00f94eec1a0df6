import { Worker } from 'node:worker_threads';
import { fromWire, type WireError } from './wire.js';
import type { LogLike } from '../journal/types.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** A worker thread answering requests one message each; see startWorkerClient. */
export interface WorkerClient<Req, Res> {
  /** Resolves once the worker has initialised; rejects with its init error. */
  ready(): Promise<void>;
  /** Sends one request (moving `transfer`'s buffers, not copying them); a thread that died is started again first. */
  call(req: Req, transfer?: readonly ArrayBuffer[]): Promise<Res>;
  /** Requests sent and not yet answered. */
  inFlight(): number;
  /** Resolves once nothing is in flight (no polling: woken by the last answer). */
  idle(): Promise<void>;
  /** Lets the worker run its close hook and exit (terminated after timeoutMs, default 5 s). */
  close(timeoutMs?: number): Promise<void>;
}

export interface WorkerClientOptions {
  /** The caller's `import.meta.url`: the worker module sits beside it. */
  beside: string;
  /** The worker module's name without extension (`./writer-worker`). */
  module: string;
  workerData: unknown;
  /** The error pending and later calls get when the thread failed, exited, or the client is closed. */
  died(why: 'failed' | 'exited' | 'closed', message: string, cause?: Error): Error;
  /** Unreferenced while idle, so an idle worker never keeps the process alive (the journal writer). */
  unrefWhenIdle?: boolean;
  /** Told when the thread fails (it is started again on the next call). */
  onError?(err: Error): void;
  /** Where the worker's log lines go (serveWorker's `log`): the service's own logger. */
  log?: LogLike;
}

/**
 * The one way Sealpost starts a worker thread. From TypeScript sources (tsx) a worker does not
 * inherit the loader, so it registers tsx itself before importing the `.ts` module; from built
 * JavaScript (dist/) it loads the `.js` module directly, with no tsx at all.
 */
export function spawnModuleWorker(beside: string, module: string, workerData: unknown): Worker {
  const fromTs = beside.endsWith('.ts');
  const target = new URL(`${module}.${fromTs ? 'ts' : 'js'}`, beside);
  if (!fromTs) return new Worker(target, { workerData });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(target.href)}); });`, { eval: true, workerData });
}

/** A call waiting for its answer, tagged with the thread it was posted to (only that thread's death rejects it). */
type Pending = { w: Worker; resolve: (v: unknown) => void; reject: (e: unknown) => void };

/**
 * Starts a worker (now, so a failure to initialise is reported before the first request) and gives
 * a request/answer client over it: ids matched to promises, failures carried as WireErrors, every
 * pending request rejected when the thread dies, and a new thread on the next call after that.
 */
export function startWorkerClient<Req, Res>(opts: WorkerClientOptions): WorkerClient<Req, Res> {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  let idleWaiters: (() => void)[] = [];
  let closing: Promise<void> | undefined;
  let readyState!: { promise: Promise<void>; resolve(): void; reject(e: unknown): void };

  const settled = (w: Worker): void => {
    if (pending.size > 0) return;
    if (opts.unrefWhenIdle && !closing) w.unref();
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const r of waiters) r();
  };

  const spawn = (): Worker => {
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => {}); // observed through ready() or the calls that fail the same way
    const ready = { promise, resolve, reject }; // this thread's own: a later thread's death never touches it
    readyState = ready;
    // Referenced while it boots (someone may be awaiting ready()); with unrefWhenIdle, afterwards only while calls are pending.
    const w = spawnModuleWorker(opts.beside, opts.module, opts.workerData);
    w.on('message', (msg: FromWorker<Res>) => {
      if (msg.type === 'ready') {
        if (msg.ok) ready.resolve();
        else ready.reject(fromWire(msg.error));
        settled(w);
        return;
      }
      if (msg.type === 'log') {
        opts.log?.[msg.level](msg.fields, msg.msg);
        return;
      }
      if (msg.type === 'closed') {
        void w.terminate(); // its close hook is done; anything still holding its loop (sockets, timers) goes too
        return;
      }
      if (msg.type !== 'answer') return;
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(fromWire(msg.error));
      settled(w);
    });
    // 'error' is followed (a tick later) by 'exit': the thread fails once, and only its own calls and ready promise go with it.
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      if (worker === w) worker = undefined;
      ready.reject(err);
      for (const [id, p] of pending) {
        if (p.w !== w) continue;
        pending.delete(id);
        p.reject(err);
      }
      settled(w);
    };
    w.on('error', (err) => {
      opts.onError?.(err);
      fail(opts.died('failed', `the worker thread failed: ${err.message}`, err));
    });
    // Calls still pending when the thread is gone (closed with calls in flight, or dead) are never answered: reject them.
    w.on('exit', (code) => {
      fail(closing ? opts.died('closed', 'the worker thread is closed') : opts.died('exited', `the worker thread exited (${code})`));
    });
    return w;
  };

  worker = spawn();

  return {
    ready: () => readyState.promise,
    call(req, transfer) {
      if (closing) return Promise.reject(opts.died('closed', 'the worker thread is closed'));
      worker ??= spawn();
      const w = worker;
      const id = nextId++;
      return new Promise<Res>((resolve, reject) => {
        pending.set(id, { w, resolve: resolve as (v: unknown) => void, reject });
        w.ref();
        w.postMessage({ type: 'call', id, req } satisfies ToWorker<Req>, transfer);
      });
    },
    inFlight: () => pending.size,
    idle: () => (pending.size === 0 ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r))),
    close(timeoutMs = 5_000) {
      closing ??= (async () => {
        const w = worker;
        worker = undefined;
        if (!w) return;
        w.ref();
        const exited = new Promise<void>((r) => w.once('exit', () => r()));
        const timer = setTimeout(() => void w.terminate(), timeoutMs);
        w.postMessage({ type: 'close' } satisfies ToWorker<Req>);
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
