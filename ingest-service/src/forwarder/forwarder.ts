import { SealpostError, isSealpostError } from '../../../shared/errors/index.js';
import type { Clock } from '../journal/types.js';
import { backoffDelay } from './backoff.js';
import { buildBatch, RetryLater } from './build-batch.js';
import { FORWARDER_ERRORS } from './errors.js';
import { pendingPages } from './pending-pages.js';
import type { FailureStage, ForwarderCounters, ForwarderOptions } from './types.js';

/** The running forwarder; see createForwarder. */
export interface Forwarder {
  /** Starts the loop (idempotent). */
  start(): void;
  /**
   * Resolves once nothing forwardable is pending (paused sources aside). Started: wakes the loop,
   * cutting a backoff short, and waits (rejecting with SP_FORWARDER_DRAIN_TIMEOUT after timeoutMs).
   * Not started: runs rounds inline and rejects with the first failure.
   */
  drainNow(opts?: { timeoutMs?: number }): Promise<void>;
  /** Lets the batch in flight finish (at most timeoutMs, default 30 s: it stays in the journal anyway), then stops. */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
  counters(): ForwarderCounters;
}

const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

class StageError extends Error {
  constructor(
    readonly stage: FailureStage,
    override readonly cause: unknown,
  ) {
    super(`${stage} failed`);
  }
}

/**
 * Drains the journal into the sink: oldest entries first, expanded, de-duplicated, produced, and
 * only then marked forwarded (with their dedupe claims and dead letters, in one transaction). A
 * failure never skips anything: the same entries are retried, in the same order, after an
 * exponential backoff with jitter. Delivery is at-least-once: a crash between the broker's ack and
 * the journal's commit re-sends that batch.
 */
export function createForwarder(opts: ForwarderOptions): Forwarder {
  const { journal, sink, expand, log } = opts;
  const clock = opts.clock ?? SYSTEM_CLOCK;
  const random = opts.random ?? Math.random;
  const maxRecordBytes = opts.maxRecordBytes ?? 1_000_000;
  const maxEntries = opts.maxEntries ?? 256;
  const maxBatchBytes = opts.maxBatchBytes ?? 16 * 1024 * 1024;
  const idlePollMs = opts.idlePollMs ?? 5000;

  const c: ForwarderCounters = {
    forwardedEvents: 0,
    duplicatesDropped: 0,
    deadLetters: {},
    failures: { expand: 0, send: 0, journal: 0 },
    batches: 0,
    consecutiveFailures: 0,
    lastError: null,
    lastSuccessAt: null,
    state: 'stopped',
  };

  /** A batch expanded and ready to send, with the last seq it covers. */
  interface Prepared {
    batch: Awaited<ReturnType<typeof buildBatch>>;
    lastSeq: number;
  }

  /** Reads and expands the next batch (after `after`, if a batch is still in flight); null when nothing is pending. */
  const prepare = async (after?: Prepared): Promise<Prepared | null> => {
    const entries = pendingPages(journal, {
      maxEntries,
      maxBytes: maxBatchBytes,
      excludeSources: journal.pausedSources(),
      ...(after ? { afterSeq: after.lastSeq } : {}),
    });
    if (!entries.at(0)) return null;
    try {
      const batch = await buildBatch(entries, {
        journal,
        expand,
        batchEvents: opts.batchEvents,
        maxRecordBytes,
        ...(after ? { inflightClaims: after.batch.claims } : {}),
      });
      if (batch.activity.links.length) opts.activity?.links(batch.activity.links);
      return { batch, lastSeq: batch.seqs.length ? batch.seqs[batch.seqs.length - 1]! : (after?.lastSeq ?? 0) };
    } catch (err) {
      throw new StageError(err instanceof RetryLater ? 'expand' : 'journal', err instanceof RetryLater ? err.cause : err);
    }
  };

  /** Sends a prepared batch and marks its entries forwarded; returns how many entries it completed. */
  const commit = async ({ batch }: Prepared): Promise<number> => {
    try {
      // Subject keys first, in a send of their own: one send may land on some partitions and fail on others
      // (the keys topic's leader away), and a record under a key whose record never lands is unreadable for good.
      if (batch.keyRecords.length) {
        await sink.send(batch.keyRecords);
        opts.keyRecordsProduced?.(batch.keyRecords);
      }
      // Suppression records (compacted topic, whole states) go with the records they came from.
      await sink.send(batch.sideRecords.length ? [...batch.records, ...batch.sideRecords] : batch.records);
    } catch (err) {
      throw new StageError('send', err);
    }
    try {
      await journal.complete(batch.seqs, { claims: batch.claims, deadLetters: batch.deadLetters });
    } catch (err) {
      throw new StageError('journal', err);
    }
    c.batches++;
    c.forwardedEvents += batch.records.length;
    if (batch.activity.counts.length) opts.activity?.forwarded(batch.activity.counts);
    c.lastSuccessAt = clock.now();
    const bySource = new Map<string, number>();
    for (const s of batch.recordSources) bySource.set(s, (bySource.get(s) ?? 0) + 1);
    for (const [source, n] of bySource) opts.metrics?.eventsForwarded?.inc({ source }, n);
    for (const outcome of ['shredded', 'dropped'] as const) {
      if (batch.forgotten[outcome]) opts.metrics?.forgottenEvents?.inc({ outcome }, batch.forgotten[outcome]);
    }
    for (const [source, n] of batch.duplicatesBySource) {
      c.duplicatesDropped += n;
      opts.metrics?.duplicatesDropped?.inc({ source }, n);
    }
    for (const d of batch.deadLetters) {
      c.deadLetters[d.reason] = (c.deadLetters[d.reason] ?? 0) + 1;
      opts.metrics?.deadLetters?.inc({ source: d.source, reason: d.reason });
      log.warn({ source: d.source, seq: d.seq, eventIndex: d.eventIndex, reason: d.reason }, 'event kept as a dead letter');
    }
    return batch.seqs.length;
  };

  /**
   * Forwards batches until nothing is pending; returns the entries completed (0 = nothing pending).
   * While one batch is being sent, the next is read and expanded (sealing overlaps the Kafka round
   * trip). Sends stay strictly one after the other, so order per key holds; the next batch's dedupe
   * counts the in-flight batch's claims; after any failure the prepared batch is dropped and the next
   * round starts again from the oldest pending entry.
   */
  const round = async (): Promise<number> => {
    let done = 0;
    let current = await prepare();
    while (current) {
      const next = stopping ? Promise.resolve(null) : prepare(current);
      next.catch(() => {}); // settled below, or dropped after a failure
      try {
        done += await commit(current);
      } catch (err) {
        await next.catch(() => {});
        throw err;
      }
      current = await next;
    }
    return done;
  };

  const noteFailure = (err: StageError): number => {
    const cause = err.cause;
    const code = isSealpostError(cause) ? cause.code : ((cause as Error)?.name ?? 'Error');
    const message = (cause as Error)?.message ?? String(cause);
    c.failures[err.stage]++;
    c.consecutiveFailures++;
    c.lastError = { stage: err.stage, code, message, at: clock.now() };
    opts.metrics?.forwardFailures?.inc({ reason: code });
    const delay = backoffDelay(c.consecutiveFailures, opts.retryInitialMs, opts.retryMaxMs, random);
    log.warn({ stage: err.stage, code, attempt: c.consecutiveFailures, retryInMs: delay, err: message }, 'forwarding failed; the batch stays in the journal and will be retried');
    return delay;
  };

  // --- the loop ---
  let started = false;
  let stopping = false;
  let loopDone: Promise<void> = Promise.resolve();
  let sleeper: { resolve: () => void; timer: NodeJS.Timeout; kind: 'idle' | 'backoff' } | undefined;
  let drainWaiters: (() => void)[] = [];
  let unsubscribe: (() => void) | undefined;

  const sleep = (ms: number, kind: 'idle' | 'backoff'): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        sleeper = undefined;
        resolve();
      }, ms);
      sleeper = { resolve, timer, kind };
    });
  const wake = (only?: 'idle'): void => {
    if (!sleeper || (only && sleeper.kind !== only)) return;
    clearTimeout(sleeper.timer);
    const s = sleeper;
    sleeper = undefined;
    s.resolve();
  };

  const loop = async (): Promise<void> => {
    while (!stopping) {
      let n: number;
      c.state = 'forwarding';
      try {
        n = await round();
      } catch (err) {
        const delay = noteFailure(err instanceof StageError ? err : new StageError('journal', err));
        if (stopping) break;
        c.state = 'backoff';
        // An operator waiting on drainNow() gets a prompt retry, not the whole backoff.
        await sleep(drainWaiters.length > 0 ? Math.min(delay, opts.retryInitialMs) : delay, 'backoff');
        continue;
      }
      if (c.consecutiveFailures > 0) {
        log.info({ afterFailures: c.consecutiveFailures }, 'forwarding resumed');
        c.consecutiveFailures = 0;
      }
      if (n === 0) {
        const w = drainWaiters;
        drainWaiters = [];
        for (const r of w) r();
        if (stopping) break;
        c.state = 'idle';
        await sleep(idlePollMs, 'idle');
      }
    }
    c.state = 'stopped';
  };

  return {
    start() {
      if (started) return;
      started = true;
      stopping = false;
      unsubscribe = journal.onWork(() => wake('idle'));
      loopDone = loop().catch((err) => log.error({ err }, 'forwarder loop ended unexpectedly'));
    },
    async drainNow(o = {}) {
      if (!started) {
        try {
          while ((await round()) > 0) {
            /* keep going until nothing forwardable is pending */
          }
        } catch (err) {
          throw err instanceof StageError ? err.cause : err;
        }
        return;
      }
      await new Promise<void>((resolve, reject) => {
        const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => {
          drainWaiters = drainWaiters.filter((w) => w !== done);
          reject(new SealpostError(FORWARDER_ERRORS.drainTimeout, `backlog not drained within ${o.timeoutMs} ms (last error: ${c.lastError?.code ?? 'none'}); it stays in the journal`, { retriable: true, details: { pending: journal.pendingTotal() } }));
        }, o.timeoutMs);
        const done = (): void => {
          if (timer) clearTimeout(timer);
          resolve();
        };
        drainWaiters.push(done);
        wake();
      });
    },
    async stop(o = {}) {
      if (!started) return;
      stopping = true;
      started = false;
      unsubscribe?.();
      wake();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          log.warn('forwarder stop timed out waiting for the batch in flight; it stays in the journal');
          resolve();
        }, o.timeoutMs ?? 30_000);
      });
      await Promise.race([loopDone, timedOut]);
      clearTimeout(timer);
    },
    counters: () => ({ ...c, deadLetters: { ...c.deadLetters }, failures: { ...c.failures }, lastError: c.lastError ? { ...c.lastError } : null }),
  };
}
