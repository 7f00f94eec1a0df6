import BetterSqlite3 from 'better-sqlite3';
import { createHmac, hkdfSync } from 'node:crypto';
import { join } from 'node:path';
import { createAtRestCipher } from '../../../shared/at-rest/index.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { loadOrCreateKeyFile } from '../../../shared/seal/key-file.js';
import { prepareOwnerOnlyDatabase } from '../../../shared/secret-files/index.js';
import { actorFacts } from './actor.js';
import { AUDIT_ERRORS } from './errors.js';

/** One audit event as the index keeps it: clear facts, a keyed actor reference, the actor ARN encrypted. */
export interface IndexedAuditEvent {
  id: string;
  time: number;
  type: string;
  action: string;
  actor: string;
  target: string;
  outcome: 'success' | 'failure' | 'denied';
  /** Clear, non-personal details (checked by the caller against the contract's clearDetails). */
  details: Record<string, unknown>;
}

export interface AuditIndexQuery {
  actor?: string;
  actorAccount?: string;
  actorRole?: string;
  action?: string;
  target?: string;
  outcome?: string;
  from?: number;
  to?: number;
  keyword?: string;
  limit: number;
  cursor?: string;
}

export interface AuditIndexRow extends Omit<IndexedAuditEvent, 'time'> {
  time: string;
  actorFacts: { account: string | null; kind: string; role: string | null; ref: string };
}

/** The local query index of the audit trail; see openAuditIndex. */
export interface AuditIndex {
  insert(event: IndexedAuditEvent): void;
  query(q: AuditIndexQuery): { events: AuditIndexRow[]; next: string | null };
  /** Keyed reference of an ARN (what the index stores instead of it), for labels. */
  actorRef(arn: string): string;
  close(): void;
}

interface Row {
  id: string;
  time: number;
  type: string;
  action: string;
  actor_ref: string;
  actor_account: string | null;
  actor_kind: string;
  actor_role: string | null;
  actor_sealed: Buffer;
  target: string;
  outcome: IndexedAuditEvent['outcome'];
  details: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_events (
  id TEXT PRIMARY KEY,
  time INTEGER NOT NULL,
  type TEXT NOT NULL,
  action TEXT NOT NULL,
  actor_ref TEXT NOT NULL,
  actor_account TEXT,
  actor_kind TEXT NOT NULL,
  actor_role TEXT,
  actor_sealed BLOB NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL,
  search TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_time ON audit_events(time DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_actor ON audit_events(actor_ref, time DESC);
CREATE INDEX IF NOT EXISTS audit_action ON audit_events(action, time DESC);
CREATE INDEX IF NOT EXISTS audit_target ON audit_events(target, time DESC);
`;

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The audit view's query index: `<dataDir>/admin-audit.db`, one row per audit event this server
 * wrote. Chosen over reading the audit topic back because the topic's actor, target and details are
 * sealed (only the `security` department could search them) and a scan of a topic grows with its
 * retention; a local table answers field, time-range and keyword queries in milliseconds.
 *
 * Nothing personal is stored in clear: the caller ARN (whose session name is often an e-mail
 * address) is kept as a keyed HMAC reference, for exact-match queries, and AES-256-GCM encrypted, so
 * audit readers see who acted; account and role name are infrastructure names and stay clear. The
 * key is `keys/admin-audit-index.key` (0600). Free-text notes (discard reasons) are not indexed: they
 * are in the sealed audit record only. The Kafka audit topic stays the record of truth.
 */
export function openAuditIndex(opts: { dataDir: string }): AuditIndex {
  const master = loadOrCreateKeyFile(join(opts.dataDir, 'keys', 'admin-audit-index.key'));
  const macKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'sealpost audit index actor-ref', 32));
  const encKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'sealpost audit index actor-seal', 32));
  // Rows written before shared/at-rest have no version byte: still opened.
  const sealer = createAtRestCipher(encKey, { legacyUnversioned: true });
  encKey.fill(0);
  master.fill(0);
  const path = join(opts.dataDir, 'admin-audit.db');
  let db: BetterSqlite3.Database;
  try {
    prepareOwnerOnlyDatabase(path);
    db = new BetterSqlite3(path, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
  } catch (err) {
    throw new SealpostError(AUDIT_ERRORS.indexOpen, `cannot open the audit index ${path}: ${(err as Error).message}; check the data dir is writable`, { cause: err });
  }

  const actorRef = (arn: string): string => createHmac('sha256', macKey).update(arn, 'utf8').digest().subarray(0, 16).toString('base64url');
  const seal = (arn: string, id: string): Buffer => sealer.seal(Buffer.from(arn, 'utf8'), id);
  const open = (blob: Buffer, id: string): string => {
    try {
      return sealer.open(blob, id).toString('utf8');
    } catch {
      return '(unreadable: the index key changed)';
    }
  };

  const ins = db.prepare(
    `INSERT OR IGNORE INTO audit_events (id, time, type, action, actor_ref, actor_account, actor_kind, actor_role, actor_sealed, target, outcome, details, search)
     VALUES (@id, @time, @type, @action, @actorRef, @account, @kind, @role, @sealed, @target, @outcome, @details, @search)`,
  );

  const cursorOf = (r: Row): string => Buffer.from(`${r.time}:${r.id}`).toString('base64url');
  const parseCursor = (c: string): { time: number; id: string } => {
    const m = /^(\d{1,16}):(.{1,128})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
    if (!m) throw new SealpostError(AUDIT_ERRORS.badCursor, 'the cursor is not one this server handed out; start the query again without it', { status: 400 });
    return { time: Number(m[1]), id: m[2]! };
  };

  return {
    actorRef,
    insert(e) {
      const f = actorFacts(e.actor);
      const details = JSON.stringify(e.details);
      const search = [e.type, e.target, e.outcome, f.kind, f.role ?? '', f.account ?? '', details].join(' ').toLowerCase();
      ins.run({
        id: e.id,
        time: e.time,
        type: e.type,
        action: e.action,
        actorRef: actorRef(e.actor),
        account: f.account,
        kind: f.kind,
        role: f.role,
        sealed: seal(e.actor, e.id),
        target: e.target,
        outcome: e.outcome,
        details,
        search,
      });
    },
    query(q) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.actor !== undefined) {
        where.push('actor_ref = ?');
        args.push(actorRef(q.actor));
      }
      if (q.actorAccount !== undefined) {
        where.push('actor_account = ?');
        args.push(q.actorAccount);
      }
      if (q.actorRole !== undefined) {
        where.push('actor_role = ?');
        args.push(q.actorRole);
      }
      if (q.action !== undefined) {
        where.push('(action = ? OR type = ?)');
        args.push(q.action, q.action);
      }
      if (q.target !== undefined) {
        if (q.target.endsWith('*')) {
          where.push(`target LIKE ? ESCAPE '\\'`);
          args.push(`${escapeLike(q.target.slice(0, -1))}%`);
        } else {
          where.push('target = ?');
          args.push(q.target);
        }
      }
      if (q.outcome !== undefined) {
        where.push('outcome = ?');
        args.push(q.outcome);
      }
      if (q.from !== undefined) {
        where.push('time >= ?');
        args.push(q.from);
      }
      if (q.to !== undefined) {
        where.push('time < ?');
        args.push(q.to);
      }
      if (q.keyword !== undefined) {
        where.push(`search LIKE ? ESCAPE '\\'`);
        args.push(`%${escapeLike(q.keyword.toLowerCase())}%`);
      }
      if (q.cursor !== undefined) {
        const c = parseCursor(q.cursor);
        where.push('(time < ? OR (time = ? AND id < ?))');
        args.push(c.time, c.time, c.id);
      }
      const sql = `SELECT id, time, type, action, actor_ref, actor_account, actor_kind, actor_role, actor_sealed, target, outcome, details
        FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id DESC LIMIT ?`;
      const rows = db.prepare<unknown[], Row>(sql).all(...args, q.limit + 1);
      const more = rows.length > q.limit;
      const page = more ? rows.slice(0, q.limit) : rows;
      return {
        events: page.map((r) => ({
          id: r.id,
          time: new Date(r.time).toISOString(),
          type: r.type,
          action: r.action,
          actor: open(r.actor_sealed, r.id),
          actorFacts: { account: r.actor_account, kind: r.actor_kind, role: r.actor_role, ref: r.actor_ref },
          target: r.target,
          outcome: r.outcome,
          details: JSON.parse(r.details) as Record<string, unknown>,
        })),
        next: more ? cursorOf(page[page.length - 1]!) : null,
      };
    },
    close() {
      if (db.open) db.close();
      macKey.fill(0);
      encKey.fill(0);
    },
  };
}
