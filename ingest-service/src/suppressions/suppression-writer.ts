import type { ExpandResult } from '../expand/contract.js';
import { sectionedValue } from '../expand/sectioned-value.js';
import type { LogLike } from '../journal/types.js';
import type { RecordSink, SinkRecord } from '../kafka/sink.js';
import { boundedMap } from './bounded-map.js';
import { SUPPRESSION_HEADERS } from './derive-records.js';
import type { SuppressionStore } from './suppression-store.js';
import { liftAll, mergeValues, reasonsFingerprint, suppressionKey, SUPPRESSION_SCHEMA, type SuppressionValue } from './suppression-state.js';

/**
 * States written but not yet read back, kept so two entries in flight for one subject still merge. Only their
 * reasons are kept (a few hundred bytes; the sealed address comes from the record being written or the view):
 * with the sections, 100,000 of them held over 200 MB while a first start read a large topic. Dropping the
 * oldest costs at most a repair (a record that lacks a reason is written back whole by the follower).
 */
const MAX_PENDING = 20_000;
/** A repair of the same state is not sent again within this window (it is on its way back to us). */
const REPAIR_QUIET_MS = 30_000;

const withReasons = (v: SuppressionValue, reasons: SuppressionValue['reasons'] | undefined): SuppressionValue | undefined => (reasons ? { ...v, reasons } : undefined);

/**
 * The main-thread half of writing suppression records: makes every record self-sufficient before it
 * is produced. Records derived in the expand worker carry one event's stop or lift; here each is
 * merged with the view (what the topic says) and with states this instance wrote but has not read
 * back yet, so the record holds the subject's whole state and compaction loses nothing.
 *
 * Two instances can still race (each merges without the other's newest record). The follower sees it:
 * a record that lacks part of the merged state is "incomplete", and the instance that notices writes
 * the merged state back (repair). Merging is a join, so repairs converge after one round; while they
 * are in flight every view already answers with the merged state.
 */
export function createSuppressionWriter(opts: { store: SuppressionStore; sink: RecordSink; topic: string; log: LogLike; now: () => number }) {
  const { store } = opts;
  const pending = boundedMap<SuppressionValue>(MAX_PENDING);
  const repaired = new Map<string, { fingerprint: string; at: number }>();

  const remember = (key: string, v: SuppressionValue): void => {
    pending.set(key, { schema: v.schema, subject: v.subject, ...(v.group !== undefined ? { group: v.group } : {}), reasons: v.reasons, source: v.source, eventId: v.eventId, policyVersion: v.policyVersion, sections: {}, sealedId: '', sealedSource: '' });
  };
  const recordOf = (key: string, v: SuppressionValue): SinkRecord => ({
    topic: opts.topic,
    key,
    value: Buffer.from(JSON.stringify(v)),
    headers: { [SUPPRESSION_HEADERS.schema]: SUPPRESSION_SCHEMA, [SUPPRESSION_HEADERS.source]: v.source },
  });

  return {
    /** Merges an expand result's suppression records with the view before the forwarder produces them. */
    complete(result: ExpandResult): ExpandResult {
      if (!result.suppressionRecords?.length) return result;
      const out: SinkRecord[] = [];
      for (const r of result.suppressionRecords) {
        // Made by this service's expand worker (derive-records.ts): parsed, not validated again.
        const delta = JSON.parse(r.value.toString('utf8')) as SuppressionValue;
        // A record with its own sealed address takes only the reasons of the view's state (the sections are its own).
        const sealedHere = Object.keys(delta.sections).length > 0;
        const known = sealedHere ? withReasons(delta, store.reasonsOf(r.key)) : store.get(r.key);
        const inFlight = pending.get(r.key);
        // Joining the delta twice changes nothing (the join is idempotent): once when no state of the key is in flight.
        const merged = mergeValues(inFlight ? mergeValues(known, inFlight) : (known ?? delta), delta);
        remember(r.key, merged);
        // The delta's own sections (this service's sealer) are copied in as bytes; the view's go through JSON.stringify.
        out.push({ ...r, value: sealedHere ? sectionedValue(merged) : Buffer.from(JSON.stringify(merged)) });
      }
      return { ...result, suppressionRecords: out };
    },
    /** The follower merged these keys (with these reasons, now in the view): states it holds need no pending copy. */
    settled(states: readonly (readonly [key: string, reasons: SuppressionValue['reasons']])[]): void {
      for (const [key, reasons] of states) {
        const p = pending.get(key);
        if (!p) continue;
        const v = { ...p, reasons };
        if (reasonsFingerprint(mergeValues(v, p)) === reasonsFingerprint(v)) pending.delete(key);
      }
    },
    /** Writes the merged state of keys whose latest record lacks part of it (see above). */
    async repair(keys: readonly string[]): Promise<void> {
      const t = opts.now();
      const records: SinkRecord[] = [];
      for (const key of new Set(keys)) {
        const v = store.get(key);
        if (!v) continue;
        const fingerprint = reasonsFingerprint(v);
        const last = repaired.get(key);
        if (last && last.fingerprint === fingerprint && t - last.at < REPAIR_QUIET_MS) continue;
        repaired.set(key, { fingerprint, at: t });
        records.push(recordOf(key, v));
      }
      for (const [k, r] of repaired) if (t - r.at >= REPAIR_QUIET_MS) repaired.delete(k);
      if (records.length === 0) return;
      try {
        await opts.sink.send(records);
        opts.log.info({ records: records.length }, 'suppression records completed after concurrent writers (merged state written back)');
      } catch (err) {
        for (const r of records) repaired.delete(r.key);
        opts.log.warn({ err: (err as Error).message, records: records.length }, 'could not write merged suppression records; retried when next read');
      }
    },
    /**
     * An operator's removal: lifts every active reason of the key now and produces the lifting record
     * (acknowledged by Kafka before this resolves). Returns the new state, or undefined for an unknown key.
     */
    async lift(subject: string, group: number | undefined, eventId: string): Promise<SuppressionValue | undefined> {
      const key = suppressionKey(subject, group);
      const current = store.get(key);
      if (!current) return undefined;
      const lifted = liftAll(mergeValues(current, pending.get(key) ?? current), opts.now(), 'admin', eventId);
      await opts.sink.send([recordOf(key, lifted)]);
      remember(key, lifted);
      return lifted;
    },
    pendingSize: (): number => pending.size(),
  };
}
export type SuppressionWriter = ReturnType<typeof createSuppressionWriter>;
