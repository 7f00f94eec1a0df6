import type BetterSqlite3 from 'better-sqlite3';
import { SealpostError } from '../../../shared/errors/index.js';
import { EVENT_INDEX_ERRORS } from './errors.js';

/** A query of the event index, every filter optional and all of them combined (AND). */
export interface EventQuery {
  source?: string;
  type?: string;
  /** Event time, epoch ms: from inclusive, to exclusive. */
  from?: number;
  to?: number;
  /** Clear field (dotted path) -> exact value. */
  fields?: Record<string, string>;
  /** Blind index of the subject (computed by the caller; the value itself never reaches the index). */
  subject?: string;
  /** Case-insensitive substring (at least 3 characters) of the clear text. */
  keyword?: string;
  limit: number;
  cursor?: string;
}

/** One event as a query answers it: where it is, its clear facts, and the envelope with its sealed sections. */
export interface EventHit {
  source: string;
  id: string;
  type: string;
  time: string;
  receivedAt: string;
  subject: string | null;
  topic: string;
  partition: number;
  offset: string;
  envelope: Record<string, unknown>;
}

interface Row {
  seq: number;
  source: string;
  id: string;
  type: string;
  time: number;
  received: number;
  subject: string | null;
  topic: string;
  partition: number;
  offset: string;
  envelope: string;
}

const cursorOf = (r: Row): string => Buffer.from(`${r.time}:${r.seq}`).toString('base64url');
function parseCursor(c: string): { time: number; seq: number } {
  const m = /^(-?\d{1,16}):(\d{1,16})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  if (!m) throw new SealpostError(EVENT_INDEX_ERRORS.badCursor, 'the cursor is not one this server handed out; start the query again without it', { status: 400 });
  return { time: Number(m[1]), seq: Number(m[2]) };
}

/** A trigram FTS5 phrase: the keyword quoted, so punctuation in it is text, not query syntax. */
const phrase = (keyword: string): string => `"${keyword.replace(/"/g, '""')}"`;

/**
 * The event index's query: newest first (event time, then arrival in the index), every filter an
 * indexed lookup (source/type, subject, a clear field's (path, value), trigram full text), one page
 * plus a cursor. Statements are prepared once per shape of query.
 */
export function createEventQuery(db: BetterSqlite3.Database): (q: EventQuery) => { events: EventHit[]; next: string | null } {
  const statements = new Map<string, BetterSqlite3.Statement<unknown[], Row>>();
  return (q) => {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, ...values: unknown[]): void => {
      where.push(sql);
      args.push(...values);
    };
    if (q.source !== undefined) add('source = ?', q.source);
    if (q.type !== undefined) add('type = ?', q.type);
    if (q.from !== undefined) add('time >= ?', q.from);
    if (q.to !== undefined) add('time < ?', q.to);
    if (q.subject !== undefined) add('subject = ?', q.subject);
    for (const [path, value] of Object.entries(q.fields ?? {})) add('seq IN (SELECT seq FROM event_fields WHERE path = ? AND value = ?)', path, value);
    if (q.keyword !== undefined) add('seq IN (SELECT rowid FROM events_text WHERE events_text MATCH ?)', phrase(q.keyword));
    if (q.cursor !== undefined) {
      const c = parseCursor(q.cursor);
      add('(time < ? OR (time = ? AND seq < ?))', c.time, c.time, c.seq);
    }
    const sql = `SELECT seq, source, id, type, time, received, subject, topic, partition, offset, envelope FROM events
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, seq DESC LIMIT ?`;
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare<unknown[], Row>(sql);
      statements.set(sql, stmt);
    }
    const rows = stmt.all(...args, q.limit + 1);
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    return {
      events: page.map((r) => ({
        source: r.source,
        id: r.id,
        type: r.type,
        time: new Date(r.time).toISOString(),
        receivedAt: new Date(r.received).toISOString(),
        subject: r.subject,
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        envelope: JSON.parse(r.envelope) as Record<string, unknown>,
      })),
      next: more ? cursorOf(page[page.length - 1]!) : null,
    };
  };
}
