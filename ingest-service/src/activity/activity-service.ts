import { resolve } from 'node:path';
import { SealpostError, isSealpostError } from '../../../shared/errors/index.js';
import type { LogLike } from '../journal/types.js';
import { startWorkerClient } from '../threads/worker-client.js';
import type { ActivitySink } from '../forwarder/types.js';
import type { ActivityConfig } from './activity-config.js';
import type { ActivityRequest, ActivityWorkerInit, FunnelAnswer, FunnelQuery, SeriesLine, SeriesQuery, TopLink, TotalRow, TotalsQuery } from './protocol.js';
import type { ActivityCount, ActivityDim, SealedLink } from './types.js';

const PRUNE_EVERY_MS = 3_600_000;

/**
 * The service's email activity: the forwarder's sink for counts, and the queries the admin API answers.
 * Each query is answered whole by the activity worker (protocol.ts): this thread receives the answer only.
 */
export interface Activity extends ActivitySink {
  series(q: SeriesQuery): Promise<SeriesLine[]>;
  totals(dim: ActivityDim, q: TotalsQuery): Promise<TotalRow[]>;
  funnel(q: FunnelQuery): Promise<FunnelAnswer>;
  topLinks(q: TotalsQuery): Promise<TopLink[]>;
  /** Writes what is counted so far (queries call it first, so an answer includes everything forwarded before it). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the activity worker (it owns dataDir/activity.db) and the cheap in-memory side on the main
 * thread: the forwarder adds rows to a map after each round it completed, and every `flushMs` that map
 * goes to the worker as one transaction. Writes, pruning and queries all run on the worker's thread.
 */
export async function startActivity(config: { dataDir: string; activity: ActivityConfig }, log: LogLike): Promise<Activity> {
  const init: ActivityWorkerInit = {
    dataDir: resolve(config.dataDir),
    minuteRetentionDays: config.activity.minuteRetentionDays,
    retentionDays: config.activity.retentionDays,
  };
  const client = startWorkerClient<ActivityRequest, unknown>({
    beside: import.meta.url,
    module: './worker-main',
    workerData: init,
    unrefWhenIdle: true,
    log,
    died: (_why, message, cause) => new SealpostError('SP_ACTIVITY_WORKER', `the activity worker: ${message}`, { retriable: true, ...(cause ? { cause } : {}) }),
  });
  await client.ready();

  let pending = new Map<string, ActivityCount>();
  let links = new Map<string, SealedLink>();
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (pending.size === 0 && links.size === 0) return writing;
    const counts = [...pending.values()];
    const sealed = [...links.values()];
    pending = new Map();
    links = new Map();
    writing = writing
      .then(() => client.call({ op: 'add', counts, links: sealed }))
      .then(
        () => undefined,
        (err: unknown) => log.warn({ err: (err as Error).message, rows: counts.length }, 'activity counts could not be written; these are lost (the events themselves are in Kafka)'),
      );
    return writing;
  };
  const prune = (): void => {
    client.call({ op: 'prune' }).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'activity counts could not be pruned'));
  };
  const flushTimer = setInterval(() => void flush(), config.activity.flushMs);
  flushTimer.unref();
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  pruneTimer.unref();
  prune();

  return {
    forwarded(counts) {
      for (const c of counts) {
        const id = `${c.minute}\u0001${c.source}\u0001${c.dim}\u0001${c.type}\u0001${c.key}`;
        const row = pending.get(id);
        if (row) row.n += c.n;
        else pending.set(id, { ...c });
      }
    },
    links(list) {
      for (const l of list) links.set(l.ref, l);
    },
    async series(q) {
      await flush();
      return (await client.call({ op: 'series', q })) as SeriesLine[];
    },
    async totals(dim, q) {
      await flush();
      return (await client.call({ op: 'totals', dim, q })) as TotalRow[];
    },
    async funnel(q) {
      await flush();
      return (await client.call({ op: 'funnel', q })) as FunnelAnswer;
    },
    async topLinks(q) {
      await flush();
      return (await client.call({ op: 'topLinks', q })) as TopLink[];
    },
    flush,
    async close() {
      clearInterval(flushTimer);
      clearInterval(pruneTimer);
      await flush();
      await client.close();
    },
  };
}

/**
 * startActivity, or undefined (logged) when it cannot start (activity.db unreadable, a full disk): counts are
 * a view of what was forwarded, so their failure must never keep the service from accepting and forwarding.
 * The admin activity routes then answer SP_ADMIN_ACTIVITY_OFF; a restart tries again.
 */
export async function startActivityOrNone(config: { dataDir: string; activity: ActivityConfig }, log: LogLike): Promise<Activity | undefined> {
  try {
    return await startActivity(config, log);
  } catch (err) {
    const code = isSealpostError(err) ? err.code : 'SP_ACTIVITY_WORKER';
    log.error({ code, err: (err as Error).message }, 'email activity is off until a restart: it could not start (events are still accepted and forwarded, only not counted)');
    return undefined;
  }
}
