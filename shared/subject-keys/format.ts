/**
 * Subject keys (crypto-shredding): the on-the-wire contract between the ingest service, the console and
 * every department consumer, in any language. See docs/forget.md.
 *
 * A *subject* is the person a record is about, named only by its blind index (the envelope's `recipient`).
 * Each (subject, department) has one or more 32-byte *subject keys*. A section of a v2 envelope whose
 * department is listed in `envelope.keys` is a standard AWS Encryption SDK message sealed with a raw AES
 * keyring holding that subject key. The subject key itself lives in a compacted Kafka topic, as a standard
 * ESDK message sealed under the department's own key (KMS or local), so only that department opens it.
 * Forgetting a subject tombstones every one of its key records: every copy of every section sealed under
 * them becomes unreadable, while records, offsets and the clear part stay.
 *
 * Opening a section in two stock ESDK steps:
 *  1. decrypt `SubjectKeyRecord.sealed` with the department's keyring (encryption context
 *     `subjectKeyContext(department)`); the plaintext is the JSON `SubjectKeyPlaintext`; check its
 *     `keyId`, `subject` and `department` against the record;
 *  2. decrypt the section with a raw AES keyring: namespace `SUBJECT_KEY_NAMESPACE`, key name = the key
 *     id, wrapping AES256_GCM_IV12_TAG16_NO_PADDING, key = base64-decoded `key`; check the context
 *     (`sectionContext(...)` plus `sealpost:subject-key` = key id) and the plaintext's `id`/`department`.
 */

/** Default name of the compacted topic holding subject keys and forget markers. */
export const SUBJECT_KEYS_TOPIC = 'sealpost.subject-keys';

/** Raw AES keyring namespace (ESDK provider id) of sections sealed under a subject key. */
export const SUBJECT_KEY_NAMESPACE = 'sealpost-subject';

/** Encryption-context key naming the subject key a section is sealed under. */
export const SUBJECT_KEY_CONTEXT_KEY = 'sealpost:subject-key';

/** Encryption-context key marking a message as a sealed subject key (value `subject-key`). */
export const PURPOSE_CONTEXT_KEY = 'sealpost:purpose';

/** Record `schema` values and the `sealpost-schema` header of records on the keys topic. */
export const SUBJECT_KEY_SCHEMA = 'sealpost.subject-key/1';
export const FORGOTTEN_SCHEMA = 'sealpost.subject-forgotten/1';

/** A key id: 16 random bytes, base64url (22 characters). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * Encryption context of a sealed subject key. Low-cardinality on purpose (no key id, no subject), so the
 * department's cached data key serves many subject keys and KMS is not called per subject; the plaintext
 * binds the key to its id, subject and department instead.
 */
export function subjectKeyContext(department: string): Record<string, string> {
  return { 'sealpost:department': department, [PURPOSE_CONTEXT_KEY]: 'subject-key' };
}

/** Kafka key of a subject key record; tombstoning that key (null value) shreds the subject key. */
export function subjectKeyRecordKey(subject: string, department: string, keyId: string): string {
  return `key/${subject}/${department}/${keyId}`;
}

/** Kafka key of a subject's forget marker (kept: it says when the subject was forgotten). */
export function forgottenRecordKey(subject: string): string {
  return `forgotten/${subject}`;
}

/** Value (JSON) of a subject key record. */
export interface SubjectKeyRecord {
  schema: typeof SUBJECT_KEY_SCHEMA;
  /** Blind index of the subject (same as the envelope's `recipient`). */
  subject: string;
  department: string;
  keyId: string;
  /** When the key was made (ISO 8601). */
  createdAt: string;
  /** Random id of the service process that made it (not a host name), so it can shred its own keys. */
  instance: string;
  /** base64 ESDK message (department key, context `subjectKeyContext(department)`) of a SubjectKeyPlaintext. */
  sealed: string;
}

/** Characters JSON writes as they are: base64, base64url, ISO times. */
const PLAIN = /^[A-Za-z0-9+/=_:.-]*$/;

/**
 * A subject key record's value: the bytes `JSON.stringify(rec)` writes, with the sealed key (~600 base64 characters)
 * copied into place instead of scanned for escapes and the result encoded again. A stream of people who each get an
 * email makes one record per event and department; a field that would need escaping takes JSON.stringify's path.
 */
export function subjectKeyRecordValue(rec: SubjectKeyRecord): Buffer {
  if (rec.schema !== SUBJECT_KEY_SCHEMA || !PLAIN.test(rec.subject) || !PLAIN.test(rec.keyId) || !PLAIN.test(rec.createdAt) || !PLAIN.test(rec.sealed)) {
    return Buffer.from(JSON.stringify(rec));
  }
  const department = JSON.stringify(rec.department);
  const instance = JSON.stringify(rec.instance);
  return Buffer.from(`{"schema":"${SUBJECT_KEY_SCHEMA}","subject":"${rec.subject}","department":${department},"keyId":"${rec.keyId}","createdAt":"${rec.createdAt}","instance":${instance},"sealed":"${rec.sealed}"}`);
}

/** Plaintext (UTF-8 JSON) of `SubjectKeyRecord.sealed`. */
export interface SubjectKeyPlaintext {
  keyId: string;
  subject: string;
  department: string;
  /** The 32-byte subject key, base64. */
  key: string;
}

/** Value (JSON) of a forget marker. Holds no reason and no address: those are in the audit trail only. */
export interface ForgottenRecord {
  schema: typeof FORGOTTEN_SCHEMA;
  subject: string;
  /** When the subject was forgotten (ISO 8601). Sections of records received up to then stay unreadable. */
  forgottenAt: string;
}

export type KeysTopicRecord =
  | { kind: 'key'; subject: string; department: string; keyId: string; value: SubjectKeyRecord | null }
  | { kind: 'forgotten'; subject: string; value: ForgottenRecord | null };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads one record of the keys topic (key + value; null value = tombstone). Returns undefined for a record
 * that is not ours or is malformed: readers skip (and count) it, never stop on it.
 */
export function parseKeysTopicRecord(key: string, value: Buffer | null): KeysTopicRecord | undefined {
  const parts = key.split('/');
  if (parts[0] === 'key' && parts.length === 4) {
    const [, subject, department, keyId] = parts as [string, string, string, string];
    if (!subject || !department || !KEY_ID_PATTERN.test(keyId)) return undefined;
    if (!value || value.length === 0) return { kind: 'key', subject, department, keyId, value: null };
    const v = parseJson(value);
    if (!isObject(v) || v.schema !== SUBJECT_KEY_SCHEMA || v.subject !== subject || v.department !== department || v.keyId !== keyId) return undefined;
    if (typeof v.sealed !== 'string' || typeof v.createdAt !== 'string' || typeof v.instance !== 'string') return undefined;
    return { kind: 'key', subject, department, keyId, value: v as unknown as SubjectKeyRecord };
  }
  if (parts[0] === 'forgotten' && parts.length === 2 && parts[1]) {
    const subject = parts[1];
    if (!value || value.length === 0) return { kind: 'forgotten', subject, value: null };
    const v = parseJson(value);
    if (!isObject(v) || v.schema !== FORGOTTEN_SCHEMA || v.subject !== subject || typeof v.forgottenAt !== 'string') return undefined;
    return { kind: 'forgotten', subject, value: v as unknown as ForgottenRecord };
  }
  return undefined;
}

function parseJson(value: Buffer): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}
