import type { Journal } from '../journal/index.js';
import type { Clock, LogLike } from '../journal/types.js';
import type { RecordSink } from '../kafka/index.js';

/** A journal entry, decrypted, as expand() receives it. */
export interface ExpandEntry {
  seq: number;
  source: string;
  kind: string;
  receivedAt: number;
  payload: Buffer;
  /** Set when the entry is a re-driven dead letter (its payload is then what the dead letter held). */
  redriveOf?: number | null;
}

/** One Kafka record expand() made from one provider event. */
export interface ExpandedRecord {
  /** Provider event id (sg_event_id, SNS MessageId, audit id): the dedupe key. */
  eventId: string;
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  /** Position of the event in the entry, and its raw bytes: kept if the record turns out too large. */
  eventIndex?: number;
  raw?: Buffer;
}

export interface ExpandedDeadLetter {
  eventIndex: number | null;
  /** Stable, non-personal reason code. */
  reason: string;
  raw: Buffer;
  /** Optional non-personal summary for listings. */
  clear?: Record<string, unknown>;
}

export interface ExpandResult {
  records: ExpandedRecord[];
  deadLetters: ExpandedDeadLetter[];
}

/**
 * Turns one journal entry (one HTTP request) into sealed records and dead letters. Injected, so the
 * forwarder knows nothing of parsing or sealing. Throw a SealpostError with retriable=true when the
 * failure is temporary (KMS away): the forwarder backs off and retries; anything else thrown makes
 * the entry a dead letter.
 */
export type Expand = (entry: ExpandEntry) => Promise<ExpandResult>;

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
  journal: Journal;
  sink: RecordSink;
  expand: Expand;
  log: LogLike;
  clock?: Clock;
  metrics?: ForwarderMetrics;
  /** Records per Kafka batch (a batch always holds whole entries). */
  batchEvents: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Records larger than this (value + key + headers) become dead letters `record_too_large`. */
  maxRecordBytes?: number;
  /** Entries read from the journal per round (default 256) and their payload bytes (default 16 MB). */
  maxEntries?: number;
  maxBatchBytes?: number;
  /** Safety poll while idle, in case a notification was missed (default 5000 ms). */
  idlePollMs?: number;
  /** Source of randomness for backoff jitter (tests). */
  random?: () => number;
}
