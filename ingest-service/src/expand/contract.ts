import type { ActivityTally } from '../activity/types.js';
import type { SinkRecord } from '../kafka/sink.js';

/**
 * The one contract of the expand step: what the forwarder hands over, what comes back. The real
 * expand (parse + seal, in the expand worker), the envelope builder and the tests' double all use
 * these types and nothing wider, so the forwarder never handles a field production does not set.
 */

/** A journal entry, decrypted, as expand receives it. Its kind comes from the source table, not the entry. */
export interface ExpandEntry {
  seq: number;
  source: string;
  receivedAt: number;
  payload: Buffer;
}

/** One Kafka record made from one provider event: the record the sink produces, plus its dedupe key. */
export interface ExpandedRecord extends SinkRecord {
  /** Provider event id (sg_event_id, SNS MessageId, audit id), else derived: the dedupe key. */
  eventId: string;
}

/** Part of an entry that cannot become a record: kept (encrypted) as a dead letter, replayable. */
export interface ExpandedDeadLetter {
  /** Position of the element in the entry's batch; null when the whole entry is the dead letter. */
  eventIndex: number | null;
  /** Stable, non-personal reason code (a parse reason, source_removed...). */
  reason: string;
  /** The bytes to keep: the element, or the whole entry. */
  raw: Buffer;
  /** Non-personal facts to list with it (an event id), when the reason alone does not say which event. */
  clear?: Record<string, unknown>;
}

/** Everything one entry turned into. */
export interface ExpandResult {
  records: ExpandedRecord[];
  deadLetters: ExpandedDeadLetter[];
  /**
   * New subject keys (records for the keys topic, shared/subject-keys) the records are sealed under.
   * The forwarder produces them, and has them acknowledged, before it sends the records.
   */
  keyRecords?: SinkRecord[];
  /** What the records count for in email activity (sendgrid and sns sources, when activity is on). */
  activity?: ActivityTally;
  /**
   * Events of forgotten subjects in this entry (when any): `shredded`, received up to the forget and sealed
   * under a key never kept; `dropped`, newer and dropped by the rule `forgotten: drop`. Counted by the
   * forwarder once the entry is completed: an entry may be expanded several times (look-ahead, retries).
   */
  forgotten?: { shredded: number; dropped: number };
  /**
   * Records for the suppression topic (ingest-service/src/suppressions): one per stop or lift an event
   * means, merged with the local view on the main thread, then produced with the records, in the same send.
   */
  suppressionRecords?: SinkRecord[];
}

/** A subject forgotten (from the keys topic): its cached keys are dropped, its older entries shredded. */
export interface ForgetNotice {
  /** Blind index of the subject. */
  subject: string;
  /** Epoch ms of the forget; entries received up to then are sealed under a key that is never kept. */
  forgottenAtMs: number;
}

/** Where the keys-topic follower tells expand about forgotten subjects (the expand worker implements it). */
export interface ForgetSink {
  forgotten(notices: readonly ForgetNotice[]): void;
  /** Key records (their Kafka keys) of this instance the follower tombstoned after a forget: a worker holding one drops it. */
  shredded(recordKeys: readonly string[]): void;
}

/**
 * Turns one journal entry (one HTTP request) into sealed records and dead letters. Injected, so the
 * forwarder knows nothing of parsing or sealing. Rejects with a SealpostError with retriable=true when
 * the failure is temporary (KMS away): the forwarder backs off and retries; anything else rejected
 * makes the entry a dead letter.
 */
export type Expand = (entry: ExpandEntry) => Promise<ExpandResult>;

/** Counters the expand worker owns, sent with every answer so the main thread's metrics stay current. */
export interface ExpandStats {
  sectionsSealed: number;
  keyringCalls: number;
  kmsCalls: number;
  kmsFailedCalls: number;
  /** Subject keys made (each one key record). */
  subjectKeysCreated: number;
}
