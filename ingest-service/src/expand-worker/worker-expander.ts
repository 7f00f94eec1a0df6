import { Worker } from 'node:worker_threads';
import { SealpostError } from '../../../shared/errors/index.js';
import type { SourceKind } from '../../../shared/envelope/index.js';
import type { Config } from '../config/index.js';
import type { Expand } from '../forwarder/index.js';
import type { ExpandRequest, ExpandResponse, WorkerInit, WorkerReady, WorkerStats } from './protocol.js';

/** The forwarder's `expand`, run in a worker thread, plus the worker's counters. */
export interface WorkerExpander {
  expand: Expand;
  stats(): WorkerStats;
  /** Resolves once no expand is in flight (a reload waits for this before closing the old worker). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the expand workers: parsing, splitting and sealing (the CPU-heavy part of forwarding) run on
 * their own threads, so the main thread only verifies, journals and acknowledges, and a big forwarding
 * batch never delays a 2xx. Errors come back as SealpostErrors with their code and `retriable` flag,
 * so a KMS outage still makes the forwarder back off instead of dead-lettering.
 */
export async function startWorkerExpander(config: Config, opts: { workers?: number } = {}): Promise<WorkerExpander> {
  const count = Math.max(1, opts.workers ?? 1);
  // One after the other: the first creates missing local key files, the others find them.
  const workers: (WorkerExpander & { inFlight(): number })[] = [];
  try {
    for (let i = 0; i < count; i++) workers.push(await startOneWorker(config));
  } catch (err) {
    await Promise.all(workers.map((w) => w.close()));
    throw err;
  }
  if (workers.length === 1) return workers[0]!;
  return {
    // The forwarder awaits results in entry order, so entries may be sealed on any worker in parallel.
    expand: (entry) => workers.reduce((a, b) => (b.inFlight() < a.inFlight() ? b : a)).expand(entry),
    stats: () =>
      workers
        .map((w) => w.stats())
        .reduce((a, b) => ({
          sectionsSealed: a.sectionsSealed + b.sectionsSealed,
          keyringCalls: a.keyringCalls + b.keyringCalls,
          kmsCalls: a.kmsCalls + b.kmsCalls,
          kmsFailedCalls: a.kmsFailedCalls + b.kmsFailedCalls,
        })),
    idle: async () => {
      await Promise.all(workers.map((w) => w.idle()));
    },
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

async function startOneWorker(config: Config): Promise<WorkerExpander & { inFlight(): number }> {
  // From source (.ts, through tsx) the worker needs tsx registered first; from built .js it runs directly.
  const entry = import.meta.url.endsWith('.ts') ? './worker-bootstrap.mjs' : './worker-main.js';
  const worker = new Worker(new URL(entry, import.meta.url), { workerData: { config } satisfies WorkerInit });
  const pending = new Map<number, { resolve: (r: ExpandResponse) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let stats: WorkerStats = { sectionsSealed: 0, keyringCalls: 0, kmsCalls: 0, kmsFailedCalls: 0 };
  let dead: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    worker.once('message', (msg: WorkerReady) => {
      if (msg.type === 'ready') resolve();
      else reject(new SealpostError(msg.error.code, msg.error.message, { retriable: msg.error.retriable, status: msg.error.status }));
    });
    worker.once('error', reject);
  });
  worker.on('message', (msg: ExpandResponse) => {
    stats = msg.stats;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    p?.resolve(msg);
  });
  const failAll = (err: Error): void => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', (err) => failAll(new SealpostError('SP_EXPAND_WORKER_DIED', `the expand worker failed: ${err.message}`, { retriable: true, cause: err })));
  worker.on('exit', (code) => failAll(new SealpostError('SP_EXPAND_WORKER_DIED', `the expand worker exited (${code})`, { retriable: true })));

  const expand: Expand = async (entry) => {
    if (dead) throw dead;
    const id = nextId++;
    const res = await new Promise<ExpandResponse>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      const req: ExpandRequest = { type: 'expand', id, entry: { seq: entry.seq, source: entry.source, kind: entry.kind as SourceKind, receivedAt: entry.receivedAt, payload: entry.payload } };
      worker.postMessage(req);
    });
    if (res.type === 'failed') {
      const e = res.error;
      throw new SealpostError(e.code, e.message, {
        retriable: e.retriable,
        status: e.status,
        ...(e.details ? { details: e.details } : {}),
        ...(e.causeCode ? { cause: new SealpostError(e.causeCode, e.causeCode, { retriable: e.retriable }) } : {}),
      });
    }
    return {
      records: res.records.map((r) => ({ ...r, value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength) })),
      deadLetters: res.deadLetters.map((d) => ({ ...d, raw: Buffer.from(d.raw.buffer, d.raw.byteOffset, d.raw.byteLength) })),
    };
  };

  return {
    expand,
    inFlight: () => pending.size,
    stats: () => stats,
    async idle() {
      while (pending.size > 0 && !dead) await new Promise((r) => setTimeout(r, 10));
    },
    async close() {
      if (dead) return;
      const exited = new Promise((r) => worker.once('exit', r));
      worker.postMessage({ type: 'close' });
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
