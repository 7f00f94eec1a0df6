import { parseKeysTopicRecord, type SubjectKeyRecord } from './format.js';

/**
 * What a reader knows of the keys topic (shared/subject-keys/format.ts) at this moment: the sealed key
 * records still alive, the forget markers, and the keys it saw shredded. Readers (the console's Node side,
 * the consumer kit) hold one per Kafka connection and open sections through it; it holds no opened key.
 */
export interface SubjectKeySource {
  /** The topic this book follows (for messages). */
  readonly topic: string;
  /** Waits (bounded) until the book has read the topic up to the end it had when asked; starts following on first call. */
  ready(): Promise<void>;
  /** After a miss: waits (bounded, at most every few seconds) until the book has read up to the topic's current end. */
  refresh(): Promise<void>;
  /** The sealed record of `keyId`, or undefined when it is unknown or shredded. */
  key(keyId: string): SubjectKeyRecord | undefined;
  /** When `subject` was forgotten (ISO 8601), or undefined. */
  forgottenAt(subject: string): string | undefined;
  /** True when this book saw `keyId` tombstoned (a fresh reader after compaction may not have). */
  shredded(keyId: string): boolean;
  /** Why keys may be missing: still reading, or the topic cannot be read; undefined when current. */
  problem(): string | undefined;
  /**
   * Calls `listener(keyId)` for each key that must stop opening (tombstoned, or forgotten by a marker), and
   * `listener(null)` when the book closes: holders of opened subject keys zero them. Returns an unsubscribe.
   */
  onDrop(listener: (keyId: string | null) => void): () => void;
}

/** The book itself, fed record by record (by follow-keys-topic.ts, or a test). */
export interface KeyBook {
  /** Applies one record of the keys topic (null value = tombstone); foreign or malformed records are counted and skipped. */
  apply(key: Buffer | string | null, value: Buffer | null): void;
  key(keyId: string): SubjectKeyRecord | undefined;
  forgottenAt(subject: string): string | undefined;
  shredded(keyId: string): boolean;
  onDrop(listener: (keyId: string | null) => void): () => void;
  /** Forgets everything and tells every listener (null). */
  close(): void;
  stats(): { keys: number; forgotten: number; shredded: number; skipped: number };
}

/** Ids of keys seen tombstoned, kept (bounded) to say "shredded" when no forget marker explains a missing key. */
const SHREDDED_CAPACITY = 100_000;

/** True when a key made at `createdAt` belongs to the life of a subject forgotten at `forgottenAt`. */
export function madeBeforeForget(createdAt: string, forgottenAt: string): boolean {
  const made = Date.parse(createdAt);
  const forgot = Date.parse(forgottenAt);
  // An unreadable date cannot prove the key is newer than the forgetting: treat it as forgotten.
  return !(made > forgot);
}

/**
 * An empty book. Why it drops at once and tells listeners: a forgotten key must stop opening within
 * seconds in a running reader, so nobody may keep an opened copy once its tombstone (or its subject's
 * forget marker) has been read. A key made before its subject's forget marker counts as forgotten even
 * while its tombstone has not arrived yet (the forget writes both; their order is not guaranteed).
 */
export function createKeyBook(): KeyBook {
  const keys = new Map<string, SubjectKeyRecord>();
  const bySubject = new Map<string, Set<string>>();
  const forgotten = new Map<string, string>();
  const shredded = new Set<string>();
  const listeners = new Set<(keyId: string | null) => void>();
  let skipped = 0;

  const tell = (keyId: string | null): void => {
    for (const l of listeners) l(keyId);
  };
  const remove = (keyId: string): void => {
    const rec = keys.get(keyId);
    if (rec) {
      keys.delete(keyId);
      const set = bySubject.get(rec.subject);
      set?.delete(keyId);
      if (set?.size === 0) bySubject.delete(rec.subject);
    }
    shredded.add(keyId);
    if (shredded.size > SHREDDED_CAPACITY) shredded.delete(shredded.values().next().value!);
    tell(keyId);
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
        if (!rec.value) return remove(rec.keyId);
        const previous = keys.get(rec.keyId);
        keys.set(rec.keyId, rec.value);
        if (previous && previous.sealed !== rec.value.sealed) tell(rec.keyId); // replaced: an opened copy of the old value must go
        let set = bySubject.get(rec.subject);
        if (!set) bySubject.set(rec.subject, (set = new Set()));
        set.add(rec.keyId);
        return;
      }
      if (!rec.value) {
        forgotten.delete(rec.subject);
        return;
      }
      forgotten.set(rec.subject, rec.value.forgottenAt);
      for (const keyId of bySubject.get(rec.subject) ?? []) {
        if (madeBeforeForget(keys.get(keyId)!.createdAt, rec.value.forgottenAt)) tell(keyId);
      }
    },
    key: (keyId) => keys.get(keyId),
    forgottenAt: (subject) => forgotten.get(subject),
    shredded: (keyId) => shredded.has(keyId),
    onDrop(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      keys.clear();
      bySubject.clear();
      forgotten.clear();
      shredded.clear();
      tell(null);
      listeners.clear();
    },
    stats: () => ({ keys: keys.size, forgotten: forgotten.size, shredded: shredded.size, skipped }),
  };
}
