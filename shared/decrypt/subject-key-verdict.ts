import type { Envelope } from '../envelope/index.js';
import type { SubjectKeyRecord } from '../subject-keys/format.js';
import { madeBeforeForget, type SubjectKeySource } from '../subject-keys/key-book.js';
import type { LockedSection } from './types.js';

export const locked = (code: LockedSection['code'], message: string, extra: Partial<LockedSection> = {}): LockedSection => ({ state: 'locked', code, message, ...extra });
export const tampered = (message: string): LockedSection => locked('tampered', message, { check: 'context' });
const day = (iso: string): string => (Number.isFinite(Date.parse(iso)) ? new Date(iso).toISOString().slice(0, 10) : iso);

/**
 * Why a v2 section cannot be opened, or the sealed key record to open it with. The key is looked up by its
 * whole record key (the envelope's recipient, the department, the key id). "Forgotten" when the subject has
 * a forget marker and the key is gone or older than the marker (the forget writes both, in no guaranteed
 * order), or when this reader saw the key tombstoned; "tampered" when the key id belongs to another person
 * or department; "missing" otherwise, saying why.
 */
export function subjectKeyVerdict(envelope: Envelope, department: string, keyId: string, source: SubjectKeySource, known?: SubjectKeyRecord): SubjectKeyRecord | LockedSection {
  const subject = envelope.recipient;
  if (subject === undefined) return tampered(`the ${department} section names subject key ${keyId} but the record names no subject (recipient): do not trust it`);
  // `known`: the record the caller just had from source.key(keyId, department, subject), not asked again.
  const rec = known ?? source.key(keyId, department, subject);
  const forgottenAt = source.forgottenAt(subject);
  if (forgottenAt && (!rec || madeBeforeForget(rec.createdAt, forgottenAt))) {
    const message = rec
      ? `forgotten on ${day(forgottenAt)}: a forget marker names this person, so their ${department} fields are not opened; their subject key record is still on the keys topic ${source.topic} (its tombstone was not read yet; if it stays, the marker did not come from a forget: check the service's audit trail)`
      : `forgotten on ${day(forgottenAt)}: this person's ${department} fields were shredded (their subject key is gone) and nobody can open them any more; the clear part remains`;
    return locked('forgotten', message, { forgottenAt });
  }
  if (rec) return rec;
  if (source.shredded(keyId, department, subject)) {
    return locked('forgotten', `forgotten: the subject key of this ${department} section was shredded (tombstoned on ${source.topic}) and nobody can open it any more; the clear part remains`);
  }
  const other = source.claims(keyId)[0];
  if (other && other.department !== department) return tampered(`the ${department} section names subject key ${keyId}, which belongs to department ${other.department}: it was moved; do not trust it`);
  if (other) return tampered(`the ${department} section names a subject key of another person than this record's recipient: it was moved; do not trust it`);
  const why = source.problem() ?? `it is not on ${source.topic}: check that this reader follows the keys topic the ingest service writes (--keys-topic, or the console's Settings)`;
  return locked('subject_key_missing', `this ${department} section is sealed under subject key ${keyId}, which this reader does not hold: ${why}`);
}
