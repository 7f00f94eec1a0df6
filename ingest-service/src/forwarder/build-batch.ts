import { isSealpostError } from '../../../shared/errors/index.js';
import type { BacklogPort } from '../journal/index.js';
import type { Claim, DeadLetterInput } from '../journal/types.js';
import { recordBytes, recordBytesAtMost, type SinkRecord } from '../kafka/index.js';
import type { Expand, ExpandResult } from '../expand/contract.js';
import { FORWARDER_DEAD_LETTER_REASONS } from './errors.js';
import type { PendingEntries } from './pending-pages.js';
import { createBatchCounts, groupsOf, type TallyGroup } from '../activity/batch-counts.js';
import type { ActivityCount, SealedLink } from '../activity/types.js';

/** What one forwarding round will do, decided before anything is sent. */
export interface Batch {
  /** Entries this round completes, in seq order. */
  seqs: number[];
  records: SinkRecord[];
  /**
   * Subject-key records (keys topic) the records are sealed under, once each: produced (acknowledged) before
   * any of the records is sent. Not events: never deduplicated, never counted as forwarded.
   */
  keyRecords: SinkRecord[];
  /** Sources of `records`, index for index (for per-source counters). */
  recordSources: string[];
  claims: Claim[];
  deadLetters: DeadLetterInput[];
  duplicatesBySource: Map<string, number>;
  /** Events of forgotten subjects in the batch's entries (ExpandResult.forgotten), counted once it is completed. */
  forgotten: { shredded: number; dropped: number };
  /** Email activity counts of `records` (after dedupe), and clicked URLs sealed while expanding. */
  activity: { counts: ActivityCount[]; links: SealedLink[] };
  /** Records that are not events (suppression records), produced in the same send after `records`. */
  sideRecords: SinkRecord[];
}

/** Thrown when a whole round must wait (retriable expand failure on the first entry). */
export class RetryLater extends Error {
  constructor(override readonly cause: unknown) {
    super('expand failed with a retriable error');
  }
}

/** The record's size when it is over `max`, else undefined: measured only when its cheap upper bound is over. */
function sizeOver(record: SinkRecord, max: number): number | undefined {
  if (recordBytesAtMost(record) <= max) return undefined;
  const bytes = recordBytes(record);
  return bytes > max ? bytes : undefined;
}

/**
 * Expands pending entries in seq order into one batch of at most about `batchEvents` records
 * (whole entries only). Records too large and entries whose expand fails for good become dead
 * letters; duplicates of events already forwarded are dropped. A retriable expand failure stops the
 * batch there, so order is kept: what came before is sent, the failing entry is retried next round.
 */
export async function buildBatch(
  entries: PendingEntries,
  deps: {
    journal: BacklogPort;
    expand: Expand;
    batchEvents: number;
    maxRecordBytes: number;
    /** Claims of a batch still in flight (not yet completed): their event ids count as already forwarded. */
    inflightClaims?: readonly Claim[];
    /** Entries whose expand is started ahead of the one being read, so an expand worker never waits. */
    lookahead?: number;
  },
): Promise<Batch> {
  const seqs: number[] = [];
  const candidates: { record: SinkRecord; claim: Claim; group: TallyGroup | undefined }[] = [];
  const activity = createBatchCounts();
  const deadLetters: DeadLetterInput[] = [];
  const keyRecords = new Map<string, SinkRecord>();
  const forgotten = { shredded: 0, dropped: 0 };
  const sideRecords: SinkRecord[] = [];
  const lookahead = deps.lookahead ?? 4;

  // Decrypt and expand lazily, a few entries ahead; results past the point where the batch is full are dropped.
  type Started = { payload: Buffer; result: Promise<ExpandResult> } | { unreadable: true };
  const started: Started[] = [];
  const start = (i: number): void => {
    if (started[i]) return;
    const e = entries.at(i);
    if (!e) return;
    let payload: Buffer;
    try {
      payload = deps.journal.decryptPayload(e);
    } catch {
      started[i] = { unreadable: true };
      return;
    }
    const result = deps.expand({ seq: e.seq, source: e.source, receivedAt: e.receivedAt, payload });
    result.catch(() => {}); // handled when awaited; an entry past the end of the batch is never awaited
    started[i] = { payload, result };
  };

  for (let i = 0; ; i++) {
    if (seqs.length > 0 && candidates.length >= deps.batchEvents) break;
    const e = entries.at(i); // read only once the batch needs it (pendingPages reads the journal a page at a time)
    if (!e) break;
    for (let j = i; j <= i + lookahead; j++) start(j);
    const base = { seq: e.seq, source: e.source, kind: e.kind, receivedAt: e.receivedAt };
    const s = started[i]!;
    if ('unreadable' in s) {
      deadLetters.push({ ...base, eventIndex: null, reason: FORWARDER_DEAD_LETTER_REASONS.journalUnreadable, raw: e.sealed });
      seqs.push(e.seq);
      continue;
    }
    const payload = s.payload;
    let res: ExpandResult;
    try {
      res = await s.result;
    } catch (err) {
      if (isSealpostError(err) && err.retriable) {
        if (seqs.length === 0) throw new RetryLater(err);
        break;
      }
      const code = isSealpostError(err) ? err.code : ((err as Error)?.name ?? 'Error');
      deadLetters.push({ ...base, eventIndex: null, reason: FORWARDER_DEAD_LETTER_REASONS.expandFailed, raw: payload, clear: { error: code } });
      seqs.push(e.seq);
      continue;
    }
    if (res.suppressionRecords) sideRecords.push(...res.suppressionRecords);
    for (const d of res.deadLetters) deadLetters.push({ ...base, eventIndex: d.eventIndex, reason: d.reason, raw: d.raw, ...(d.clear ? { clear: d.clear } : {}) });
    forgotten.shredded += res.forgotten?.shredded ?? 0;
    forgotten.dropped += res.forgotten?.dropped ?? 0;
    for (const k of res.keyRecords ?? []) if (!keyRecords.has(`${k.topic}\u0000${k.key}`)) keyRecords.set(`${k.topic}\u0000${k.key}`, k);
    const groups = groupsOf(res.activity, res.records.length);
    activity.links(res.activity?.links);
    for (const [r, record] of res.records.entries()) {
      const bytes = sizeOver(record, deps.maxRecordBytes);
      if (bytes !== undefined) {
        // The whole entry is kept: re-driven (after raising the limit), its other events are dropped as duplicates.
        deadLetters.push({
          ...base,
          eventIndex: null,
          reason: FORWARDER_DEAD_LETTER_REASONS.recordTooLarge,
          raw: payload,
          clear: { topic: record.topic, eventId: record.eventId, recordBytes: bytes, maxRecordBytes: deps.maxRecordBytes },
        });
        continue;
      }
      candidates.push({ record, claim: { source: e.source, eventId: record.eventId, seq: e.seq }, group: groups[r] });
    }
    seqs.push(e.seq);
  }

  // Ids in the batch still in flight are not in the claims table yet: check those in memory.
  // Per source, so that no key string is built (and hashed) per event.
  const inflight = new Map<string, Set<string>>();
  for (const c of deps.inflightClaims ?? []) {
    let ids = inflight.get(c.source);
    if (!ids) inflight.set(c.source, (ids = new Set()));
    ids.add(c.eventId);
  }
  const inFlight = candidates.map((c) => inflight.get(c.claim.source)?.has(c.claim.eventId) === true);
  const checked = deps.journal.findDuplicates(candidates.filter((_, i) => !inFlight[i]).map((c) => c.claim));
  let k = 0;
  const dup = inFlight.map((f) => f || checked[k++]!);
  const out: Omit<Batch, 'activity'> = { seqs, records: [], keyRecords: [...keyRecords.values()], forgotten, recordSources: [], claims: [], deadLetters, duplicatesBySource: new Map(), sideRecords };
  candidates.forEach((c, i) => {
    if (dup[i]) {
      out.duplicatesBySource.set(c.claim.source, (out.duplicatesBySource.get(c.claim.source) ?? 0) + 1);
      return;
    }
    out.records.push(c.record);
    out.recordSources.push(c.claim.source);
    out.claims.push(c.claim);
    activity.add(c.claim.source, c.group);
  });
  return { ...out, activity: activity.result() };
}
