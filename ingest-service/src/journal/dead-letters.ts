import type { Database } from 'better-sqlite3';
import { SealpostError } from '../../../shared/errors/index.js';
import { JOURNAL_ERRORS } from './errors.js';
import { deadLetterAad, type JournalCipher } from './journal-cipher.js';
import { openNote, type StoredNote } from './operator-notes.js';
import type { Clock, DeadLetterInput, DeadLetterState, DeadLetterView } from './types.js';
import type { DeadLetterRow } from './writer-ops.js';

interface Row {
  id: number;
  seq: number;
  source: string;
  kind: string;
  received_at: number;
  event_index: number | null;
  reason: string;
  size: number;
  clear: string | null;
  created_at: number;
  state: DeadLetterState;
  resolved_at: number | null;
  resolved_by: StoredNote;
  resolution: StoredNote;
  redriven_seq: number | null;
}

const VIEW_COLUMNS = `id, seq, source, kind, received_at, event_index, reason, size, clear, created_at, state, resolved_at, resolved_by, resolution, redriven_seq`;

function toView(r: Row, cipher: JournalCipher): DeadLetterView {
  return {
    id: r.id,
    seq: r.seq,
    source: r.source,
    kind: r.kind,
    eventIndex: r.event_index,
    reason: r.reason,
    size: r.size,
    clear: r.clear === null ? null : (JSON.parse(r.clear) as Record<string, unknown>),
    receivedAt: r.received_at,
    createdAt: r.created_at,
    state: r.state,
    resolvedAt: r.resolved_at,
    resolvedBy: openNote(cipher, r.resolved_by, { table: 'dead_letters', id: r.id, field: 'resolved_by' }),
    resolution: openNote(cipher, r.resolution, { table: 'dead_letters', id: r.id, field: 'resolution' }),
    redrivenSeq: r.redriven_seq,
  };
}

/** Listing filter; results are newest first, `beforeId` pages backwards. */
export interface DeadLetterQuery {
  state?: DeadLetterState;
  source?: string;
  reason?: string;
  beforeId?: number;
  limit?: number;
}

/**
 * Dead letters are kept, visible and replayable, never dropped. The raw bytes are encrypted like
 * entry payloads; listings show only non-personal facts (reason, source, times, size, a summary the
 * caller vouches for). Discarding keeps a tombstone (who, when, why) and erases the bytes. This is
 * the reading side; rows are written by the writer (writer-ops.ts).
 */
export function createDeadLetterStore(db: Database, cipher: JournalCipher, clock: Clock) {
  const entryInfo = db.prepare<[number], { kind: string; received_at: number }>('SELECT kind, received_at FROM entries WHERE seq = ?');
  const byId = db.prepare<[number], Row & { raw: Buffer | null }>(`SELECT ${VIEW_COLUMNS}, raw FROM dead_letters WHERE id = ?`);
  const openByReason = db.prepare<[], { reason: string; n: number }>(`SELECT reason, count(*) AS n FROM dead_letters WHERE state = 'open' GROUP BY reason`);

  const mustGet = (id: number): Row & { raw: Buffer | null } => {
    const row = byId.get(id);
    if (!row) throw new SealpostError(JOURNAL_ERRORS.deadLetterNotFound, `no dead letter with id ${id}`, { status: 404 });
    return row;
  };

  return {
    /** The row to write for a dead letter: kind and receive time looked up when not given, raw encrypted. */
    prepare(d: DeadLetterInput): DeadLetterRow {
      const info = d.kind === undefined || d.receivedAt === undefined ? entryInfo.get(d.seq) : undefined;
      return {
        seq: d.seq,
        source: d.source,
        kind: d.kind ?? info?.kind ?? 'unknown',
        receivedAt: d.receivedAt ?? info?.received_at ?? clock.now(),
        eventIndex: d.eventIndex,
        reason: d.reason,
        size: d.raw.length,
        clear: d.clear === undefined ? null : JSON.stringify(d.clear),
        raw: cipher.encrypt(d.raw, deadLetterAad(d.seq, d.source, d.eventIndex)),
        createdAt: clock.now(),
      };
    },
    list(q: DeadLetterQuery = {}): DeadLetterView[] {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (q.state) (where.push('state = ?'), args.push(q.state));
      if (q.source) (where.push('source = ?'), args.push(q.source));
      if (q.reason) (where.push('reason = ?'), args.push(q.reason));
      if (q.beforeId !== undefined) (where.push('id < ?'), args.push(q.beforeId));
      const sql = `SELECT ${VIEW_COLUMNS} FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      args.push(Math.min(Math.max(q.limit ?? 100, 1), 1000));
      return (db.prepare(sql).all(...args) as Row[]).map((r) => toView(r, cipher));
    },
    get(id: number): DeadLetterView | undefined {
      const row = byId.get(id);
      return row ? toView(row, cipher) : undefined;
    },
    /** The raw bytes in clear: personal data. Only for an authorised operator's explicit request. */
    unsafeReadRaw(id: number): Buffer | null {
      const row = mustGet(id);
      return row.raw === null ? null : cipher.decrypt(row.raw, deadLetterAad(row.seq, row.source, row.event_index));
    },
    /** An open dead letter and its clear bytes, for redrive; refuses one already resolved. */
    readOpen(id: number): { row: DeadLetterView; raw: Buffer } {
      const row = mustGet(id);
      if (row.state !== 'open' || row.raw === null) throw notOpenError(id, row.state);
      return { row: toView(row, cipher), raw: cipher.decrypt(row.raw, deadLetterAad(row.seq, row.source, row.event_index)) };
    },
    /** Throws unless the dead letter exists and is open. */
    mustBeOpen(id: number): void {
      const row = mustGet(id);
      if (row.state !== 'open') throw notOpenError(id, row.state);
    },
    openCountsByReason(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const r of openByReason.all()) out[r.reason] = r.n;
      return out;
    },
  };
}

/** The error for an operation on a dead letter that was already redriven or discarded. */
export function notOpenError(id: number, state: string): SealpostError {
  return new SealpostError(JOURNAL_ERRORS.deadLetterResolved, `dead letter ${id} is already ${state}`, { status: 409, details: { state } });
}

export type DeadLetterStore = ReturnType<typeof createDeadLetterStore>;
