import BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SealpostError } from '../../../shared/errors/index.js';
import { ensureOwnerOnlyDir } from '../../../shared/secret-files/index.js';
import { notOpenError } from './dead-letters.js';
import { openConnection } from './connection.js';
import { JOURNAL_ERRORS, journalUnavailable, sqliteCode } from './errors.js';
import { createJournalCipher, type JournalCipher } from './journal-cipher.js';
import { journalKeyPath, loadOrCreateJournalKey } from './journal-key.js';
import { createPendingIndex } from './pending.js';
import { migrate } from './schema.js';
import type { Clock, LogLike } from './types.js';
import { inlineWriter, startWriterThread, type JournalWriter } from './writer.js';
import { createWriteOps, NOT_OPEN, type WriteRequest, type WriteResults } from './writer-ops.js';

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

/** What the ports share: the connection, the cipher, the writer, the backlog index and the life-cycle state. */
export interface JournalCore {
  readonly path: string;
  readonly db: BetterSqlite3.Database;
  readonly cipher: JournalCipher;
  readonly writer: JournalWriter;
  readonly clock: Clock;
  readonly log: LogLike;
  readonly pending: ReturnType<typeof createPendingIndex>;
  /** Seqs are handed out here (appends and re-drives), so they stay in arrival order. */
  nextSeq(): number;
  /** Tells the forwarder new work is pending. */
  notify(): void;
  readonly listeners: Set<() => void>;
  /** Set by the ingest port when a commit fails, cleared by the next good write (or the housekeeping probe). */
  unavailable: string | undefined;
  closing: boolean;
  closed: boolean;
  closedError(): SealpostError;
  /** One write transaction in the writer thread; any storage failure becomes SP_JOURNAL_UNAVAILABLE (retriable, 503). */
  write<R extends WriteRequest>(req: R): Promise<WriteResults[R['op']]>;
  /**
   * Rare operator writes (pause, redrive, discard...) run right here on this thread's connection, so
   * their API stays synchronous; each costs one fsync on the event loop, which an admin action can afford.
   */
  writeHere<R extends WriteRequest>(req: R): WriteResults[R['op']];
}

const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
const SILENT: LogLike = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Opens (creating on first start) `<dir>/journal.db`: WAL, synchronous=FULL (see connection.ts for
 * why not NORMAL), the schema migrated, the key checked; reads run on this thread's connection, hot
 * writes on the writer thread (so their fsyncs and checkpoints never stall the event loop).
 */
export function openJournalCore(opts: JournalOptions): JournalCore {
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
    migrate(db, { cipher, checkKey: () => checkKey(db, cipher, path) });
  } catch (err) {
    db.close();
    if (err instanceof SealpostError) throw err;
    if (sqliteCode(err)) throw journalUnavailable(err, path, 'open');
    throw new SealpostError(JOURNAL_ERRORS.openFailed, `cannot open journal ${path}: ${(err as Error).message}`, { cause: err });
  }

  const writer: JournalWriter = opts.writerThread === false ? inlineWriter(db) : startWriterThread({ path, busyTimeoutMs, log });
  const seqRow = db.prepare<[], { s: number | null }>(
    `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'entries'), 0), coalesce((SELECT max(seq) FROM entries), 0)) AS s`,
  ).get();
  let nextSeq = (seqRow?.s ?? 0) + 1;
  const listeners = new Set<() => void>();
  const mainOps = createWriteOps(db);
  const mapWriteError = (err: unknown, req: WriteRequest): SealpostError => {
    if ((err as { code?: string }).code === NOT_OPEN) return notOpenError((req as { id?: number }).id ?? 0, 'resolved');
    return journalUnavailable(err, path);
  };

  const core: JournalCore = {
    path,
    db,
    cipher,
    writer,
    clock,
    log,
    pending: createPendingIndex(db),
    nextSeq: () => nextSeq++,
    listeners,
    notify() {
      for (const l of listeners) {
        try {
          l();
        } catch (err) {
          log.error({ err }, 'journal work listener threw');
        }
      }
    },
    unavailable: undefined,
    closing: false,
    closed: false,
    closedError: () => new SealpostError(JOURNAL_ERRORS.closed, 'the journal is closed (the service is shutting down); retry shortly', { retriable: true, status: 503 }),
    async write(req) {
      if (core.closed) throw core.closedError();
      try {
        return await writer.write(req);
      } catch (err) {
        throw mapWriteError(err, req);
      }
    },
    writeHere(req) {
      if (core.closed || core.closing) throw core.closedError();
      try {
        return mainOps(req) as never;
      } catch (err) {
        throw mapWriteError(err, req);
      }
    },
  };
  return core;
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
