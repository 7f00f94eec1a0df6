import { SealpostError } from '../../../shared/errors/index.js';
import type { Journal } from '../journal/index.js';
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

/** Journal entries waiting for the forwarder above which the index stands aside, and at or below which it reads again. */
export const YIELD_ABOVE_ENTRIES = 50;
export const RESUME_AT_ENTRIES = 5;
const YIELD_CHECK_MS = 250;

/**
 * Starts the event index in its own thread (index-worker.ts): opening the index file happens now, so a
 * data dir it cannot write stops the start with a message naming the file; the tail itself starts in the
 * background and never delays the service's start or its acknowledgements.
 *
 * Indexing has the lowest priority in the service: four times a second the forwarder's backlog is looked
 * at (`backlog`: forwardable journal entries, an in-memory count) and while it is above
 * YIELD_ABOVE_ENTRIES the tail is paused, until it is down to RESUME_AT_ENTRIES. A burst is forwarded with
 * all the CPU there is; the index catches up after it (answers say `yielding` and `lastIndexedAt`).
 */
export async function startEventIndex(opts: {
  kafka: KafkaSettings;
  dataDir: string;
  sources: IndexedSource[];
  retentionDays: number;
  log: LogLike;
  /** Journal entries the forwarder still has to send (paused sources not counted). */
  backlog: () => number;
}): Promise<EventIndexHandle> {
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
  let yielding = false;
  const look = (): void => {
    const n = opts.backlog();
    const want = yielding ? n > RESUME_AT_ENTRIES : n > YIELD_ABOVE_ENTRIES;
    if (want === yielding) return;
    yielding = want;
    client.call({ op: 'yield', on: want }).catch(() => {}); // a dead thread is started again, reading: the next change applies
  };
  look();
  const check = setInterval(look, YIELD_CHECK_MS);
  check.unref();
  return {
    sources: opts.sources,
    query: async (query) => (await client.call({ op: 'query', query })) as { events: EventHit[]; next: string | null },
    state: async () => (await client.call({ op: 'stats' })) as IndexState,
    close: () => {
      clearInterval(check);
      return client.close();
    },
  };
}

/** Entries the forwarder still has to send: the in-memory pending count, less paused sources' (rare: then from stats). */
export function forwardableBacklog(journal: Pick<Journal, 'pendingTotal' | 'pausedSources' | 'stats'>): number {
  const paused = journal.pausedSources();
  if (paused.length === 0) return journal.pendingTotal();
  const bySource = journal.stats().pendingBySource;
  return Object.entries(bySource).reduce((n, [source, count]) => (paused.includes(source) ? n : n + count), 0);
}
