import { SealpostError } from '../../../shared/errors/index.js';
import type { Config } from '../config/index.js';
import type { KnownSource } from '../config/source-table.js';
import { startWorkerClient, type WorkerClient } from '../threads/worker-client.js';
import { fromWire } from '../threads/wire.js';
import type { Expand, ExpandStats } from './contract.js';
import type { ExpandAnswer, ExpandRequest, ExpandWorkerInit } from './protocol.js';

/** The forwarder's `expand`, run in worker threads, plus the workers' counters. */
export interface WorkerExpander {
  expand: Expand;
  stats(): ExpandStats;
  /** Resolves once no expand is in flight (a reload waits for this before closing the old workers). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const NO_STATS: ExpandStats = { sectionsSealed: 0, keyringCalls: 0, kmsCalls: 0, kmsFailedCalls: 0 };

/** A Buffer over a received Uint8Array's bytes (no copy). */
const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * Starts the expand workers: parsing, splitting and sealing (the CPU-heavy part of forwarding) run on
 * their own threads, so the main thread only verifies, journals and acknowledges, and a big forwarding
 * batch never delays a 2xx. Errors come back as SealpostErrors with their code and `retriable` flag,
 * so a KMS outage still makes the forwarder back off instead of dead-lettering; a worker that dies
 * fails its entries as retriable and is started again on the next entry.
 */
export async function startWorkerExpander(config: Config, sources: readonly KnownSource[], opts: { workers?: number } = {}): Promise<WorkerExpander> {
  const count = Math.max(1, opts.workers ?? 1);
  const workerData: ExpandWorkerInit = { config, sources };
  const workers: { client: WorkerClient<ExpandRequest, ExpandAnswer>; stats: ExpandStats }[] = [];
  try {
    // One after the other: the first creates missing local key files, the others find them.
    for (let i = 0; i < count; i++) {
      const client = startWorkerClient<ExpandRequest, ExpandAnswer>({
        beside: import.meta.url,
        module: './worker-main',
        workerData,
        died: (_why, message, cause) => new SealpostError('SP_EXPAND_WORKER_DIED', `the expand worker: ${message}`, { retriable: true, ...(cause ? { cause } : {}) }),
      });
      workers.push({ client, stats: NO_STATS });
      await client.ready();
    }
  } catch (err) {
    await Promise.all(workers.map((w) => w.client.close()));
    throw err;
  }

  const expand: Expand = async (entry) => {
    // The forwarder awaits results in entry order, so entries may be sealed on any worker in parallel.
    const w = workers.reduce((a, b) => (b.client.inFlight() < a.client.inFlight() ? b : a));
    const answer = await w.client.call(entry);
    w.stats = answer.stats;
    const out = answer.outcome;
    if (!out.ok) throw fromWire(out.error);
    let pos = 0;
    return {
      // Views into the one moved buffer: no copy on this thread.
      records: out.records.map(({ valueLength, ...r }) => {
        const value = Buffer.from(out.values, pos, valueLength);
        pos += valueLength;
        return { ...r, value };
      }),
      deadLetters: out.deadLetters.map((d) => ({ ...d, raw: asBuffer(d.raw) })),
      ...(out.activity ? { activity: out.activity } : {}),
    };
  };

  return {
    expand,
    stats: () =>
      workers.reduce(
        (a, { stats: b }) => ({
          sectionsSealed: a.sectionsSealed + b.sectionsSealed,
          keyringCalls: a.keyringCalls + b.keyringCalls,
          kmsCalls: a.kmsCalls + b.kmsCalls,
          kmsFailedCalls: a.kmsFailedCalls + b.kmsFailedCalls,
        }),
        NO_STATS,
      ),
    idle: async () => {
      await Promise.all(workers.map((w) => w.client.idle()));
    },
    close: async () => {
      await Promise.all(workers.map((w) => w.client.close()));
    },
  };
}
