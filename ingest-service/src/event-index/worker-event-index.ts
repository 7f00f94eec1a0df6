import { SealpostError } from '../../../shared/errors/index.js';
import type { LogLike } from '../journal/types.js';
import type { KafkaSettings } from '../kafka/client.js';
import { startWorkerClient } from '../threads/worker-client.js';
import type { IndexedSource } from './event-index-config.js';
import type { EventHit, EventQuery } from './event-query.js';
import { EVENT_INDEX_ERRORS } from './errors.js';
import type { IndexAnswer, IndexRequest, IndexState, IndexWorkerInit } from './index-protocol.js';

/** The running event index, as the service and its admin API hold it. */
export interface EventIndexHandle {
  /** The indexed sources (id and topic). */
  readonly sources: readonly IndexedSource[];
  query(q: EventQuery): Promise<{ events: EventHit[]; next: string | null }>;
  state(): Promise<IndexState>;
  close(): Promise<void>;
}

/**
 * Starts the event index in its own thread (index-worker.ts): opening the index file happens now, so a
 * data dir it cannot write stops the start with a message naming the file; the tail itself starts in the
 * background and never delays the service's start or its acknowledgements.
 */
export async function startEventIndex(opts: { kafka: KafkaSettings; dataDir: string; sources: IndexedSource[]; retentionDays: number; log: LogLike }): Promise<EventIndexHandle> {
  const client = startWorkerClient<IndexRequest, IndexAnswer>({
    beside: import.meta.url,
    module: './index-worker',
    workerData: { kafka: opts.kafka, dataDir: opts.dataDir, sources: opts.sources, retentionDays: opts.retentionDays } satisfies IndexWorkerInit,
    died: (_why, message, cause) => new SealpostError(EVENT_INDEX_ERRORS.open, `the event index thread: ${message}`, { retriable: true, status: 503, ...(cause ? { cause } : {}) }),
    log: opts.log,
  });
  try {
    await client.ready();
  } catch (err) {
    await client.close();
    throw err;
  }
  return {
    sources: opts.sources,
    query: async (query) => (await client.call({ op: 'query', query })) as { events: EventHit[]; next: string | null },
    state: async () => (await client.call({ op: 'stats' })) as IndexState,
    close: () => client.close(),
  };
}
