import BetterSqlite3 from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SealpostError } from '../../../shared/errors/index.js';
import { prepareOwnerOnlyDatabase } from '../../../shared/secret-files/index.js';
import type { EventRow } from './envelope-row.js';
import { EVENT_INDEX_ERRORS } from './errors.js';
import { createEventQuery, type EventHit, type EventQuery } from './event-query.js';

/** The event index's table; see openEventStore. */
export interface EventStore {
  /** Inserts rows in one transaction; a row whose (source, id) is already there is skipped. Returns rows added. */
  insert(rows: readonly EventRow[]): number;
  query(q: EventQuery): { events: EventHit[]; next: string | null };
  /** Deletes rows received before `before` (epoch ms), at most `max`; returns how many went. */
  prune(before: number, max?: number): number;
  /** A random id made when the file was created: names this index's consumer group. */
  instanceId(): string;
  count(): number;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  time INTEGER NOT NULL,
  received INTEGER NOT NULL,
  subject TEXT,
  topic TEXT NOT NULL,
  partition INTEGER NOT NULL,
  offset TEXT NOT NULL,
  envelope TEXT NOT NULL,
  UNIQUE (source, id)
);
CREATE INDEX IF NOT EXISTS events_time ON events(time, seq);
CREATE INDEX IF NOT EXISTS events_source_type ON events(source, type, time);
CREATE INDEX IF NOT EXISTS events_subject ON events(subject, time) WHERE subject IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_received ON events(received);
CREATE TABLE IF NOT EXISTS event_fields (path TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (path, value, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS event_fields_seq ON event_fields(seq);
CREATE VIRTUAL TABLE IF NOT EXISTS events_text USING fts5(text, content='', contentless_delete=1, tokenize='trigram');
`;

/**
 * The events index: `<dataDir>/event-index.db` (0600, WAL), one row per envelope of an indexed source:
 * source, id, type, times, the subject's blind index, the topic position, and the envelope as it is in
 * Kafka (clear part and sealed sections), plus a (path, value) table of clear fields and a trigram
 * full-text table of the clear text. Nothing personal is in it: personal fields exist only inside the
 * sealed sections (ciphertext) and as the keyed blind index. (source, id) is unique, so an event seen
 * twice (a provider retry that reached two instances, a replay into the topic) is kept once.
 */
export function openEventStore(opts: { dataDir: string }): EventStore {
  const path = join(opts.dataDir, 'event-index.db');
  let db: BetterSqlite3.Database;
  try {
    prepareOwnerOnlyDatabase(path);
    db = new BetterSqlite3(path, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    // A lost tail after a power cut is read again from Kafka (the consumer commits after the rows).
    db.pragma('synchronous = NORMAL');
    db.pragma('journal_size_limit = 67108864');
    db.exec(SCHEMA);
    db.prepare(`INSERT OR IGNORE INTO meta (k, v) VALUES ('instance', ?)`).run(randomBytes(8).toString('hex'));
  } catch (err) {
    throw new SealpostError(EVENT_INDEX_ERRORS.open, `cannot open the event index ${path}: ${(err as Error).message}; check the data dir is writable`, { cause: err });
  }
  const instance = (db.prepare(`SELECT v FROM meta WHERE k = 'instance'`).get() as { v: string }).v;

  const addEvent = db.prepare(
    `INSERT OR IGNORE INTO events (source, id, type, time, received, subject, topic, partition, offset, envelope)
     VALUES (@source, @id, @type, @time, @received, @subject, @topic, @partition, @offset, @envelope)`,
  );
  const addField = db.prepare('INSERT OR IGNORE INTO event_fields (path, value, seq) VALUES (?, ?, ?)');
  const addText = db.prepare('INSERT INTO events_text (rowid, text) VALUES (?, ?)');
  const insert = db.transaction((rows: readonly EventRow[]): number => {
    let added = 0;
    for (const r of rows) {
      const res = addEvent.run({ source: r.source, id: r.id, type: r.type, time: r.time, received: r.received, subject: r.subject, topic: r.topic, partition: r.partition, offset: r.offset, envelope: r.envelope });
      if (res.changes === 0) continue;
      added++;
      const seq = res.lastInsertRowid;
      for (const [p, v] of r.fields) addField.run(p, v, seq);
      addText.run(seq, r.text);
    }
    return added;
  });

  const oldest = db.prepare('SELECT seq FROM events WHERE received < ? ORDER BY received LIMIT ?').pluck();
  const delFields = db.prepare('DELETE FROM event_fields WHERE seq = ?');
  const delText = db.prepare('DELETE FROM events_text WHERE rowid = ?');
  const delEvent = db.prepare('DELETE FROM events WHERE seq = ?');
  const prune = db.transaction((before: number, max: number): number => {
    const seqs = oldest.all(before, max) as number[];
    for (const seq of seqs) {
      delFields.run(seq);
      delText.run(seq);
      delEvent.run(seq);
    }
    return seqs.length;
  });

  const query = createEventQuery(db);
  const count = db.prepare('SELECT count(*) FROM events').pluck();
  return {
    insert: (rows) => (rows.length ? insert(rows) : 0),
    query,
    prune: (before, max = 5000) => prune(before, max),
    instanceId: () => instance,
    count: () => count.get() as number,
    close() {
      if (db.open) db.close();
    },
  };
}
