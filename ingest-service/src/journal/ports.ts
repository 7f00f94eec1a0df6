import type { DeadLetterQuery } from './dead-letters.js';
import type { NextBatchOptions } from './pending.js';
import type { AppendInput, Claim, DeadLetterInput, DeadLetterView, JournalStats, PausedSource, PendingEntry } from './types.js';

/** What the HTTP routes and the audit trail need: durable appends, and whether they can happen now. */
export interface IngestPort {
  /**
   * Resolves once the writer thread has its connection open (await it before accepting traffic);
   * rejects with SP_JOURNAL_UNAVAILABLE if it cannot open the journal.
   */
  ready(): Promise<void>;
  /** Makes one accepted request durable; resolves with its seq only after the commit is on disk. */
  append(entry: AppendInput): Promise<number>;
  /** Why the journal cannot accept right now (last write failed), for /readyz; null when fine. */
  unavailableReason(): string | null;
}

/** What the forwarder needs: the oldest pending work, its bytes, dedupe, and marking it done. */
export interface BacklogPort {
  /** Oldest pending entries, in seq order. */
  nextBatch(limit: number, opts?: NextBatchOptions): PendingEntry[];
  decryptPayload(entry: PendingEntry): Buffer;
  /** For each item, true when it is a provider retry of an event already forwarded (or earlier in `items`). */
  findDuplicates(items: readonly Claim[]): boolean[];
  /** Marks entries forwarded, records their claims and dead letters: one transaction. */
  complete(seqs: readonly number[], opts?: { claims?: readonly Claim[]; deadLetters?: readonly DeadLetterInput[] }): Promise<{ deadLetterIds: number[] }>;
  /** Sources the operator paused: not forwarded until resumed. */
  pausedSources(): string[];
  /** Entries (requests) not yet forwarded. */
  pendingTotal(): number;
  /** Called after new work became pending (append, redrive, resume); returns an unsubscribe function. */
  onWork(listener: () => void): () => void;
}

/** What the operator's dead-letter actions need. */
export interface DeadLetterPort {
  deadLetter(input: DeadLetterInput): number;
  listDeadLetters(query?: DeadLetterQuery): DeadLetterView[];
  getDeadLetter(id: number): DeadLetterView | undefined;
  /** The raw bytes of a dead letter, in clear (personal data): only for an authorised operator. */
  unsafeReadDeadLetterRaw(id: number): Buffer | null;
  /** Puts a dead letter back as a new pending entry; returns its seq. */
  redrive(id: number, opts?: { by?: string }): number;
  /** Erases a dead letter's bytes, keeping a tombstone with the reason, who and when. */
  discardDeadLetter(id: number, opts: { reason: string; by?: string }): void;
}

/** What pausing and resuming a source needs (persisted across restarts). */
export interface SourcesPort {
  pause(source: string, opts?: { by?: string; reason?: string }): void;
  resume(source: string): void;
  pausedSources(): string[];
  listPaused(): PausedSource[];
}

/** The durable store behind every 2xx: every port, as openJournal assembles them, plus its life cycle. */
export interface Journal extends IngestPort, BacklogPort, DeadLetterPort, SourcesPort {
  /** One round of retention and claim expiry (at most maxRows of each); returns what was deleted. */
  prune(maxRows?: number): Promise<{ entries: number; claims: number }>;
  stats(): JournalStats;
  /** Commits what is queued, stops housekeeping, closes the database (await it before exiting). */
  close(): Promise<void>;
  readonly path: string;
}
