import type { EnvelopeOpener, SectionResult } from '../decrypt/index.js';
import { parseEnvelope, type Envelope } from '../envelope/index.js';
import type { SubjectKeySource } from '../subject-keys/key-book.js';
import { consumerLockOf, type ConsumerLock } from './lock-reasons.js';

/** The parts of a Kafka record the kit reads (a kafkajs message plus its partition fits). */
export interface ConsumedRecord {
  partition: number;
  offset: string;
  value: Buffer | null;
}

/** Where a record sits, so a report can name it. */
interface RecordPosition {
  partition: number;
  offset: string;
}

/** A record whose department section opened (or that has none for the department: `fields` is `{}`). */
export interface OpenedEvent extends RecordPosition {
  state: 'open';
  envelope: Envelope;
  fields: Record<string, unknown>;
  /** False when the envelope has no section for the department (the policy grants it nothing personal here). */
  hasSection: boolean;
}

/** A record the department cannot read: its envelope when it is one, and why. */
export interface LockedEvent extends RecordPosition {
  state: 'locked';
  envelope: Envelope | null;
  locked: ConsumerLock;
}

/** What the kit yields per record: never an exception for one record (reports are values). */
export type ConsumerEvent = OpenedEvent | LockedEvent;

/** Who is opening: the department name and the keys it holds (see consumer-keys.ts). */
export interface OpenRecordOptions {
  department: string;
  keys: EnvelopeOpener;
  /**
   * The keys topic as this consumer follows it (followKeysTopic): sections of v2 records sealed under a
   * subject key open through it, and a forgotten subject's lock `forgotten`. Without it they lock
   * `subject_key_missing`.
   */
  subjectKeys?: SubjectKeySource;
}

/**
 * Opens the department's section of each record. Sections whose key is already in hand open synchronously, one
 * after the other (no promise per section); the others go in one call to the decryption library (so data keys
 * are shared by the batch and KMS is asked once per data key, not per record). Only the department's own
 * section is handed over: other sections are neither opened nor asked about. Results keep the order of `records`.
 */
export async function openRecords(records: readonly ConsumedRecord[], opts: OpenRecordOptions): Promise<ConsumerEvent[]> {
  return openPartitionRecords(undefined, records, 0, records.length, opts);
}

/** A record as kafkajs hands it over within a batch: its partition is the batch's. */
export type PartitionRecord = Omit<ConsumedRecord, 'partition'>;

/**
 * openRecords over `records[from..to)`; with `partition`, every record is of that partition (a kafkajs batch's messages,
 * opened as they are: no record object or array per chunk), else each record says its own.
 */
export async function openPartitionRecords(partition: number | undefined, records: readonly (ConsumedRecord | PartitionRecord)[], from: number, to: number, opts: OpenRecordOptions): Promise<ConsumerEvent[]> {
  const out: ConsumerEvent[] = new Array(to - from);
  const department = opts.department;
  const sync = opts.keys.openSectionSync ? { subjectKeys: opts.subjectKeys } : undefined;
  let bookReady = false;
  const toOpen: Envelope[] = [];
  const slots: Array<{ i: number; envelope: Envelope }> = [];
  for (let i = 0; i < out.length; i++) {
    const record = records[from + i]!;
    const p = partition ?? (record as ConsumedRecord).partition;
    const { envelope, problem } = parseEnvelope(record.value);
    if (!envelope) {
      out[i] = { partition: p, offset: record.offset, state: 'locked', envelope: null, locked: { reason: 'malformed', message: `record ${p}:${record.offset}: ${problem}` } };
      continue;
    }
    const section = envelope.sections[department];
    if (section === undefined) {
      out[i] = { partition: p, offset: record.offset, state: 'open', envelope, fields: {}, hasSection: false };
      continue;
    }
    if (typeof section !== 'string') {
      out[i] = { partition: p, offset: record.offset, state: 'locked', envelope, locked: { reason: 'tampered', message: `the ${department} section is not a base64 string; do not trust this record` } };
      continue;
    }
    if (sync) {
      // A v2 section opens synchronously only against a book that is ready for these records: asked once per call.
      if (!bookReady && opts.subjectKeys && envelope.keys?.[department] !== undefined) {
        await opts.subjectKeys.ready();
        bookReady = true;
      }
      const result = opts.keys.openSectionSync!(envelope, department, sync);
      if (result) {
        out[i] = eventOf(p, record.offset, envelope, result);
        continue;
      }
    }
    toOpen.push({ ...envelope, sections: { [department]: section } });
    slots.push({ i, envelope });
  }
  if (toOpen.length) {
    const opened = await opts.keys.open(toOpen, opts.subjectKeys ? { subjectKeys: opts.subjectKeys } : undefined);
    for (let j = 0; j < opened.length; j++) {
      const { i, envelope } = slots[j]!;
      const record = records[from + i]!;
      out[i] = eventOf(partition ?? (record as ConsumedRecord).partition, record.offset, envelope, opened[j]!.sections[department]!);
    }
  }
  return out;
}

/** The event of a record whose department section opened, or did not. */
function eventOf(partition: number, offset: string, envelope: Envelope, result: SectionResult): ConsumerEvent {
  return result.state === 'open'
    ? { partition, offset, state: 'open', envelope, fields: result.fields, hasSection: true }
    : { partition, offset, state: 'locked', envelope, locked: consumerLockOf(result) };
}

/**
 * `openRecord(record, { department, keys })`: the envelope plus the department's opened fields, or a
 * typed reason it stays locked with what to do next. For streams, openRecords (batched) is cheaper.
 */
export async function openRecord(record: ConsumedRecord, opts: OpenRecordOptions): Promise<ConsumerEvent> {
  const [event] = await openRecords([record], opts);
  return event!;
}
