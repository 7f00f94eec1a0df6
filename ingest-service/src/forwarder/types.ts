import type { BacklogPort } from '../journal/index.js';
import type { Clock, LogLike } from '../journal/types.js';
import type { Expand } from '../expand/contract.js';
import type { RecordSink, SinkRecord } from '../kafka/index.js';
import type { ActivityCount, SealedLink } from '../activity/types.js';

/**
 * Where email activity counts go (the activity store). `forwarded` is called only after Kafka acknowledged
 * a round and the journal marked it forwarded: a round that fails and is retried is counted once.
 */
export interface ActivitySink {
  forwarded(counts: readonly ActivityCount[]): void;
  /** Sealed clicked URLs, kept as soon as they are sealed (they count nothing themselves). */
  links(links: readonly SealedLink[]): void;
}

/** A prom-client Counter fits this; labels are source ids and reason codes only. */
export interface CounterLike {
  inc(labels: Record<string, string>, value?: number): void;
}

/** The counters the forwarder feeds when given (the service passes its prom-client metrics). */
export interface ForwarderMetrics {
  eventsForwarded?: CounterLike;
  duplicatesDropped?: CounterLike;
  deadLetters?: CounterLike;
  forwardFailures?: CounterLike;
  /** Events of forgotten subjects, by `outcome` (shredded, dropped), once their entries are completed. */
  forgottenEvents?: CounterLike;
}

export type FailureStage = 'expand' | 'send' | 'journal';

export interface ForwarderCounters {
  forwardedEvents: number;
  duplicatesDropped: number;
  deadLetters: Record<string, number>;
  failures: Record<FailureStage, number>;
  batches: number;
  /** Consecutive failed attempts (0 when the last attempt succeeded). */
  consecutiveFailures: number;
  lastError: { stage: FailureStage; code: string; message: string; at: number } | null;
  lastSuccessAt: number | null;
  state: 'idle' | 'forwarding' | 'backoff' | 'stopped';
}

export interface ForwarderOptions {
  journal: BacklogPort;
  sink: RecordSink;
  expand: Expand;
  log: LogLike;
  clock?: Clock;
  metrics?: ForwarderMetrics;
  /** Email activity counts (absent: not counted). */
  activity?: ActivitySink;
  /** Records per Kafka batch (a batch always holds whole entries). */
  batchEvents: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Records larger than this (value + key + headers) become dead letters `record_too_large`. */
  maxRecordBytes?: number;
  /**
   * At most this many entries read from the journal per round (default 256) and their payload bytes (default
   * 16 MB); read a page at a time, as the batch fills (pending-pages.ts).
   */
  maxEntries?: number;
  maxBatchBytes?: number;
  /** Safety poll while idle, in case a notification was missed (default 5000 ms). */
  idlePollMs?: number;
  /** Told which subject-key records are in Kafka (so expand stops sending them with later batches). */
  keyRecordsProduced?(records: readonly SinkRecord[]): void;
  /** Source of randomness for backoff jitter (tests). */
  random?: () => number;
}
