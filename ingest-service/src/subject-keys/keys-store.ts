import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { SealpostError } from '../../../shared/errors/index.js';
import { prepareOwnerOnlyDatabase } from '../../../shared/secret-files/index.js';
import { subjectKeyRecordKey, type KeysTopicRecord } from '../../../shared/subject-keys/index.js';
import { MARKER_CLOCK_SKEW_MS } from '../../../shared/subject-keys/key-book.js';
import type { ForgetNotice } from '../expand/contract.js';
import { SUBJECT_KEYS_ERRORS } from './errors.js';
import { createdAtMs, shredOnArrival, shredOnMarker, type ForgetState, type LiveKey } from './shred-rule.js';

/** File name of the store under dataDir. */
export const KEYS_STORE_FILE = 'subject-keys.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS live_keys (
  subject TEXT NOT NULL, department TEXT NOT NULL, key_id TEXT NOT NULL,
  created_at INTEGER NOT NULL, instance TEXT NOT NULL,
  PRIMARY KEY (subject, department, key_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS forgotten (subject TEXT PRIMARY KEY, forgotten_at INTEGER NOT NULL, seen_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS positions (partition INTEGER PRIMARY KEY, next_offset INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pending_tombstones (record_key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/** One record of the keys topic as the follower hands it to the store. */
export type PositionedRecord = { offset: string; record: KeysTopicRecord | undefined };

/** What applying a batch asks of the follower: tombstones to produce, forgets to tell expand about. */
export interface Applied {
  /** Kafka keys to tombstone (also kept in pending_tombstones until `produced`). */
  tombstones: string[];
  notices: ForgetNotice[];
  /**
   * Kafka keys of this instance's own keys shredded on arrival (made within the grace after a forget): its
   * expand workers may hold them, and are told to drop them.
   */
  ownShredded: string[];
  /** Records skipped as not ours or malformed. */
  skipped: number;
}

/** The follower's materialised view of the keys topic; see openKeysStore. */
export interface KeysStore {
  /** Applies records of one partition in offset order and moves its position, in one transaction. */
  apply(partition: number, records: readonly PositionedRecord[], nextOffset: string): Applied;
  /**
   * Forgets `subject` here at once (the admin call, after Kafka took its tombstones and marker): the keys
   * in `tombstoned` go, the marker state is set, and a key that arrived meanwhile is judged like one
   * meeting the marker (returned: now pending tombstones).
   */
  forgetLocally(subject: string, forgottenAtMs: number, tombstoned: readonly string[]): string[];
  liveKeys(subject: string): LiveKey[];
  forgotten(subject: string): ForgetState | undefined;
  positions(): Map<number, bigint>;
  pendingTombstones(): string[];
  produced(recordKeys: readonly string[]): void;
  /** Forgets everything read (the topic was deleted and created again): it is read from the beginning. */
  reset(): void;
  close(): void;
}

/**
 * `<dataDir>/subject-keys.db`: what this instance read from the keys topic, on disk so memory stays flat
 * with millions of subjects. Per subject: its live keys' facts (department, key id, createdAt, instance;
 * never the sealed key) and its forget marker; per partition: the next offset to read; and tombstones
 * decided but not yet acknowledged by Kafka, so a crash between deciding and producing loses none.
 * Owner-only like the journal (shared/secret-files). It is a cache of the topic: deleted, it is rebuilt
 * from the beginning of the topic; pointed at another topic, it starts empty. synchronous=NORMAL: a
 * power loss may roll back the last transactions, positions included, so they are simply read again.
 */
export function openKeysStore(opts: { dataDir: string; topic: string; self: string; now?: () => number }): KeysStore {
  const now = opts.now ?? Date.now;
  const path = join(opts.dataDir, KEYS_STORE_FILE);
  let db: BetterSqlite3.Database;
  try {
    prepareOwnerOnlyDatabase(path);
    db = new BetterSqlite3(path, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
  } catch (err) {
    throw new SealpostError(SUBJECT_KEYS_ERRORS.storeOpen, `cannot open the subject-keys store ${path}: ${(err as Error).message}; check the data dir is writable (the file may be deleted: it is rebuilt from the keys topic)`, { cause: err });
  }
  const stored = db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE name = 'topic'`).get();
  const reset = (): void => {
    db.exec('DELETE FROM live_keys; DELETE FROM forgotten; DELETE FROM positions; DELETE FROM pending_tombstones;');
  };
  if (stored?.value !== opts.topic) {
    reset();
    db.prepare(`INSERT OR REPLACE INTO meta (name, value) VALUES ('topic', ?)`).run(opts.topic);
  }

  type KeyRow = { subject: string; department: string; key_id: string; created_at: number; instance: string };
  const toKey = (r: KeyRow): LiveKey => ({ subject: r.subject, department: r.department, keyId: r.key_id, createdAtMs: r.created_at, instance: r.instance });
  const q = {
    keysOf: db.prepare<[string], KeyRow>('SELECT subject, department, key_id, created_at, instance FROM live_keys WHERE subject = ? ORDER BY department, key_id'),
    putKey: db.prepare('INSERT OR REPLACE INTO live_keys (subject, department, key_id, created_at, instance) VALUES (?, ?, ?, ?, ?)'),
    dropKey: db.prepare('DELETE FROM live_keys WHERE subject = ? AND department = ? AND key_id = ?'),
    forgottenOf: db.prepare<[string], { forgotten_at: number; seen_at: number }>('SELECT forgotten_at, seen_at FROM forgotten WHERE subject = ?'),
    putForgotten: db.prepare('INSERT OR REPLACE INTO forgotten (subject, forgotten_at, seen_at) VALUES (?, ?, ?)'),
    dropForgotten: db.prepare('DELETE FROM forgotten WHERE subject = ?'),
    putPosition: db.prepare('INSERT OR REPLACE INTO positions (partition, next_offset) VALUES (?, ?)'),
    positions: db.prepare<[], { partition: number; next_offset: number }>('SELECT partition, next_offset FROM positions'),
    putPending: db.prepare('INSERT OR IGNORE INTO pending_tombstones (record_key) VALUES (?)'),
    dropPending: db.prepare('DELETE FROM pending_tombstones WHERE record_key = ?'),
    pending: db.prepare<[], { record_key: string }>('SELECT record_key FROM pending_tombstones'),
  };
  const forgottenOf = (subject: string): ForgetState | undefined => {
    const r = q.forgottenOf.get(subject);
    return r ? { forgottenAtMs: r.forgotten_at, seenAtMs: r.seen_at } : undefined;
  };
  const shred = (k: LiveKey, out: string[]): void => {
    q.dropKey.run(k.subject, k.department, k.keyId);
    const key = subjectKeyRecordKey(k.subject, k.department, k.keyId);
    q.putPending.run(key);
    out.push(key);
  };

  const apply = db.transaction((partition: number, records: readonly PositionedRecord[], nextOffset: string): Applied => {
    const out: Applied = { tombstones: [], notices: [], ownShredded: [], skipped: 0 };
    for (const { record: r } of records) {
      if (!r) out.skipped++;
      else if (r.kind === 'key' && r.value === null) q.dropKey.run(r.subject, r.department, r.keyId);
      else if (r.kind === 'key' && r.value) {
        const key: LiveKey = { subject: r.subject, department: r.department, keyId: r.keyId, createdAtMs: createdAtMs(r.value.createdAt), instance: r.value.instance };
        if (shredOnArrival(key, forgottenOf(r.subject), opts.self)) {
          shred(key, out.tombstones);
          if (key.instance === opts.self) out.ownShredded.push(subjectKeyRecordKey(key.subject, key.department, key.keyId));
        } else q.putKey.run(key.subject, key.department, key.keyId, key.createdAtMs, key.instance);
      } else if (r.kind === 'forgotten' && r.value === null) q.dropForgotten.run(r.subject);
      else if (r.kind === 'forgotten' && r.value) {
        const at = Date.parse(r.value.forgottenAt);
        // Dated far ahead, it was not written by a forget (as the readers judge it): it would shred every key
        // the person gets until then, and make every event of theirs until then unreadable.
        if (!Number.isFinite(at) || at > now() + MARKER_CLOCK_SKEW_MS) {
          out.skipped++;
          continue;
        }
        const decision = shredOnMarker(q.keysOf.all(r.subject).map(toKey), at, forgottenOf(r.subject), opts.self);
        if (!decision.apply) continue;
        for (const k of decision.shred) shred(k, out.tombstones);
        q.putForgotten.run(r.subject, at, now());
        out.notices.push({ subject: r.subject, forgottenAtMs: at });
      }
    }
    q.putPosition.run(partition, Number(nextOffset));
    return out;
  });

  const forgetLocally = db.transaction((subject: string, forgottenAtMs: number, tombstoned: readonly string[]): string[] => {
    const done = new Set(tombstoned);
    const pending: string[] = [];
    const others: LiveKey[] = [];
    for (const k of q.keysOf.all(subject).map(toKey)) {
      if (done.has(subjectKeyRecordKey(k.subject, k.department, k.keyId))) q.dropKey.run(k.subject, k.department, k.keyId);
      else others.push(k);
    }
    const decision = shredOnMarker(others, forgottenAtMs, forgottenOf(subject), opts.self);
    if (decision.apply) {
      for (const k of decision.shred) shred(k, pending);
      q.putForgotten.run(subject, forgottenAtMs, now());
    }
    return pending;
  });
  const produced = db.transaction((keys: readonly string[]) => {
    for (const k of keys) q.dropPending.run(k);
  });

  return {
    apply: (partition, records, nextOffset) => apply(partition, records, nextOffset),
    forgetLocally: (subject, at, tombstoned) => forgetLocally(subject, at, tombstoned),
    liveKeys: (subject) => q.keysOf.all(subject).map(toKey),
    forgotten: forgottenOf,
    positions: () => new Map(q.positions.all().map((r) => [r.partition, BigInt(r.next_offset)])),
    pendingTombstones: () => q.pending.all().map((r) => r.record_key),
    produced: (keys) => produced(keys),
    reset,
    close() {
      if (db.open) db.close();
    },
  };
}
