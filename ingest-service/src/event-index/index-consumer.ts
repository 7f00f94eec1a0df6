import type { Consumer, Kafka } from 'kafkajs';
import type { LogLike } from '../journal/types.js';
import type { IndexedSource } from './event-index-config.js';
import { envelopeRow, type EventRow } from './envelope-row.js';
import type { EventStore } from './event-store.js';

/** How the tail is doing, for the admin API's answer (an index that lags is said so, not hidden). */
export interface IndexerStats {
  running: boolean;
  /** True while the tail stands aside because the forwarder has a backlog (see setYield). */
  yielding: boolean;
  /** Rows added since start, and records skipped (not an envelope of an indexed source, or already there). */
  indexed: number;
  skipped: number;
  lastIndexedAt: number | null;
  lastError: { message: string; at: number } | null;
}

const RETRY_MS = 5_000;
const PRUNE_EVERY_MS = 60_000;

/**
 * Tails the topics of the indexed sources into the store, off the ingest path: its own consumer group
 * (`sealpost-event-index.<instance id of the index file>`, so each instance keeps a whole index of its
 * own and a deleted index file starts a new group from the beginning), rows written in one transaction
 * per batch BEFORE the batch's offsets are committed. A crash between the two reads the batch again,
 * and the (source, id) key drops what is already there: nothing is lost, nothing doubled. Kafka away at
 * start or later: it retries every few seconds; ingest does not wait for it. Retention prunes by receive time.
 */
export function startIndexConsumer(opts: { kafka: Kafka; store: EventStore; sources: readonly IndexedSource[]; retentionDays: number; log: LogLike; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const { store, log } = opts;
  const indexed = new Set(opts.sources.map((s) => s.id));
  const topics = [...new Set(opts.sources.map((s) => s.topic))];
  const groupId = `sealpost-event-index.${store.instanceId()}`;
  const stats: IndexerStats = { running: false, yielding: false, indexed: 0, skipped: 0, lastIndexedAt: null, lastError: null };
  const all = topics.map((topic) => ({ topic }));
  /** Applies the yield state to the running consumer (pause/resume only change what the next fetch asks for). */
  const applyYield = (): void => {
    if (!consumer || !stats.running) return;
    if (stats.yielding) consumer.pause(all);
    else consumer.resume(all);
  };
  let consumer: Consumer | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const prune = (): void => {
    try {
      const before = now() - opts.retentionDays * 86_400_000;
      let gone = 0;
      for (let n = store.prune(before); n > 0 && !stopped; n = store.prune(before)) gone += n;
      if (gone) log.info({ pruned: gone, retentionDays: opts.retentionDays }, 'event index: rows past retention deleted');
    } catch (err) {
      log.error({ code: 'SP_EVENT_INDEX_PRUNE', err: (err as Error).message }, 'event index: pruning failed; it is tried again in a minute');
    }
  };
  prune();
  const pruner = setInterval(prune, PRUNE_EVERY_MS);
  pruner.unref();

  const fail = (err: unknown): void => {
    stats.running = false;
    stats.lastError = { message: (err as Error).message, at: now() };
    log.warn({ code: 'SP_EVENT_INDEX_TAIL', err: (err as Error).message, retryInMs: RETRY_MS }, 'event index: reading the events topics failed; retrying (ingest is not affected)');
    const c = consumer;
    consumer = undefined;
    void c?.disconnect().catch(() => {});
    if (!stopped) retry = setTimeout(() => void start(), RETRY_MS);
  };

  const start = async (): Promise<void> => {
    if (stopped || topics.length === 0) return;
    const c = opts.kafka.consumer({ groupId, sessionTimeout: 30_000, maxWaitTimeInMs: 500, retry: { retries: 5, restartOnFailure: async () => false } });
    consumer = c;
    try {
      await c.connect();
      await c.subscribe({ topics, fromBeginning: true });
      c.on(c.events.CRASH, ({ payload }) => {
        if (!stopped && consumer === c) fail(payload.error);
      });
      await c.run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch, heartbeat }) => {
          const rows: EventRow[] = [];
          for (const m of batch.messages) {
            const row = envelopeRow(m.value, { topic: batch.topic, partition: batch.partition, offset: m.offset, timestamp: Number(m.timestamp) }, indexed);
            if (row) rows.push(row);
          }
          const added = store.insert(rows);
          stats.indexed += added;
          stats.skipped += batch.messages.length - added;
          if (added) stats.lastIndexedAt = now();
          await heartbeat();
        },
      });
      stats.running = true;
      stats.lastError = null;
      applyYield();
    } catch (err) {
      if (consumer === c) fail(err);
    }
  };
  void start();

  return {
    groupId,
    stats: (): IndexerStats => ({ ...stats }),
    /**
     * Stands aside (true) or reads again (false): the service says so while its forwarder has a backlog, so that
     * indexing only ever uses the CPU forwarding does not need, and catches up when the burst is over.
     */
    setYield(on: boolean): void {
      stats.yielding = on;
      applyYield();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(retry);
      clearInterval(pruner);
      await consumer?.disconnect().catch(() => {});
    },
  };
}
