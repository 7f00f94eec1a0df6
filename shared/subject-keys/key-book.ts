import { parseKeysTopicRecord, subjectKeyRecordKey, type SubjectKeyRecord } from './format.js';
import { oldestEvictor } from '../collections/oldest-evictor.js';

/**
 * What a reader knows of the keys topic (shared/subject-keys/format.ts) at this moment: the sealed key
 * records still alive, the forget markers, and the keys it saw shredded. Readers (the console's Node side,
 * the consumer kit) hold one per Kafka connection and open sections through it; it holds no opened key.
 *
 * A key is named by its whole record key (subject, department, key id), never by its id alone: anyone who
 * may write the keys topic could otherwise claim another person's key id and replace or tombstone it.
 */
export interface SubjectKeySource {
  /** The topic this book follows (for messages). */
  readonly topic: string;
  /** Waits (bounded) until the book has read the topic up to the end it had when asked; starts following on first call. */
  ready(): Promise<void>;
  /**
   * After a miss: waits (bounded) until the book has read up to an end of the topic taken no earlier than
   * `since` (epoch ms, default now). Callers whose records were read before `since` share one read.
   */
  refresh(since?: number): Promise<void>;
  /** The sealed record of this very key, or undefined when it is unknown or shredded. */
  key(keyId: string, department: string, subject: string): SubjectKeyRecord | undefined;
  /** The departments of every live record that claims `keyId` (one, unless moved or forged): to say "moved" rather than "missing". */
  claims(keyId: string): readonly KeyClaim[];
  /** When `subject` was forgotten (ISO 8601), or undefined. */
  forgottenAt(subject: string): string | undefined;
  /** True when this book saw this key tombstoned (a fresh reader after compaction may not have). */
  shredded(keyId: string, department: string, subject: string): boolean;
  /** Why keys may be missing: still reading, or the topic cannot be read; undefined when current. */
  problem(): string | undefined;
  /**
   * Calls `listener(recordKey)` (subjectKeyRecordKey) for each key that must stop opening (tombstoned,
   * replaced, or forgotten by a marker), and `listener(null)` when the book closes: holders of opened
   * subject keys zero them. Returns an unsubscribe.
   */
  onDrop(listener: (recordKey: string | null) => void): () => void;
}

/** The book itself, fed record by record (by follow-keys-topic.ts, or a test). */
export interface KeyBook {
  /** Applies one record of the keys topic (null value = tombstone); foreign or malformed records are counted and skipped. */
  apply(key: Buffer | string | null, value: Buffer | null): void;
  key(keyId: string, department: string, subject: string): SubjectKeyRecord | undefined;
  claims(keyId: string): readonly KeyClaim[];
  forgottenAt(subject: string): string | undefined;
  shredded(keyId: string, department: string, subject: string): boolean;
  onDrop(listener: (recordKey: string | null) => void): () => void;
  /** Forgets everything and tells every listener (null). */
  close(): void;
  stats(): { keys: number; forgotten: number; shredded: number; skipped: number };
}

/** Who a live key record says a key id belongs to. */
export type KeyClaim = Pick<SubjectKeyRecord, 'department'>;

export interface KeyBookOptions {
  /** Keep only the key records of these departments (a department consumer opens nothing else): memory. */
  departments?: readonly string[];
  now?: () => number;
}

/** Ids of keys seen tombstoned, kept (bounded) to say "shredded" when no forget marker explains a missing key. */
const SHREDDED_CAPACITY = 100_000;

/**
 * How far in the future a forget marker may be dated: the service writes its own clock's "now", so a marker
 * much later than ours was not written by a forget (it would also shred every key the person gets until then).
 */
export const MARKER_CLOCK_SKEW_MS = 60 * 60_000;

/** True when a key made at `createdAt` belongs to the life of a subject forgotten at `forgottenAt`. */
export function madeBeforeForget(createdAt: string, forgottenAt: string): boolean {
  const made = Date.parse(createdAt);
  const forgot = Date.parse(forgottenAt);
  // An unreadable date cannot prove the key is newer than the forgetting: treat it as forgotten.
  return !(made > forgot);
}

const NONE: readonly KeyClaim[] = Object.freeze([]);

/**
 * An empty book. Why it drops at once and tells listeners: a forgotten key must stop opening within
 * seconds in a running reader, so nobody may keep an opened copy once its tombstone (or its subject's
 * forget marker) has been read. A key made before its subject's forget marker counts as forgotten even
 * while its tombstone has not arrived yet (the forget writes both; their order is not guaranteed).
 *
 * Hostile records (anyone who may write the keys topic): a record only ever replaces or tombstones its own
 * record key; a key record that comes back after this book read its tombstone stays shredded (a saved copy
 * re-dated after the forget must not open again); a marker dated in the future is skipped. None of them can
 * make a section open under another person's key: step 1 checks the sealed plaintext against the record.
 */
export function createKeyBook(opts: KeyBookOptions = {}): KeyBook {
  const now = opts.now ?? Date.now;
  const only = opts.departments ? new Set(opts.departments) : undefined;
  /** With `departments`: the key ids of the other departments' live records, and whose (a few bytes, not the sealed key). */
  const othersById = new Map<string, KeyClaim>();
  const claimOf = new Map<string, KeyClaim>();
  /** key id -> the live records claiming it (almost always one). */
  const byId = new Map<string, SubjectKeyRecord[]>();
  /** subject -> record keys of its live keys (to drop opened copies on its forget marker). */
  const bySubject = new Map<string, Set<string>>();
  const forgotten = new Map<string, string>();
  const shredded = new Set<string>();
  const evictOldestShredded = oldestEvictor(shredded);
  const listeners = new Set<(recordKey: string | null) => void>();
  let size = 0;
  let skipped = 0;

  const tell = (recordKey: string | null): void => {
    for (const l of listeners) l(recordKey);
  };
  const find = (keyId: string, department: string, subject: string): SubjectKeyRecord | undefined =>
    byId.get(keyId)?.find((r) => r.department === department && r.subject === subject);
  const unlink = (rec: SubjectKeyRecord): void => {
    const list = byId.get(rec.keyId)!.filter((r) => r !== rec);
    if (list.length) byId.set(rec.keyId, list);
    else byId.delete(rec.keyId);
    size -= 1;
    const set = bySubject.get(rec.subject);
    set?.delete(subjectKeyRecordKey(rec.subject, rec.department, rec.keyId));
    if (set?.size === 0) bySubject.delete(rec.subject);
  };
  const shred = (recordKey: string, rec: SubjectKeyRecord | undefined): void => {
    if (rec) unlink(rec);
    shredded.delete(recordKey); // re-added last: the oldest are the first to go
    shredded.add(recordKey);
    if (shredded.size > SHREDDED_CAPACITY) evictOldestShredded();
    tell(recordKey);
  };
  const put = (recordKey: string, rec: SubjectKeyRecord): void => {
    const previous = find(rec.keyId, rec.department, rec.subject);
    if (previous) {
      unlink(previous);
      if (previous.sealed !== rec.sealed) tell(recordKey); // replaced: an opened copy of the old value must go
    }
    const list = byId.get(rec.keyId);
    if (list) list.push(rec);
    else byId.set(rec.keyId, [rec]);
    size += 1;
    let set = bySubject.get(rec.subject);
    if (!set) bySubject.set(rec.subject, (set = new Set()));
    set.add(recordKey);
  };

  return {
    apply(rawKey, value) {
      const key = rawKey === null ? '' : typeof rawKey === 'string' ? rawKey : rawKey.toString('utf8');
      const rec = parseKeysTopicRecord(key, value);
      if (!rec) {
        skipped += 1;
        return;
      }
      if (rec.kind === 'key') {
        if (only && !only.has(rec.department)) {
          // Not kept, but known: a section moved under another department's key is "moved", not "missing".
          if (rec.value) othersById.set(rec.keyId, claimOf.get(rec.department) ?? claimOf.set(rec.department, { department: rec.department }).get(rec.department)!);
          else if (othersById.get(rec.keyId)?.department === rec.department) othersById.delete(rec.keyId);
          return;
        }
        const recordKey = subjectKeyRecordKey(rec.subject, rec.department, rec.keyId);
        if (!rec.value) return shred(recordKey, find(rec.keyId, rec.department, rec.subject));
        if (shredded.has(recordKey)) {
          skipped += 1; // back after its tombstone: never written by the service (key ids are never reused)
          return;
        }
        return put(recordKey, rec.value);
      }
      if (!rec.value) {
        forgotten.delete(rec.subject);
        return;
      }
      const at = Date.parse(rec.value.forgottenAt);
      if (at > now() + MARKER_CLOCK_SKEW_MS) {
        skipped += 1;
        return;
      }
      forgotten.set(rec.subject, rec.value.forgottenAt);
      for (const recordKey of [...(bySubject.get(rec.subject) ?? [])]) {
        const [, subject, department, keyId] = recordKey.split('/') as [string, string, string, string];
        const held = find(keyId, department, subject);
        if (!held || madeBeforeForget(held.createdAt, rec.value.forgottenAt)) tell(recordKey);
      }
    },
    key: find,
    claims: (keyId) => byId.get(keyId) ?? (othersById.has(keyId) ? [othersById.get(keyId)!] : NONE),
    forgottenAt: (subject) => forgotten.get(subject),
    shredded: (keyId, department, subject) => shredded.has(subjectKeyRecordKey(subject, department, keyId)),
    onDrop(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      byId.clear();
      othersById.clear();
      bySubject.clear();
      forgotten.clear();
      shredded.clear();
      size = 0;
      tell(null);
      listeners.clear();
    },
    stats: () => ({ keys: size, forgotten: forgotten.size, shredded: shredded.size, skipped }),
  };
}
