import BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SealpostError } from '../../../shared/errors/index.js';
import { createDeadLetterStore, type DeadLetterQuery } from './dead-letters.js';
import { createDedupe } from './dedupe.js';
import { JOURNAL_ERRORS, journalUnavailable, sqliteCode } from './errors.js';
import { createGroupCommitter } from './group-commit.js';
import { createJournalCipher, entryAad, type JournalCipher } from './journal-cipher.js';
import { journalKeyPath, loadOrCreateJournalKey } from './journal-key.js';
import { createPendingIndex, type NextBatchOptions } from './pending.js';
import { migrate } from './schema.js';
import type {
  AppendInput,
  Claim,
  Clock,
  DeadLetterInput,
  DeadLetterView,
  JournalStats,
  LogLike,
  PausedSource,
  PendingEntry,
} from './types.js';

export interface JournalOptions {
  /** Data directory: the journal is `<dir>/journal.db`, its key `<dir>/keys/journal.key`. */
  dir: string;
  /** Payload cipher; by default built from the key file (created on first start). */
  cipher?: JournalCipher;
  /** Appends arriving within this many ms share one transaction (one fsync); 0 = same tick only. */
  groupCommitMs?: number;
  dedupeWindowSeconds?: number;
  retainForwardedSeconds?: number;
  clock?: Clock;
  log?: LogLike;
  /** Period of the housekeeping timer (retention, claim expiry, write probe while unavailable). */
  maintenanceIntervalMs?: number;
  /** How long a write waits for a lock held by another connection (an operator's sqlite3 shell). */
  busyTimeoutMs?: number;
}

/** The durable store behind every 2xx; see openJournal. */
export interface Journal {
  /** Makes one accepted request durable; resolves with its seq only after the commit is on disk. */
  append(entry: AppendInput): Promise<number>;
  /** Oldest pending entries, in seq order. */
  nextBatch(limit: number, opts?: NextBatchOptions): PendingEntry[];
  decryptPayload(entry: PendingEntry): Buffer;
  /** For each item, true when it is a provider retry of an event already forwarded (or earlier in `items`). */
  findDuplicates(items: readonly Claim[]): boolean[];
  /** Marks entries forwarded, records their claims and dead letters: one transaction. */
  complete(seqs: readonly number[], opts?: { claims?: readonly Claim[]; deadLetters?: readonly DeadLetterInput[] }): { deadLetterIds: number[] };
  deadLetter(input: DeadLetterInput): number;
  listDeadLetters(query?: DeadLetterQuery): DeadLetterView[];
  getDeadLetter(id: number): DeadLetterView | undefined;
  /** The raw bytes of a dead letter, in clear (personal data): only for an authorised operator. */
  unsafeReadDeadLetterRaw(id: number): Buffer | null;
  /** Puts a dead letter back as a new pending entry; returns its seq. */
  redrive(id: number, opts?: { by?: string }): number;
  /** Erases a dead letter's bytes, keeping a tombstone with the reason, who and when. */
  discardDeadLetter(id: number, opts: { reason: string; by?: string }): void;
  pause(source: string, opts?: { by?: string; reason?: string }): void;
  resume(source: string): void;
  pausedSources(): string[];
  listPaused(): PausedSource[];
  /** One round of retention and claim expiry (at most maxRows of each); returns what was deleted. */
  prune(maxRows?: number): { entries: number; claims: number };
  stats(): JournalStats;
  /** Why the journal cannot accept right now (last write failed), for /readyz; null when fine. */
  unavailableReason(): string | null;
  /** Called after new work became pending (append, redrive, resume); returns an unsubscribe function. */
  onWork(listener: () => void): () => void;
  /** Commits what is queued, stops housekeeping, closes the database. */
  close(): void;
  readonly path: string;
}

const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
const SILENT: LogLike = { debug() {}, info() {}, warn() {}, error() {} } as unknown as LogLike;
const PRUNE_BATCH = 2000;

interface Queued {
  seq: number;
  input: AppendInput;
  sealed: Buffer;
}

/**
 * Opens (creating on first start) the journal in `<dir>/journal.db`.
 *
 * Durability: WAL with synchronous=FULL. SQLite documents that in WAL mode synchronous=NORMAL
 * stays consistent but "a transaction committed in WAL mode with synchronous=NORMAL might roll back
 * following a power loss or system crash": NORMAL syncs only at checkpoints, and no checkpoint
 * discipline can make a commit durable *at the moment we answer 2xx*. FULL fsyncs the WAL at every
 * commit, and group commit makes that one fsync per group of requests, which is what keeps it cheap.
 */
export function openJournal(opts: JournalOptions): Journal {
  const clock = opts.clock ?? SYSTEM_CLOCK;
  const log = opts.log ?? SILENT;
  const path = join(opts.dir, 'journal.db');
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });

  const keyPath = journalKeyPath(opts.dir);
  if (!opts.cipher && existsSync(path) && !existsSync(keyPath)) {
    throw new SealpostError(
      JOURNAL_ERRORS.keyMismatch,
      `${path} exists but its key ${keyPath} is missing; restore the key file (entries cannot be read without it) or move the old journal away`,
    );
  }
  const cipher = opts.cipher ?? createJournalCipher(loadOrCreateJournalKey(keyPath));

  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(path, { timeout: opts.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw journalUnavailable(err, path, 'open');
  }
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, WAL could not be enabled`);
    db.pragma('synchronous = FULL');
    db.pragma('journal_size_limit = 67108864');
    migrate(db);
    checkKey(db, cipher, path);
  } catch (err) {
    db.close();
    if (err instanceof SealpostError) throw err;
    if (sqliteCode(err)) throw journalUnavailable(err, path, 'open');
    throw new SealpostError(JOURNAL_ERRORS.openFailed, `cannot open journal ${path}: ${(err as Error).message}`, { cause: err });
  }

  const pending = createPendingIndex(db);
  const dedupe = createDedupe(db, { windowSeconds: opts.dedupeWindowSeconds ?? 7 * 24 * 3600, clock });
  const deadLetters = createDeadLetterStore(db, cipher, clock);
  const retainMs = (opts.retainForwardedSeconds ?? 3600) * 1000;
  const paused = new Map<string, PausedSource>();
  for (const r of db.prepare<[], { source: string; paused_at: number; paused_by: string | null; reason: string | null }>('SELECT * FROM paused_sources').all()) {
    paused.set(r.source, { source: r.source, pausedAt: r.paused_at, pausedBy: r.paused_by, reason: r.reason });
  }

  const seqRow = db.prepare<[], { s: number | null }>(
    `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'entries'), 0), coalesce((SELECT max(seq) FROM entries), 0)) AS s`,
  ).get();
  let nextSeq = (seqRow?.s ?? 0) + 1;

  const insEntry = db.prepare<[number, string, string, number, number, number | null]>(
    'INSERT INTO entries (seq, source, kind, received_at, size, redrive_of) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insPayload = db.prepare<[number, Buffer]>('INSERT INTO payloads (seq, data) VALUES (?, ?)');
  const markForwarded = db.prepare<[number, number], { source: string }>(
    'UPDATE entries SET forwarded_at = ? WHERE seq = ? AND forwarded_at IS NULL RETURNING source',
  );
  const expiredSeqs = db.prepare<[number, number], { seq: number }>(
    'SELECT seq FROM entries WHERE forwarded_at IS NOT NULL AND forwarded_at < ? ORDER BY forwarded_at LIMIT ?',
  );
  const delPayloads = db.prepare<[string]>('DELETE FROM payloads WHERE seq IN (SELECT value FROM json_each(?))');
  const delEntries = db.prepare<[string]>('DELETE FROM entries WHERE seq IN (SELECT value FROM json_each(?))');
  const probe = db.prepare<[string]>(`INSERT INTO meta (key, value) VALUES ('probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);

  let unavailable: string | undefined;
  let closed = false;
  let appendCommits = 0;
  let appendedEntries = 0;
  let failedCommits = 0;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const l of listeners) {
      try {
        l();
      } catch (err) {
        log.error({ err }, 'journal work listener threw');
      }
    }
  };

  const closedError = (): SealpostError =>
    new SealpostError(JOURNAL_ERRORS.closed, 'the journal is closed (the service is shutting down); retry shortly', { retriable: true, status: 503 });

  /** Runs fn in one write transaction; any failure becomes SP_JOURNAL_UNAVAILABLE (retriable). */
  const write = <T>(fn: () => T): T => {
    if (closed) throw closedError();
    try {
      return db.transaction(fn)();
    } catch (err) {
      if (err instanceof SealpostError && err.code !== JOURNAL_ERRORS.unavailable) throw err;
      throw journalUnavailable(err, path);
    }
  };

  const committer = createGroupCommitter<Queued>({
    delayMs: opts.groupCommitMs ?? 2,
    commit(items) {
      try {
        db.transaction(() => {
          for (const q of items) {
            insEntry.run(q.seq, q.input.source, q.input.kind, q.input.receivedAt, q.input.payload.length, null);
            insPayload.run(q.seq, q.sealed);
          }
        })();
      } catch (err) {
        failedCommits++;
        const e = journalUnavailable(err, path);
        if (unavailable === undefined) log.error({ code: e.code, sqliteCode: sqliteCode(err) ?? null, entries: items.length }, e.message);
        unavailable = e.message;
        throw e;
      }
      if (unavailable !== undefined) log.info('journal writable again');
      unavailable = undefined;
      appendCommits++;
      appendedEntries += items.length;
      for (const q of items) pending.add(q.input.source, 1);
      queueMicrotask(notify);
    },
    mapError: (err) => err,
  });

  const prune = (maxRows = PRUNE_BATCH): { entries: number; claims: number } =>
    write(() => {
      const seqs = expiredSeqs.all(clock.now() - retainMs, maxRows).map((r) => r.seq);
      if (seqs.length > 0) {
        const json = JSON.stringify(seqs);
        delPayloads.run(json);
        delEntries.run(json);
      }
      return { entries: seqs.length, claims: dedupe.pruneExpired(maxRows) };
    });

  let lastPrune = 0;
  const housekeeping = (): void => {
    if (closed) return;
    if (unavailable !== undefined) {
      try {
        write(() => probe.run(String(clock.now())));
        log.info('journal writable again');
        unavailable = undefined;
      } catch {
        return;
      }
    }
    if (clock.now() - lastPrune < 60_000) return;
    lastPrune = clock.now();
    const step = (): void => {
      if (closed) return;
      try {
        const r = prune();
        if (r.entries === PRUNE_BATCH || r.claims === PRUNE_BATCH) setImmediate(step);
      } catch (err) {
        log.warn({ code: (err as SealpostError).code }, 'journal retention pass failed; will retry');
      }
    };
    step();
  };
  const timer = setInterval(housekeeping, opts.maintenanceIntervalMs ?? 5000);
  timer.unref();

  return {
    path,
    append(entry) {
      if (closed) return Promise.reject(closedError());
      if (!entry || typeof entry.source !== 'string' || typeof entry.kind !== 'string' || !Buffer.isBuffer(entry.payload) || !Number.isFinite(entry.receivedAt)) {
        return Promise.reject(new SealpostError(JOURNAL_ERRORS.badEntry, 'journal append needs { source, kind, receivedAt, payload: Buffer }'));
      }
      const seq = nextSeq++;
      const sealed = cipher.encrypt(entry.payload, entryAad(seq, entry.source, entry.kind));
      return committer.submit({ seq, input: entry, sealed }).then(() => seq);
    },
    nextBatch: (limit, o) => pending.next(limit, o),
    decryptPayload: (e) => cipher.decrypt(e.sealed, entryAad(e.seq, e.source, e.kind)),
    findDuplicates: (items) => dedupe.findDuplicates(items),
    complete(seqs, o = {}) {
      const done: string[] = [];
      const ids = write(() => {
        for (const seq of seqs) {
          const r = markForwarded.get(clock.now(), seq);
          if (r) done.push(r.source);
        }
        dedupe.writeClaims(o.claims ?? []);
        return (o.deadLetters ?? []).map((d) => deadLetters.insert(d));
      });
      for (const s of done) pending.add(s, -1);
      return { deadLetterIds: ids };
    },
    deadLetter: (input) => write(() => deadLetters.insert(input)),
    listDeadLetters: (q) => deadLetters.list(q),
    getDeadLetter: (id) => deadLetters.get(id),
    unsafeReadDeadLetterRaw: (id) => deadLetters.unsafeReadRaw(id),
    redrive(id, o = {}) {
      const { row, raw } = deadLetters.takeForRedrive(id);
      const seq = write(() => {
        const s = nextSeq++;
        insEntry.run(s, row.source, row.kind, row.receivedAt, raw.length, id);
        insPayload.run(s, cipher.encrypt(raw, entryAad(s, row.source, row.kind)));
        deadLetters.markRedriven(id, s, o.by ?? null);
        return s;
      });
      pending.add(row.source, 1);
      queueMicrotask(notify);
      return seq;
    },
    discardDeadLetter(id, o) {
      if (!o || typeof o.reason !== 'string' || o.reason.trim() === '') {
        throw new SealpostError(JOURNAL_ERRORS.reasonRequired, 'discarding a dead letter needs a reason', { status: 400 });
      }
      write(() => deadLetters.discard(id, o.reason, o.by ?? null));
    },
    pause(source, o = {}) {
      const p: PausedSource = { source, pausedAt: clock.now(), pausedBy: o.by ?? null, reason: o.reason ?? null };
      write(() =>
        db.prepare('INSERT OR REPLACE INTO paused_sources (source, paused_at, paused_by, reason) VALUES (?, ?, ?, ?)').run(source, p.pausedAt, p.pausedBy, p.reason),
      );
      paused.set(source, p);
    },
    resume(source) {
      write(() => db.prepare('DELETE FROM paused_sources WHERE source = ?').run(source));
      if (paused.delete(source)) queueMicrotask(notify);
    },
    pausedSources: () => [...paused.keys()],
    listPaused: () => [...paused.values()],
    prune,
    stats() {
      const oldest = pending.oldestBySource();
      const times = Object.values(oldest);
      return {
        pendingBySource: pending.counts(),
        pendingTotal: pending.total(),
        oldestPendingBySource: oldest,
        oldestPendingAt: times.length ? Math.min(...times) : null,
        deadLettersByReason: deadLetters.openCountsByReason(),
        pausedSources: [...paused.keys()],
        appendCommits,
        appendedEntries,
        failedCommits,
      };
    },
    unavailableReason: () => (closed ? 'the journal is closed' : (unavailable ?? null)),
    onWork(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (closed) return;
      committer.flush();
      closed = true;
      clearInterval(timer);
      listeners.clear();
      db.close();
    },
  };
}

/** Refuses a journal whose stored data was encrypted under another key (a restored or regenerated key file). */
function checkKey(db: BetterSqlite3.Database, cipher: JournalCipher, path: string): void {
  const row = db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'key_check'`).get();
  if (row) {
    if (row.value !== cipher.keyCheck) {
      throw new SealpostError(
        JOURNAL_ERRORS.keyMismatch,
        `${path} was written under a different journal key than keys/journal.key; restore the original key file`,
      );
    }
    return;
  }
  const stored = db.prepare<[], { n: number }>('SELECT (SELECT count(*) FROM payloads) + (SELECT count(*) FROM dead_letters WHERE raw IS NOT NULL) AS n').get();
  if (stored && stored.n > 0) {
    throw new SealpostError(JOURNAL_ERRORS.keyMismatch, `${path} holds encrypted data but no key check; refusing to guess which key it needs`);
  }
  db.prepare(`INSERT INTO meta (key, value) VALUES ('key_check', ?)`).run(cipher.keyCheck);
}
