import type { Logger } from 'pino';

/** Milliseconds since the epoch; injected so tests can move time (dedupe window, retention). */
export interface Clock {
  now(): number;
}

/** The part of a pino logger the journal, forwarder and sink use. */
export type LogLike = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** One accepted HTTP request, as the HTTP layer hands it to the journal. */
export interface AppendInput {
  /** Configured source id. */
  source: string;
  /** Source kind (sendgrid, sns, events), so the forwarder knows how to parse the payload. */
  kind: string;
  /** When the request was received (ms since epoch). */
  receivedAt: number;
  /** The request body exactly as received. Encrypted before it is written. */
  payload: Buffer;
}

/** A journal entry not yet forwarded; `sealed` is the payload as stored (encrypted), see decryptPayload. */
export interface PendingEntry {
  seq: number;
  source: string;
  kind: string;
  receivedAt: number;
  /** Clear payload size in bytes. */
  size: number;
  /** Dead letter id this entry re-drives, when it was put back by redrive(). */
  redriveOf: number | null;
  sealed: Buffer;
}

/** A provider event id forwarded from entry `seq`; a later entry carrying it again is a provider retry. */
export interface Claim {
  source: string;
  eventId: string;
  seq: number;
}

/** What the forwarder (or the HTTP layer) sets aside because it cannot be forwarded as it is. */
export interface DeadLetterInput {
  /** Entry the bytes came from. */
  seq: number;
  source: string;
  /** Source kind; looked up from the entry when omitted. */
  kind?: string;
  /** Receive time of the entry; looked up from the entry when omitted. */
  receivedAt?: number;
  /** Position of the event inside the entry's batch; null when the whole entry is the dead letter. */
  eventIndex: number | null;
  /** Stable, non-personal reason code (unparseable_json, record_too_large...). */
  reason: string;
  /** The bytes to keep for a later redrive (encrypted at rest). */
  raw: Buffer;
  /** Optional summary shown in listings; the caller guarantees it holds nothing personal. */
  clear?: Record<string, unknown>;
}

export type DeadLetterState = 'open' | 'redriven' | 'discarded';

/** A dead letter as listings show it: never the raw bytes. */
export interface DeadLetterView {
  id: number;
  seq: number;
  source: string;
  kind: string;
  eventIndex: number | null;
  reason: string;
  size: number;
  clear: Record<string, unknown> | null;
  receivedAt: number;
  createdAt: number;
  state: DeadLetterState;
  resolvedAt: number | null;
  resolvedBy: string | null;
  /** Why it was discarded (discard) or the seq it was re-driven as (redrive). */
  resolution: string | null;
  redrivenSeq: number | null;
}

export interface JournalStats {
  /** Entries (requests) not yet forwarded, per source. */
  pendingBySource: Record<string, number>;
  pendingTotal: number;
  /** receivedAt of the oldest pending entry, per source and overall (null when nothing is pending). */
  oldestPendingBySource: Record<string, number>;
  oldestPendingAt: number | null;
  /** Open dead letters per reason. */
  deadLettersByReason: Record<string, number>;
  pausedSources: string[];
  /** Group-commit transactions that wrote appends, entries they wrote, and failed ones. */
  appendCommits: number;
  appendedEntries: number;
  failedCommits: number;
}

/** A paused source: not forwarded until resumed (persisted across restarts). */
export interface PausedSource {
  source: string;
  pausedAt: number;
  pausedBy: string | null;
  reason: string | null;
}
