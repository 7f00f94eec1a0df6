import type { Database } from 'better-sqlite3';
import type { Claim } from './types.js';

/** An entry row as written (payload already encrypted). */
export interface EntryRow {
  seq: number;
  source: string;
  kind: string;
  receivedAt: number;
  size: number;
  sealed: Uint8Array;
  redriveOf: number | null;
}

/** A dead-letter row as written (raw already encrypted, summary already JSON). */
export interface DeadLetterRow {
  seq: number;
  source: string;
  kind: string;
  receivedAt: number;
  eventIndex: number | null;
  reason: string;
  size: number;
  clear: string | null;
  raw: Uint8Array;
  createdAt: number;
}

/** An operator note (who, why) already sealed by operator-notes.ts: notes never reach the database in clear. */
type SealedNote = Uint8Array | null;

/** Every write the journal makes, as a message: each one is one transaction on the writer connection. */
export type WriteRequest =
  | { op: 'append'; rows: EntryRow[] }
  | { op: 'complete'; seqs: number[]; now: number; claims: Claim[]; deadLetters: DeadLetterRow[] }
  | { op: 'deadLetter'; row: DeadLetterRow }
  | { op: 'redrive'; id: number; entry: EntryRow; by: SealedNote; now: number }
  | { op: 'discard'; id: number; reason: Uint8Array; by: SealedNote; now: number }
  | { op: 'pause'; source: string; now: number; by: SealedNote; reason: SealedNote }
  | { op: 'resume'; source: string }
  | { op: 'prune'; forwardedBefore: number; claimsBefore: number; limit: number }
  | { op: 'probe'; now: number };

export interface WriteResults {
  append: null;
  complete: { sources: string[]; deadLetterIds: number[] };
  deadLetter: number;
  redrive: null;
  discard: null;
  pause: null;
  resume: null;
  prune: { entries: number; claims: number };
  probe: null;
}

/** Thrown (and carried back across the thread) when a dead letter is no longer open. */
export const NOT_OPEN = 'SP_DEAD_LETTER_RESOLVED';

const buf = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
const note = (u: SealedNote): Buffer | null => (u === null ? null : buf(u));

/**
 * The journal's writes, as plain functions of one connection. They run in the writer thread, so
 * that fsync (synchronous=FULL) and WAL checkpoints never block the event loop that answers HTTP.
 */
export function createWriteOps(db: Database): (req: WriteRequest) => WriteResults[WriteRequest['op']] {
  const insEntry = db.prepare('INSERT INTO entries (seq, source, kind, received_at, size, redrive_of) VALUES (?, ?, ?, ?, ?, ?)');
  const insPayload = db.prepare('INSERT INTO payloads (seq, data) VALUES (?, ?)');
  const markForwarded = db.prepare<[number, number], { source: string }>('UPDATE entries SET forwarded_at = ? WHERE seq = ? AND forwarded_at IS NULL RETURNING source');
  const putClaim = db.prepare(
    `INSERT INTO claims (source, event_id, seq, seen_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (source, event_id) DO UPDATE SET seq = excluded.seq, seen_at = excluded.seen_at`,
  );
  const insDeadLetter = db.prepare(
    `INSERT INTO dead_letters (seq, source, kind, received_at, event_index, reason, size, clear, raw, created_at)
     VALUES (@seq, @source, @kind, @receivedAt, @eventIndex, @reason, @size, @clear, @raw, @createdAt)`,
  );
  const resolveDl = db.prepare(
    `UPDATE dead_letters SET state = ?, resolved_at = ?, resolved_by = ?, resolution = ?, redriven_seq = ?, raw = NULL WHERE id = ? AND state = 'open'`,
  );
  const pause = db.prepare('INSERT OR REPLACE INTO paused_sources (source, paused_at, paused_by, reason) VALUES (?, ?, ?, ?)');
  const resume = db.prepare('DELETE FROM paused_sources WHERE source = ?');
  const expiredSeqs = db.prepare<[number, number], { seq: number }>(
    'SELECT seq FROM entries WHERE forwarded_at IS NOT NULL AND forwarded_at < ? ORDER BY forwarded_at LIMIT ?',
  );
  const delPayloads = db.prepare('DELETE FROM payloads WHERE seq IN (SELECT value FROM json_each(?))');
  const delEntries = db.prepare('DELETE FROM entries WHERE seq IN (SELECT value FROM json_each(?))');
  const pruneClaims = db.prepare('DELETE FROM claims WHERE (source, event_id) IN (SELECT source, event_id FROM claims WHERE seen_at < ? LIMIT ?)');
  const probe = db.prepare(`INSERT INTO meta (key, value) VALUES ('probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);

  const insertEntry = (r: EntryRow): void => {
    insEntry.run(r.seq, r.source, r.kind, r.receivedAt, r.size, r.redriveOf);
    insPayload.run(r.seq, buf(r.sealed));
  };
  const insertDeadLetter = (r: DeadLetterRow): number => Number(insDeadLetter.run({ ...r, raw: buf(r.raw) }).lastInsertRowid);
  const notOpen = (id: number): Error => Object.assign(new Error(`dead letter ${id} is no longer open`), { code: NOT_OPEN });

  const run = (req: WriteRequest): WriteResults[WriteRequest['op']] => {
    switch (req.op) {
      case 'append':
        for (const r of req.rows) insertEntry(r);
        return null;
      case 'complete': {
        const sources: string[] = [];
        for (const seq of req.seqs) {
          const r = markForwarded.get(req.now, seq);
          if (r) sources.push(r.source);
        }
        for (const c of req.claims) putClaim.run(c.source, c.eventId, c.seq, req.now);
        return { sources, deadLetterIds: req.deadLetters.map(insertDeadLetter) };
      }
      case 'deadLetter':
        return insertDeadLetter(req.row);
      case 'redrive':
        if (resolveDl.run('redriven', req.now, note(req.by), `redriven as seq ${req.entry.seq}`, req.entry.seq, req.id).changes !== 1) throw notOpen(req.id);
        insertEntry(req.entry);
        return null;
      case 'discard':
        if (resolveDl.run('discarded', req.now, note(req.by), buf(req.reason), null, req.id).changes !== 1) throw notOpen(req.id);
        return null;
      case 'pause':
        pause.run(req.source, req.now, note(req.by), note(req.reason));
        return null;
      case 'resume':
        resume.run(req.source);
        return null;
      case 'prune': {
        const seqs = expiredSeqs.all(req.forwardedBefore, req.limit).map((r) => r.seq);
        if (seqs.length) {
          const json = JSON.stringify(seqs);
          delPayloads.run(json);
          delEntries.run(json);
        }
        return { entries: seqs.length, claims: pruneClaims.run(req.claimsBefore, req.limit).changes };
      }
      case 'probe':
        probe.run(String(req.now));
        return null;
    }
  };
  return (req) => db.transaction(run)(req);
}
