import BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SealpostError } from '../../../shared/errors/index.js';
import { ensureOwnerOnlyDir } from '../../../shared/secret-files/index.js';
import { createDeadLetterStore, notOpenError, type DeadLetterQuery } from './dead-letters.js';
import { openConnection } from './connection.js';
import { createDedupe } from './dedupe.js';
import { JOURNAL_ERRORS, journalUnavailable, sqliteCode } from './errors.js';
import { createGroupCommitter } from './group-commit.js';
import { createJournalCipher, entryAad, type JournalCipher } from './journal-cipher.js';
import { openNote, sealNote, type StoredNote } from './operator-notes.js';
import { journalKeyPath, loadOrCreateJournalKey } from './journal-key.js';
import { createPendingIndex, type NextBatchOptions } from './pending.js';
import { migrate } from './schema.js';
import { inlineWriter, startWriterThread, type JournalWriter } from './writer.js';
import { createWriteOps, NOT_OPEN, type EntryRow, type WriteRequest, type WriteResults } from './writer-ops.js';
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
  /** Write (and fsync) in a separate thread, off the event loop (default true); false writes inline. */
  writerThread?: boolean;
}

/** The durable store behind every 2xx; see openJournal. */
export interface Journal {
  /**
   * Resolves once the writer thread has its connection open (await it before accepting traffic);
   * rejects with SP_JOURNAL_UNAVAILABLE if it cannot open the journal.
   */
  ready(): Promise<void>;
  /** Makes one accepted request durable; resolves with its seq only after the commit is on disk. */
  append(entry: AppendInput): Promise<number>;
  /** Oldest pending entries, in seq order. */
  nextBatch(limit: number, opts?: NextBatchOptions): PendingEntry[];
  decryptPayload(entry: PendingEntry): Buffer;
  /** For each item, true when it is a provider retry of an event already forwarded (or earlier in `items`). */
  findDuplicates(items: readonly Claim[]): boolean[];
  /** Marks entries forwarded, records their claims and dead letters: one transaction. */
  complete(seqs: readonly number[], opts?: { claims?: readonly Claim[]; deadLetters?: readonly DeadLetterInput[] }): Promise<{ deadLetterIds: number[] }>;
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
  prune(maxRows?: number): Promise<{ entries: number; claims: number }>;
  stats(): JournalStats;
  /** Why the journal cannot accept right now (last write failed), for /readyz; null when fine. */
  unavailableReason(): string | null;
  /** Called after new work became pending (append, redrive, resume); returns an unsubscribe function. */
  onWork(listener: () => void): () => void;
  /** Commits what is queued, stops housekeeping, closes the database (await it before exiting). */
  close(): Promise<void>;
  readonly path: string;
}

const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
const SILENT: LogLike = { debug() {}, info() {}, warn() {}, error() {} } as unknown as LogLike;
const PRUNE_BATCH = 2000;

/**
 * Opens (creating on first start) the journal in `<dir>/journal.db`: WAL, synchronous=FULL (see
 * connection.ts for why not NORMAL), group commit, payloads encrypted under the journal key. Reads
 * (backlog, dedupe lookups, listings) run on this thread's connection; the hot writes (appends,
 * complete, retention) go to the writer thread, so their fsyncs and checkpoints never stall the
 * event loop. Operator actions write synchronously here.
 */
export function openJournal(opts: JournalOptions): Journal {
  const clock = opts.clock ?? SYSTEM_CLOCK;
  const log = opts.log ?? SILENT;
  const path = join(opts.dir, 'journal.db');
  const busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
  ensureOwnerOnlyDir(opts.dir); // on every start: refuses a data dir group or others can read, naming the chmod

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
    db = openConnection(path, busyTimeoutMs);
  } catch (err) {
    throw journalUnavailable(err, path, 'open');
  }
  try {
    migrate(db);
    checkKey(db, cipher, path);
  } catch (err) {
    db.close();
    if (err instanceof SealpostError) throw err;
    if (sqliteCode(err)) throw journalUnavailable(err, path, 'open');
    throw new SealpostError(JOURNAL_ERRORS.openFailed, `cannot open journal ${path}: ${(err as Error).message}`, { cause: err });
  }

  const writer: JournalWriter = opts.writerThread === false ? inlineWriter(db) : startWriterThread({ path, busyTimeoutMs, log });
  const pending = createPendingIndex(db);
  const dedupe = createDedupe(db, { windowSeconds: opts.dedupeWindowSeconds ?? 7 * 24 * 3600, clock });
  const deadLetters = createDeadLetterStore(db, cipher, clock);
  const retainMs = (opts.retainForwardedSeconds ?? 3600) * 1000;
  const paused = new Map<string, PausedSource>();
  for (const r of db.prepare<[], { source: string; paused_at: number; paused_by: StoredNote; reason: StoredNote }>('SELECT * FROM paused_sources').all()) {
    const pausedBy = openNote(cipher, r.paused_by, { table: 'paused_sources', source: r.source, field: 'paused_by' });
    paused.set(r.source, { source: r.source, pausedAt: r.paused_at, pausedBy, reason: openNote(cipher, r.reason, { table: 'paused_sources', source: r.source, field: 'reason' }) });
  }
  const seqRow = db.prepare<[], { s: number | null }>(
    `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'entries'), 0), coalesce((SELECT max(seq) FROM entries), 0)) AS s`,
  ).get();
  let nextSeq = (seqRow?.s ?? 0) + 1;

  let unavailable: string | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
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

  const mapWriteError = (err: unknown, req: WriteRequest): SealpostError => {
    if ((err as { code?: string }).code === NOT_OPEN) return notOpenError((req as { id?: number }).id ?? 0, 'resolved');
    return journalUnavailable(err, path);
  };
  /** One write transaction in the writer thread; any storage failure becomes SP_JOURNAL_UNAVAILABLE (retriable, 503). */
  const write = async <R extends WriteRequest>(req: R): Promise<WriteResults[R['op']]> => {
    if (closed) throw closedError();
    try {
      return await writer.write(req);
    } catch (err) {
      throw mapWriteError(err, req);
    }
  };
  /**
   * Rare operator writes (pause, redrive, discard...) run right here on this thread's connection, so
   * their API stays synchronous; each costs one fsync on the event loop, which an admin action can afford.
   */
  const mainOps = createWriteOps(db);
  const writeHere = <R extends WriteRequest>(req: R): WriteResults[R['op']] => {
    if (closed || closing) throw closedError();
    try {
      return mainOps(req) as WriteResults[R['op']];
    } catch (err) {
      throw mapWriteError(err, req);
    }
  };

  const committer = createGroupCommitter<EntryRow>({
    delayMs: opts.groupCommitMs ?? 2,
    async commit(rows) {
      try {
        await writer.write({ op: 'append', rows });
      } catch (err) {
        failedCommits++;
        const e = journalUnavailable(err, path);
        if (unavailable === undefined) log.error({ code: e.code, sqliteCode: sqliteCode(err) ?? null, entries: rows.length }, e.message);
        unavailable = e.message;
        throw e;
      }
      if (unavailable !== undefined) log.info('journal writable again');
      unavailable = undefined;
      appendCommits++;
      appendedEntries += rows.length;
      for (const r of rows) pending.add(r.source, 1);
      notify();
    },
  });

  const prune = (maxRows = PRUNE_BATCH): Promise<{ entries: number; claims: number }> =>
    write({ op: 'prune', forwardedBefore: clock.now() - retainMs, claimsBefore: dedupe.expiredBefore(), limit: maxRows });

  let lastPrune = 0;
  let housekeepingBusy = false;
  const housekeeping = async (): Promise<void> => {
    if (closed || housekeepingBusy) return;
    housekeepingBusy = true;
    try {
      if (unavailable !== undefined) {
        await write({ op: 'probe', now: clock.now() });
        log.info('journal writable again');
        unavailable = undefined;
      }
      if (clock.now() - lastPrune < 60_000) return;
      lastPrune = clock.now();
      for (;;) {
        const r = await prune();
        if (closed || (r.entries < PRUNE_BATCH && r.claims < PRUNE_BATCH)) break;
      }
    } catch (err) {
      if (unavailable === undefined) log.warn({ code: (err as SealpostError).code }, 'journal housekeeping failed; will retry');
    } finally {
      housekeepingBusy = false;
    }
  };
  const timer = setInterval(() => void housekeeping(), opts.maintenanceIntervalMs ?? 5000);
  timer.unref();

  return {
    path,
    ready: () => writer.ready().catch((err: unknown) => Promise.reject(journalUnavailable(err, path, 'open'))),
    append(entry) {
      if (closed || closing) return Promise.reject(closedError());
      if (!entry || typeof entry.source !== 'string' || typeof entry.kind !== 'string' || !Buffer.isBuffer(entry.payload) || !Number.isFinite(entry.receivedAt)) {
        return Promise.reject(new SealpostError(JOURNAL_ERRORS.badEntry, 'journal append needs { source, kind, receivedAt, payload: Buffer }'));
      }
      const seq = nextSeq++;
      const sealed = cipher.encrypt(entry.payload, entryAad(seq, entry.source, entry.kind));
      const row: EntryRow = { seq, source: entry.source, kind: entry.kind, receivedAt: entry.receivedAt, size: entry.payload.length, sealed, redriveOf: null };
      return committer.submit(row).then(() => seq);
    },
    nextBatch: (limit, o) => pending.next(limit, o),
    decryptPayload: (e) => cipher.decrypt(e.sealed, entryAad(e.seq, e.source, e.kind)),
    findDuplicates: (items) => dedupe.findDuplicates(items),
    async complete(seqs, o = {}) {
      const r = await write({
        op: 'complete',
        seqs: [...seqs],
        now: clock.now(),
        claims: dedupe.claimsToWrite(o.claims ?? []),
        deadLetters: (o.deadLetters ?? []).map((d) => deadLetters.prepare(d)),
      });
      for (const s of r.sources) pending.add(s, -1);
      return { deadLetterIds: r.deadLetterIds };
    },
    deadLetter: (input) => writeHere({ op: 'deadLetter', row: deadLetters.prepare(input) }),
    listDeadLetters: (q) => deadLetters.list(q),
    getDeadLetter: (id) => deadLetters.get(id),
    unsafeReadDeadLetterRaw: (id) => deadLetters.unsafeReadRaw(id),
    redrive(id, o = {}) {
      const { row, raw } = deadLetters.readOpen(id);
      const seq = nextSeq++;
      const entry: EntryRow = {
        seq,
        source: row.source,
        kind: row.kind,
        receivedAt: row.receivedAt,
        size: raw.length,
        sealed: cipher.encrypt(raw, entryAad(seq, row.source, row.kind)),
        redriveOf: id,
      };
      writeHere({ op: 'redrive', id, entry, by: sealNote(cipher, o.by ?? null, { table: 'dead_letters', id, field: 'resolved_by' }), now: clock.now() });
      pending.add(row.source, 1);
      queueMicrotask(notify);
      return seq;
    },
    discardDeadLetter(id, o) {
      if (!o || typeof o.reason !== 'string' || o.reason.trim() === '') {
        throw new SealpostError(JOURNAL_ERRORS.reasonRequired, 'discarding a dead letter needs a reason', { status: 400 });
      }
      deadLetters.mustBeOpen(id);
      const reason = sealNote(cipher, o.reason, { table: 'dead_letters', id, field: 'resolution' })!;
      writeHere({ op: 'discard', id, reason, by: sealNote(cipher, o.by ?? null, { table: 'dead_letters', id, field: 'resolved_by' }), now: clock.now() });
    },
    pause(source, o = {}) {
      const p: PausedSource = { source, pausedAt: clock.now(), pausedBy: o.by ?? null, reason: o.reason ?? null };
      const by = sealNote(cipher, p.pausedBy, { table: 'paused_sources', source, field: 'paused_by' });
      writeHere({ op: 'pause', source, now: p.pausedAt, by, reason: sealNote(cipher, p.reason, { table: 'paused_sources', source, field: 'reason' }) });
      paused.set(source, p);
    },
    resume(source) {
      writeHere({ op: 'resume', source });
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
      closing ??= (async () => {
        await committer.drain();
        closed = true;
        clearInterval(timer);
        listeners.clear();
        await writer.close();
        db.close();
      })();
      return closing;
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
