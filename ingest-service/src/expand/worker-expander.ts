import { SealpostError } from '../../../shared/errors/index.js';
import type { Config } from '../config/index.js';
import type { KnownSource } from '../config/source-table.js';
import type { SinkRecord } from '../kafka/sink.js';
import { startWorkerClient, type WorkerClient } from '../threads/worker-client.js';
import { fromWire } from '../threads/wire.js';
import type { Expand, ExpandedRecord, ExpandStats, ForgetNotice, ForgetSink } from './contract.js';
import type { ExpandAnswer, ExpandRequest, ExpandWorkerInit, NoticeAnswer } from './protocol.js';
import { processInstanceId } from './subject-keys/instance.js';

/** The forwarder's `expand`, run in worker threads, plus the workers' counters. */
export interface WorkerExpander extends ForgetSink {
  expand: Expand;
  stats(): ExpandStats;
  /**
   * Subjects forgotten (ForgetSink, from the keys-topic follower): every worker drops their cached keys;
   * entries received up to the forget are sealed under keys never kept, newer ones follow the policy.
   */
  forgotten(notices: readonly ForgetNotice[]): void;
  /** The forwarder produced these key records: later batches need not carry them again. */
  keyRecordsProduced(records: readonly SinkRecord[]): void;
  /** Resolves once no expand is in flight (a reload waits for this before closing the old workers). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const NO_STATS: ExpandStats = { sectionsSealed: 0, keyringCalls: 0, kmsCalls: 0, kmsFailedCalls: 0, subjectKeysCreated: 0 };

/** A Buffer over a received Uint8Array's bytes (no copy). */
const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

type Answer = ExpandAnswer | NoticeAnswer;

/**
 * Starts the expand workers: parsing, splitting and sealing (the CPU-heavy part of forwarding) run on
 * their own threads, so the main thread only verifies, journals and acknowledges, and a big forwarding
 * batch never delays a 2xx. Errors come back as SealpostErrors with their code and `retriable` flag,
 * so a KMS outage still makes the forwarder back off instead of dead-lettering; a worker that dies
 * fails its entries as retriable and is started again on the next entry; what it knew of forgotten
 * subjects is on disk (the keys-topic follower's store), where the new one reads it.
 */
export async function startWorkerExpander(
  config: Config,
  sources: readonly KnownSource[],
  opts: { workers?: number; instance?: string } = {},
): Promise<WorkerExpander> {
  const count = Math.max(1, opts.workers ?? 1);
  const instance = opts.instance ?? processInstanceId();
  const workerData: ExpandWorkerInit = { config, sources, instance };
  const workers: { client: WorkerClient<ExpandRequest, Answer>; stats: ExpandStats }[] = [];
  try {
    // One after the other: the first creates missing local key files, the others find them.
    for (let i = 0; i < count; i++) {
      const client = startWorkerClient<ExpandRequest, Answer>({
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

  /** Posts news to every worker (in order with their entries); a worker started again after dying reads forgets from disk. */
  const tell = (req: ExpandRequest): void => {
    for (const w of workers) {
      w.client.call(req).then(
        (answer) => void (w.stats = answer.stats),
        () => {},
      );
    }
  };

  const expand: Expand = async (entry) => {
    // The forwarder awaits results in entry order, so entries may be sealed on any worker in parallel.
    const w = workers.reduce((a, b) => (b.client.inFlight() < a.client.inFlight() ? b : a));
    const answer = await w.client.call({ op: 'expand', entry });
    w.stats = answer.stats;
    if (!('outcome' in answer)) throw new SealpostError('SP_EXPAND_FAILED', 'the expand worker answered an entry without an outcome');
    const out = answer.outcome;
    if (!out.ok) throw fromWire(out.error);
    let pos = 0;
    // Views into the one moved buffer: no copy on this thread. Fields named, not copied by rest and spread (two
    // object copies per record cost more than the view).
    const valueOf = (length: number): Buffer => {
      const value = Buffer.from(out.values, pos, length);
      pos += length;
      return value;
    };
    const records: ExpandedRecord[] = out.records.map((r) => ({ eventId: r.eventId, topic: r.topic, key: r.key, value: valueOf(r.valueLength), headers: r.headers }));
    const keyRecords: SinkRecord[] = out.keyRecords.map((r) => ({ topic: r.topic, key: r.key, value: valueOf(r.valueLength), headers: r.headers }));
    return {
      records,
      deadLetters: out.deadLetters.map((d) => ({ ...d, raw: asBuffer(d.raw) })),
      ...(out.activity ? { activity: out.activity } : {}),
      ...(keyRecords.length ? { keyRecords } : {}),
      ...(out.forgotten ? { forgotten: out.forgotten } : {}),
      ...(out.suppressionRecords ? { suppressionRecords: out.suppressionRecords.map((r) => ({ ...r, value: asBuffer(r.value) })) } : {}),
    };
  };

  return {
    expand,
    stats: () =>
      workers.reduce((a, { stats: b }) => {
        const sum = { ...a };
        for (const k of Object.keys(NO_STATS) as (keyof ExpandStats)[]) sum[k] = a[k] + b[k];
        return sum;
      }, NO_STATS),
    forgotten(notices) {
      const valid = notices.filter((n) => typeof n?.subject === 'string' && n.subject !== '' && Number.isFinite(n.forgottenAtMs));
      if (valid.length === 0) return;
      tell({ op: 'forgotten', notices: valid.map((n) => ({ subject: n.subject, forgottenAtMs: n.forgottenAtMs })) });
    },
    shredded(recordKeys) {
      const keys = recordKeys.filter((k) => typeof k === 'string' && k.startsWith('key/'));
      if (keys.length) tell({ op: 'shredded', recordKeys: keys });
    },
    keyRecordsProduced(records) {
      if (records.length) tell({ op: 'produced', recordKeys: records.map((r) => r.key) });
    },
    idle: async () => {
      await Promise.all(workers.map((w) => w.client.idle()));
    },
    close: async () => {
      await Promise.all(workers.map((w) => w.client.close()));
    },
  };
}
