import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { SealpostError } from '../../../shared/errors/index.js';
import { openConnection } from '../journal/connection.js';
import { boundedMap } from './bounded-map.js';
import { SUPPRESSION_ERRORS } from './errors.js';
import { activeSummary, isActive, mergeValues, reasonsFingerprint, suppressionValueSchema, type SuppressionValue } from './suppression-state.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS suppressions (
  key TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  grp INTEGER,
  reasons TEXT NOT NULL,
  since INTEGER,
  updated INTEGER NOT NULL,
  complete INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS suppressions_subject ON suppressions(subject);
-- The check reads only these three columns: from this index alone, without the row and its sealed value (2.5x faster).
CREATE INDEX IF NOT EXISTS suppressions_summary ON suppressions(key, reasons, since);
CREATE INDEX IF NOT EXISTS suppressions_incomplete ON suppressions(complete) WHERE complete = 0;
CREATE TABLE IF NOT EXISTS suppression_reasons (
  key TEXT NOT NULL,
  reason TEXT NOT NULL,
  since INTEGER,
  active INTEGER NOT NULL,
  PRIMARY KEY (key, reason)
);
CREATE INDEX IF NOT EXISTS suppression_reasons_since ON suppression_reasons(active, since);
CREATE TABLE IF NOT EXISTS follow_offsets (partition INTEGER PRIMARY KEY, next INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS follow_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
`;

/** Parsed states kept in memory for the keys used last (~3 KB each with their sealed sections). */
const CACHE_ENTRIES = 5_000;
/** Merged reasons kept for the keys used last (a few hundred bytes each). */
const REASONS_ENTRIES = 20_000;


/** One row of the view, as the admin API lists it. */
export interface StoredSuppression {
  key: string;
  subject: string;
  group: number | null;
  /** Active reasons, sorted; empty when every reason was lifted. */
  reasons: string[];
  since: string | null;
  updatedAt: number;
  value: SuppressionValue;
}

interface Row {
  key: string;
  subject: string;
  grp: number | null;
  reasons: string;
  since: number | null;
  updated: number;
  value: string;
}

const toStored = (r: Row): StoredSuppression => ({
  key: r.key,
  subject: r.subject,
  group: r.grp,
  reasons: r.reasons ? r.reasons.split(',') : [],
  since: r.since === null ? null : new Date(r.since).toISOString(),
  updatedAt: r.updated,
  value: JSON.parse(r.value) as SuppressionValue,
});

/**
 * The instance's materialised view of the suppression topic: `<dataDir>/suppressions.db` (owner-only, WAL,
 * without an fsync per commit: see `rebuildable` in journal/connection.ts), key -> merged state, plus the next offset per partition so a restart
 * resumes where it stopped. Everything in it came from the topic (no address: blind indexes, reasons,
 * times and sealed sections), so deleting the file only costs a re-read of the topic.
 */
export function openSuppressionStore(opts: { dataDir: string; topic: string; now: () => number }) {
  const path = join(opts.dataDir, 'suppressions.db');
  let db: BetterSqlite3.Database;
  try {
    db = openConnection(path, 5000, 'rebuildable');
    db.exec(SCHEMA);
  } catch (err) {
    throw new SealpostError(SUPPRESSION_ERRORS.storeOpen, `cannot open the suppression view ${path}: ${(err as Error).message}; check the data dir is writable (it is rebuilt from the topic if deleted)`, { cause: err });
  }
  const meta = (k: string): string | undefined => (db.prepare('SELECT v FROM follow_meta WHERE k = ?').get(k) as { v: string } | undefined)?.v;
  const setMeta = (k: string, v: string): void => void db.prepare('INSERT INTO follow_meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v').run(k, v);
  // A view of another topic (the config changed) is not this topic's view: start again from its beginning.
  if (meta('topic') !== opts.topic) {
    db.exec('DELETE FROM suppressions; DELETE FROM suppression_reasons; DELETE FROM follow_offsets; DELETE FROM follow_meta;');
    setMeta('topic', opts.topic);
  }

  const getRow = db.prepare<[string], Row>('SELECT key, subject, grp, reasons, since, updated, value FROM suppressions WHERE key = ?');
  // The check's lookup: every key of a request in one statement (one read transaction, one call into SQLite),
  // rows as arrays [key, reasons, since]; keys that are not on the list are simply absent.
  const getSummaries = db.prepare('SELECT key, reasons, since FROM suppressions INDEXED BY suppressions_summary WHERE key IN (SELECT value FROM json_each(?))').raw(true);
  const upsert = db.prepare(
    `INSERT INTO suppressions (key, subject, grp, reasons, since, updated, complete, value) VALUES (@key, @subject, @grp, @reasons, @since, @updated, @complete, @value)
     ON CONFLICT(key) DO UPDATE SET reasons = excluded.reasons, since = excluded.since, updated = excluded.updated, complete = excluded.complete, value = excluded.value`,
  );
  const upsertReason = db.prepare(
    `INSERT INTO suppression_reasons (key, reason, since, active) VALUES (?, ?, ?, ?) ON CONFLICT(key, reason) DO UPDATE SET since = excluded.since, active = excluded.active`,
  );
  const setOffset = db.prepare('INSERT INTO follow_offsets (partition, next) VALUES (?, ?) ON CONFLICT(partition) DO UPDATE SET next = excluded.next');

  // Parsed states of the keys used last: the writer and the follower read the same hot keys again and again (a
  // SELECT and a JSON.parse of ~1.5 KB, ~17 us, each time on the main thread). Values are never mutated in place.
  // Beside them, the merged reasons of more keys (a few hundred bytes each), which is all the writer's merge needs
  // of a key when its new record brings its own sealed address; the view's writer thread reports them as it writes.
  const states = boundedMap<SuppressionValue>(CACHE_ENTRIES);
  const reasons = boundedMap<SuppressionValue['reasons']>(REASONS_ENTRIES);
  const cached = (key: string, v: SuppressionValue): SuppressionValue => {
    states.set(key, v);
    reasons.set(key, v.reasons);
    return v;
  };
  const current = (key: string): SuppressionValue | undefined => {
    const hit = states.get(key);
    if (hit) return hit;
    const r = getRow.get(key);
    return r ? cached(key, JSON.parse(r.value) as SuppressionValue) : undefined;
  };
  const dropKept = (): void => {
    states.clear();
    reasons.clear();
  };

  /** Merges one record into the view; true when the record held the whole merged state. */
  const applyOne = (key: string, incoming: SuppressionValue): boolean => {
    const merged = mergeValues(current(key), incoming);
    const complete = reasonsFingerprint(merged) === reasonsFingerprint(incoming);
    const summary = activeSummary(merged);
    upsert.run({
      key,
      subject: merged.subject,
      grp: merged.group ?? null,
      reasons: summary.reasons.join(','),
      since: summary.since ? Date.parse(summary.since) : null,
      updated: opts.now(),
      complete: complete ? 1 : 0,
      value: JSON.stringify(merged),
    });
    for (const [reason, r] of Object.entries(merged.reasons)) upsertReason.run(key, reason, r.since ? Date.parse(r.since) : null, isActive(r) ? 1 : 0);
    cached(key, merged);
    return complete;
  };

  const applyInTransaction = db.transaction((partition: number, items: readonly { key: string; value: SuppressionValue }[], next: number): string[] => {
    const incomplete: string[] = [];
    for (const it of items) if (!applyOne(it.key, it.value)) incomplete.push(it.key);
    setOffset.run(partition, next);
    return incomplete;
  });

  return {
    /** The merged state of a key, or undefined. */
    get: current,
    /** Active reasons and since of the keys among `keys` that the view holds (the check's hot path: two columns, no JSON). */
    summaries(keys: readonly string[]): Map<string, { reasons: string[]; since: number | null }> {
      const out = new Map<string, { reasons: string[]; since: number | null }>();
      for (const [key, reasons, since] of getSummaries.all(JSON.stringify(keys)) as [string, string, number | null][]) {
        out.set(key, { reasons: reasons ? reasons.split(',') : [], since });
      }
      return out;
    },
    /** Merges records read from `partition` and stores `next` as where to resume; returns the keys whose record lacked part of the merged state. */
    applyBatch(partition: number, items: readonly { key: string; value: SuppressionValue }[], next: number): string[] {
      try {
        return applyInTransaction(partition, items, next);
      } catch (err) {
        dropKept(); // it may hold states of the rolled-back transaction
        throw err;
      }
    },
    /** Keys another connection (the view's writer thread) has just written, with their merged reasons. */
    learn(written: readonly (readonly [key: string, reasons: SuppressionValue['reasons']])[]): void {
      for (const [key, r] of written) {
        states.delete(key);
        reasons.set(key, r);
      }
    },
    /** The merged reasons of a key (undefined: not in the view). */
    reasonsOf: (key: string): SuppressionValue['reasons'] | undefined => reasons.get(key) ?? current(key)?.reasons,
    offsets(): Map<number, number> {
      return new Map((db.prepare('SELECT partition, next FROM follow_offsets').all() as { partition: number; next: number }[]).map((r) => [r.partition, r.next]));
    },
    /** Forgets everything (the topic was recreated and is behind the stored offsets). */
    reset(): void {
      dropKept();
      db.exec('DELETE FROM suppressions; DELETE FROM suppression_reasons; DELETE FROM follow_offsets;');
      db.prepare("DELETE FROM follow_meta WHERE k = 'caughtUp'").run();
    },
    caughtUpOnce: (): boolean => meta('caughtUp') === '1',
    markCaughtUp: (): void => setMeta('caughtUp', '1'),
    /** Keys whose latest record in the topic lacks part of the merged state (a race between writers). */
    incompleteKeys: (limit: number): string[] => (db.prepare('SELECT key FROM suppressions WHERE complete = 0 LIMIT ?').all(limit) as { key: string }[]).map((r) => r.key),
    /** Rows of one subject (its global entry and its groups). */
    bySubject: (subject: string): StoredSuppression[] => (db.prepare('SELECT key, subject, grp, reasons, since, updated, value FROM suppressions WHERE subject = ? ORDER BY key').all(subject) as Row[]).map(toStored),
    /** A page of rows, newest change first; `reason` filters on an active reason; cursor = `<updated>:<key>` of the last row. */
    list(q: { reason?: string; activeOnly: boolean; limit: number; cursor?: string }): { rows: StoredSuppression[]; next: string | null } {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (q.activeOnly) where.push("reasons <> ''");
      if (q.reason) {
        where.push("(',' || reasons || ',') LIKE ?");
        args.push(`%,${q.reason.replace(/[%_,]/g, '')},%`);
      }
      if (q.cursor) {
        const m = /^(\d+):(.*)$/.exec(q.cursor);
        if (m) {
          where.push('(updated < ? OR (updated = ? AND key < ?))');
          args.push(Number(m[1]), Number(m[1]), m[2]!);
        }
      }
      const sql = `SELECT key, subject, grp, reasons, since, updated, value FROM suppressions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated DESC, key DESC LIMIT ?`;
      const rows = (db.prepare(sql).all(...args, q.limit + 1) as Row[]).map(toStored);
      const more = rows.length > q.limit;
      if (more) rows.pop();
      const last = rows[rows.length - 1];
      return { rows, next: more && last ? `${last.updatedAt}:${last.key}` : null };
    },
    /** Active suppressions by reason and time bucket of their `since` (and totals by reason). */
    counts(q: { from: number; to: number; bucketMs: number }): { buckets: { start: number; reason: string; count: number }[]; totals: Record<string, number> } {
      const buckets = db
        .prepare('SELECT (since / ?) * ? AS start, reason, COUNT(*) AS count FROM suppression_reasons WHERE active = 1 AND since >= ? AND since < ? GROUP BY start, reason ORDER BY start, reason')
        .all(q.bucketMs, q.bucketMs, q.from, q.to) as { start: number; reason: string; count: number }[];
      const totals: Record<string, number> = {};
      for (const r of db.prepare('SELECT reason, COUNT(*) AS count FROM suppression_reasons WHERE active = 1 GROUP BY reason').all() as { reason: string; count: number }[]) totals[r.reason] = r.count;
      return { buckets, totals };
    },
    /** Every row, for export (iterated, not loaded at once). */
    *all(): Generator<StoredSuppression> {
      for (const r of db.prepare('SELECT key, subject, grp, reasons, since, updated, value FROM suppressions ORDER BY key').iterate() as IterableIterator<Row>) yield toStored(r);
    },
    size: (): number => (db.prepare('SELECT COUNT(*) AS n FROM suppressions').get() as { n: number }).n,
    /** Entries with at least one active reason (what "on the list" means). */
    activeCount: (): number => (db.prepare("SELECT COUNT(*) AS n FROM suppressions WHERE reasons <> ''").get() as { n: number }).n,
    close: (): void => {
      db.close();
    },
  };
}
export type SuppressionStore = ReturnType<typeof openSuppressionStore>;

/** Parses a record value from the topic; undefined for a value that is not a suppression record. */
export function parseSuppressionValue(value: Buffer | null): SuppressionValue | undefined {
  if (!value) return undefined;
  try {
    const r = suppressionValueSchema.safeParse(JSON.parse(value.toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
